"""The rule every integration tier follows when its tool is missing.

On a laptop a tier may skip, with one line saying how to enable it. In CI (``CI=true``) a
missing tool is a broken CI set-up, so the tier FAILS instead of silently skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str, how_to_enable: str) -> None:
    """Skip (laptop) or fail (CI) with one line: what is missing and how to enable it."""
    message = f"{reason}; to enable: {how_to_enable}"
    if in_ci():
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


def require_tool(name: str, how_to_enable: str) -> str:
    """Return the path of command ``name``, or skip/fail the test as ``unavailable`` says."""
    path = shutil.which(name)
    if path is None:
        unavailable(f"'{name}' is not installed", how_to_enable)
    return path


def require_root(how_to_enable: str) -> None:
    if os.geteuid() != 0:
        unavailable("this tier needs root", how_to_enable)
