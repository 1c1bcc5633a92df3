#!/usr/bin/env python3
"""The CDK app: `cdk synth` builds dev, staging and prod; `cdk synth -c env=prod` only prod.

Every synth also builds the top-level `Ci` stack (stacks/ci.py: how GitHub Actions may deploy
each environment). It always covers all three environments, whatever `env` selects, so that
deploying it never drops another environment's role.

Context:
  env=NAME          synthesize one environment (dev, staging or prod) instead of all three
  image_tag=TAG     the app image to run (CI passes the git SHA); without it a placeholder tag
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from stacks import config
from stacks.ci import CiStack
from stacks.stage import DeploymentStage


def build(app: cdk.App) -> list[DeploymentStage]:
    """Add one Stage per selected environment and the Ci stack to ``app``, checked by cdk-nag."""
    # Validate all input first: a typo fails here, before any stack is built.
    environments = config.select(app.node.try_get_context("env"))
    image_tag = config.image_tag(app.node.try_get_context("image_tag"))

    if image_tag == config.PLACEHOLDER_IMAGE_TAG:
        print(
            f"stackplan: no image_tag in context; the service runs the placeholder tag "
            f"'{image_tag}', which is never pushed. Deploys pass -c image_tag=<git sha>.",
            file=sys.stderr,
        )
    github_repository = config.github_repository(config.GITHUB_REPOSITORY)

    stages = [DeploymentStage(app, config=environment, image_tag=image_tag) for environment in environments]
    build_ci(app, github_repository)
    add_checks(app)
    return stages


def build_ci(app: cdk.App, github_repository: str) -> CiStack:
    """The `Ci` stack, in the account and region of the first environment (one OIDC provider)."""
    environments = list(config.ENVIRONMENTS.values())
    home = environments[0]
    ci = CiStack(
        app,
        "Ci",
        github_repository=github_repository,
        environments=environments,
        env=cdk.Environment(account=home.account, region=home.region),
    )
    cdk.Tags.of(ci).add("project", "stackplan")
    return ci


def add_checks(app: cdk.App) -> None:
    """cdk-nag's AwsSolutions rules run as a validation plugin: any open finding fails synth."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def open_findings(assembly_dir: Path) -> list[str]:
    """Violations that the validation plugins wrote to the assembly's report, one line each."""
    report_file = assembly_dir / "validation-report.json"
    if not report_file.exists():
        return []
    report = json.loads(report_file.read_text())
    return sorted(
        f"{violation['ruleName']} at {construct['constructPath']}: {violation['description']}"
        for plugin in report.get("pluginReports", [])
        if plugin.get("conclusion") == "failure"
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", [])
    )


def main() -> None:
    app = cdk.App()
    try:
        build(app)
    except config.ConfigError as error:
        sys.exit(f"stackplan: {error}")
    assembly = app.synth()
    # The CDK CLI records validation failures in the assembly without failing when no stack is
    # selected (Stages), so the app itself refuses an assembly with open findings.
    findings = open_findings(Path(assembly.directory))
    if findings:
        sys.exit("stackplan: cdk-nag findings are open:\n  " + "\n  ".join(findings))


if __name__ == "__main__":
    main()
