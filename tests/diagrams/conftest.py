"""Synthesize the small fixture apps once per test session (a few seconds in all)."""

from __future__ import annotations

import os

import pytest

from tests.diagrams.apps import serverless_api, static_website, vpc_worker

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def assemblies(tmp_path_factory):
    root = tmp_path_factory.mktemp("assemblies")
    return {
        module.__name__.rsplit(".", 1)[-1]: module.build(root / module.__name__.rsplit(".", 1)[-1])
        for module in (serverless_api, static_website, vpc_worker)
    }
