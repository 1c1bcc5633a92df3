"""Synthesize the project's CDK app in-process, exactly as `cdk synth` would.

A direct run does not see cdk.json's context (feature flags) and is not given `-c` values, so
both are passed here explicitly: the templates under test are the ones the CLI produces.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import cx_api

ROOT = Path(__file__).resolve().parents[2]


def cdk_json_context() -> dict:
    return json.loads((ROOT / "cdk.json").read_text())["context"]


def synthesize(outdir: Path, **context: str) -> cx_api.CloudAssembly:
    """Build app.py's stages for ``context`` (e.g. env="prod") and synthesize them to ``outdir``."""
    import app as stackplan_app  # the real entry point, not a copy of it

    # cfn-lint runs on the result as its own test, so CDK's built-in copy of it is skipped.
    os.environ.setdefault("CDK_VALIDATION", "false")
    application = cdk.App(outdir=str(outdir), context={**cdk_json_context(), **context})
    stackplan_app.build(application)
    return application.synth()
