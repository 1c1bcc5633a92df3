"""The README's entry points through the real CDK CLI (pinned in package.json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.synth import ROOT

CDK = ROOT / "node_modules" / ".bin" / "cdk"


def cdk_synth(outdir: Path, *context: str) -> subprocess.CompletedProcess:
    if not CDK.exists():
        pytest.fail("the CDK CLI is not installed: run `make setup` (npm ci)", pytrace=False)
    arguments = [item for pair in context for item in ("-c", pair)]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [str(CDK), "synth", "--quiet", "--no-notices", "--output", str(outdir), *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_synth_one_environment_by_context(tmp_path):
    result = cdk_synth(tmp_path, "env=prod", "image_tag=3f2a9c1")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("assembly-*")) == ["assembly-prod"]
    (service,) = tmp_path.glob("assembly-prod/prodService*.template.json")
    assert ":3f2a9c1" in service.read_text()
    assert "placeholder tag" not in result.stderr
    nested = [
        a
        for a in json.loads((tmp_path / "manifest.json").read_text())["artifacts"].values()
        if a["type"] == "cdk:cloud-assembly"
    ]
    assert [a["properties"]["displayName"] for a in nested] == ["prod"]


def test_synth_without_image_tag_says_it_uses_the_placeholder(tmp_path):
    result = cdk_synth(tmp_path, "env=dev")
    assert result.returncode == 0, result.stderr
    assert (
        "no image_tag in context; the service runs the placeholder tag 'no-image-tag-given'" in result.stderr
    )


def test_unknown_environment_fails_with_the_valid_names(tmp_path):
    result = cdk_synth(tmp_path, "env=qa")
    assert result.returncode != 0
    assert "unknown environment 'qa'; choose one of dev, staging, prod" in result.stderr
