"""cdk-nag AwsSolutions: zero open findings, every acknowledgment narrow and explained."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

import app as stackplan_app
from stacks.config import ENVIRONMENTS


def acknowledgments(cloud_assembly: Path) -> list[tuple[str, str, str]]:
    """(construct path, rule, reason) for every acknowledged AwsSolutions rule in the assembly.

    CDK acknowledges a few of its own CloudFormation-Validate rules too; those are not ours.
    """
    found = []
    for metadata_file in sorted(cloud_assembly.glob("assembly-*/*.metadata.json")):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry["type"] == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                    for key, reason in entry["data"].items():
                        rule = key.split("::", 1)[-1]
                        if rule.startswith("AwsSolutions-"):
                            found.append((path, rule, reason))
    return found


def test_every_environment_synthesizes_with_no_open_finding(cloud_assembly):
    # Synthesis itself raises on an open finding; the report must also be clean.
    report = cloud_assembly / "validation-report.json"
    if report.exists():
        assert stackplan_app.open_findings(cloud_assembly) == []
    assert sorted(p.name for p in cloud_assembly.glob("assembly-*")) == sorted(
        f"assembly-{e}" for e in ENVIRONMENTS
    )


def test_acknowledgments_are_specific_and_never_on_a_whole_stack(cloud_assembly):
    found = acknowledgments(cloud_assembly)
    assert found, "the metadata records acknowledgments"
    for path, rule, reason in found:
        assert len(reason) >= 40 and "todo" not in reason.lower(), (path, reason)
        assert path.count("/") >= 3, f"{rule} is acknowledged on a whole stack or stage: {path}"


def test_prod_acknowledges_fewer_rules_than_dev(cloud_assembly):
    """dev trades protection for cost (NAT instance, no deletion protection); prod does not."""

    def rules(env: str) -> set[str]:
        return {
            rule.split("[")[0]
            for path, rule, _ in acknowledgments(cloud_assembly)
            if path.startswith(f"/{env}/")
        }

    assert "AwsSolutions-RDS10" in rules("dev") and "AwsSolutions-RDS10" not in rules("prod")
    assert {"AwsSolutions-EC26", "AwsSolutions-EC28", "AwsSolutions-EC29"} <= rules("dev")
    assert rules("prod") < rules("dev")


@pytest.fixture(scope="module")
def app_with_a_new_finding() -> cdk.App:
    """The project's checks on an app that gains one non-compliant bucket."""
    app = cdk.App(context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    stack = cdk.Stack(app, "Careless", env=cdk.Environment(account="123456789012", region="eu-west-1"))
    s3.Bucket(stack, "Unprotected")
    stackplan_app.add_checks(app)
    return app


def test_a_new_finding_is_reported_and_refused(app_with_a_new_finding, tmp_path):
    assembly = app_with_a_new_finding.synth()
    findings = stackplan_app.open_findings(Path(assembly.directory))
    assert any(f.startswith("AwsSolutions-S10 at Careless/Unprotected/Resource") for f in findings), findings


def test_a_new_finding_fails_synth_when_run_in_process():
    app = cdk.App()
    stack = cdk.Stack(app, "Careless")
    s3.Bucket(stack, "Unprotected")
    stackplan_app.add_checks(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
