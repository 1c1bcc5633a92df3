"""The Ci stack, the deploy workflow and .ci/deploy agree, and each role can do only its job.

Trust is what keeps stored keys unnecessary: every role must insist on GitHub's token issuer,
the STS audience and one exact subject (this repository, and the main branch or one GitHub
environment). The permissions are read from the real template of the shared synthesis.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk.assertions import Annotations, Match, Template

import app as stackplan_app
from stacks import config
from stacks.ci import CDK_QUALIFIER, GITHUB_OIDC_HOST, STS_AUDIENCE
from stacks.config import ENVIRONMENTS, GITHUB_REPOSITORY, ConfigError
from stacks.naming import repository_name
from tests.support.synth import ROOT

NAMES = list(ENVIRONMENTS)  # dev, staging, prod: the promotion order


def resources(template: dict, resource_type: str) -> dict[str, dict]:
    return {key: r for key, r in template["Resources"].items() if r["Type"] == resource_type}


def role_id(template: dict, prefix: str) -> str:
    (key,) = [key for key in resources(template, "AWS::IAM::Role") if key.startswith(prefix)]
    return key


def statements(template: dict, role: str) -> list[dict]:
    """The permission statements of the policies attached to ``role``."""
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def allowed(template: dict, role: str) -> dict[str, set[str]]:
    """{resource: actions} that ``role`` may use."""
    result: dict[str, set[str]] = {}
    for statement in statements(template, role):
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        targets = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for target in targets:
            result.setdefault(target, set()).update(actions)
    return result


def repository_arn(name: str) -> str:
    environment = ENVIRONMENTS[name]
    return f"arn:aws:ecr:{environment.region}:{environment.account}:repository/{repository_name(environment)}"


# --- the identity provider and the trust of every role -----------------------------------------


def test_github_is_the_identity_provider_for_the_sts_audience(ci_template):
    Template.from_json(ci_template).has_resource_properties(
        "AWS::IAM::OIDCProvider",
        {"Url": f"https://{GITHUB_OIDC_HOST}", "ClientIdList": [STS_AUDIENCE]},
    )


@pytest.mark.parametrize(
    ("role", "subject"),
    [("ImagePublishRole", f"repo:{GITHUB_REPOSITORY}:ref:refs/heads/main")]
    + [(f"DeployRole{name.capitalize()}", f"repo:{GITHUB_REPOSITORY}:environment:{name}") for name in NAMES],
)
def test_each_role_trusts_one_exact_subject_of_this_repository(ci_template, role, subject):
    (provider,) = resources(ci_template, "AWS::IAM::OIDCProvider")
    trust = ci_template["Resources"][role_id(ci_template, role)]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"] == [
        {
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Effect": "Allow",
            "Principal": {"Federated": {"Ref": provider}},
            # StringEquals, never StringLike: no wildcard can widen the subject.
            "Condition": {
                "StringEquals": {
                    f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
                    f"{GITHUB_OIDC_HOST}:sub": subject,
                }
            },
        }
    ]


def test_no_two_roles_share_a_subject(ci_template):
    subjects = [
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"][
            f"{GITHUB_OIDC_HOST}:sub"
        ]
        for role in resources(ci_template, "AWS::IAM::Role").values()
    ]
    assert len(subjects) == len(set(subjects)) == 1 + len(NAMES)


# --- what each role may do ----------------------------------------------------------------------


def test_the_publish_role_may_only_push_to_the_first_registry(ci_template):
    permissions = allowed(ci_template, role_id(ci_template, "ImagePublishRole"))
    assert permissions.keys() == {"*", repository_arn("dev")}
    assert permissions["*"] == {"ecr:GetAuthorizationToken"}
    assert {"ecr:PutImage", "ecr:UploadLayerPart"} <= permissions[repository_arn("dev")]
    assert not any(action.startswith("sts:") for actions in permissions.values() for action in actions)


@pytest.mark.parametrize("name", NAMES)
def test_a_deploy_role_assumes_only_its_own_environments_bootstrap_roles(ci_template, name):
    environment = ENVIRONMENTS[name]
    permissions = allowed(ci_template, role_id(ci_template, f"DeployRole{name.capitalize()}"))
    assumable = {target for target, actions in permissions.items() if "sts:AssumeRole" in actions}
    assert assumable == {
        f"arn:aws:iam::{environment.account}:role/cdk-{CDK_QUALIFIER}-{kind}-role-"
        f"{environment.account}-{environment.region}"
        for kind in ("deploy", "file-publishing", "lookup")
    }


@pytest.mark.parametrize("name", NAMES)
def test_a_deploy_role_promotes_only_from_the_previous_environment(ci_template, name):
    permissions = allowed(ci_template, role_id(ci_template, f"DeployRole{name.capitalize()}"))
    registries = {target: actions for target, actions in permissions.items() if ":ecr:" in target}
    position = NAMES.index(name)
    if position == 0:
        assert registries == {} and "*" not in permissions, "dev runs the image the build job pushed"
        return
    previous = repository_arn(NAMES[position - 1])
    assert registries.keys() == {previous, repository_arn(name)}
    assert "ecr:PutImage" not in registries[previous], "the source registry is read-only"
    assert "ecr:PutImage" in registries[repository_arn(name)]
    assert permissions["*"] == {"ecr:GetAuthorizationToken"}


def test_registry_arns_match_the_repositories_the_registry_stacks_create(templates):
    for name in NAMES:
        (repository,) = resources(templates[name]["Registry"], "AWS::ECR::Repository").values()
        assert repository["Properties"]["RepositoryName"] == repository_name(ENVIRONMENTS[name])


def test_only_the_ecr_login_uses_a_wildcard(ci_template):
    for role in resources(ci_template, "AWS::IAM::Role"):
        for statement in statements(ci_template, role):
            if "*" in json.dumps(statement["Resource"]):
                assert statement == {
                    "Action": "ecr:GetAuthorizationToken",
                    "Effect": "Allow",
                    "Resource": "*",
                }


def test_the_role_arns_are_outputs_for_the_github_variables(ci_template):
    assert sorted(ci_template["Outputs"]) == sorted(
        ["ImagePublishRoleArn"] + [f"DeployRoleArn{name.capitalize()}" for name in NAMES]
    )


def test_ci_acknowledges_only_the_ecr_login_wildcard(cloud_assembly):
    metadata = json.loads((cloud_assembly / "Ci.metadata.json").read_text())
    acknowledged = {
        (path, key.split("::", 1)[-1])
        for path, entries in metadata.items()
        for entry in entries
        if entry["type"] == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for key in entry["data"]
        if "AwsSolutions-" in key
    }
    assert acknowledged == {
        (f"/Ci/{role}/DefaultPolicy", "AwsSolutions-IAM5[Resource::*]")
        for role in ["ImagePublishRole"] + [f"DeployRole{name.capitalize()}" for name in NAMES[1:]]
    }


def test_cfn_lint_is_clean_on_the_ci_template(cloud_assembly):
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("cfn-lint")),
            "--config-file",
            str(ROOT / ".cfnlintrc.yaml"),
            "--",
            str(cloud_assembly / "Ci.template.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the repository setting ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["stackplan", "owner/", "-owner/stackplan", "owner/stack/plan", "a b/c"])
def test_a_malformed_repository_names_the_field_and_value(value):
    with pytest.raises(ConfigError, match=rf"github_repository={value!r} is invalid; expected OWNER/NAME"):
        config.github_repository(value)


def test_the_placeholder_owner_warns_at_synth():
    app = cdk.App()
    ci = stackplan_app.build_ci(app, "OWNER/stackplan")
    Annotations.from_stack(ci).has_warning("/Ci", Match.string_like_regexp("placeholder 'OWNER/stackplan'"))
    real = stackplan_app.build_ci(cdk.App(), "octo-org/stackplan")
    assert Annotations.from_stack(real).find_warning("*", Match.any_value()) == []


def test_ci_covers_every_environment_whatever_env_selects():
    """Deploying Ci after `-c env=prod` must not drop the dev and staging roles."""
    app = cdk.App(context={"env": "prod"})
    template = Template.from_stack(stackplan_app.build_ci(app, "octo-org/stackplan"))
    template.resource_count_is("AWS::IAM::Role", 1 + len(NAMES))


# --- the deploy workflow uses the roles as the trust expects -------------------------------------


@pytest.fixture(scope="module")
def deploy_workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())


def test_deploy_runs_on_main_and_by_hand_with_oidc(deploy_workflow):
    assert deploy_workflow[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}  # `on:`
    assert deploy_workflow["permissions"] == {"id-token": "write", "contents": "read"}


def test_deploy_jobs_run_in_order_each_in_its_github_environment(deploy_workflow):
    jobs = deploy_workflow["jobs"]
    assert "environment" not in jobs["build"], "the build job's subject is the main branch"
    previous = "build"
    for name in NAMES:
        job = jobs[f"deploy-{name}"]
        assert job["environment"] == name and job["needs"] == previous
        runs = [step.get("run", "") for step in job["steps"]]
        assert f'.ci/deploy {name} "$IMAGE_TAG"' in runs
        previous = f"deploy-{name}"
    assert deploy_workflow["env"]["IMAGE_TAG"] == "${{ github.sha }}"


def test_actions_are_pinned_to_commit_shas():
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    reference = step["uses"].split("@")[1]
                    assert len(reference) == 40 and int(reference, 16) >= 0, (workflow.name, step["uses"])


# --- the CI configs stay thin: the one set-up script and the make targets ------------------------


def test_github_and_travis_run_the_setup_script_and_the_same_make_targets():
    tiers = {"test-static", "test-docker", "test-ansible", "test-vm"}
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    for job in workflow["jobs"].values():
        runs = [step.get("run", "") for step in job["steps"]]
        assert ".ci/install-system" in runs
    matrix = workflow["jobs"]["integration"]["strategy"]["matrix"]["tier"]
    github_targets = {"test-static"} | {f"test-{tier}" for tier in matrix}
    assert github_targets == tiers

    travis = yaml.safe_load((ROOT / ".travis.yml").read_text())
    assert travis["install"] == [".ci/install-system"]
    travis_targets = {
        re.search(r"make (test-[a-z]+)$", job["script"]).group(1) for job in travis["jobs"]["include"]
    }
    assert travis_targets == tiers


# --- .ci/deploy: bad input stops at once, before any synthesis ----------------------------------


def deploy(tmp_path: Path, *arguments: str) -> tuple[subprocess.CompletedProcess, list[str] | None]:
    """Run .ci/deploy with a stand-in CDK CLI that records its arguments instead of deploying."""
    record = tmp_path / "cdk-arguments.json"
    stand_in = tmp_path / "cdk"
    stand_in.write_text(
        f"#!{sys.executable}\nimport json, pathlib, sys\n"
        f"pathlib.Path({str(record)!r}).write_text(json.dumps(sys.argv[1:]))\n"
    )
    stand_in.chmod(0o755)
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "deploy"), *arguments],
        env={**os.environ, "CDK": str(stand_in)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result, json.loads(record.read_text()) if record.exists() else None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "deploy: no environment given"),
        (("dev",), "deploy: no image tag given for dev"),
        (("dev", ""), "deploy: no image tag given for dev"),
        (("qa", "3f2a9c1"), "deploy: unknown environment 'qa'; choose one of dev, staging, prod"),
        (("prod", "latest"), "deploy: image_tag='latest' is invalid"),
        (("prod", config.PLACEHOLDER_IMAGE_TAG), "is the synth placeholder"),
    ],
)
def test_deploy_refuses_bad_input_before_running_cdk(tmp_path, arguments, message):
    result, cdk_arguments = deploy(tmp_path, *arguments)
    assert result.returncode == 2
    assert message in result.stderr
    assert cdk_arguments is None, "the CDK CLI must not start"


def test_deploy_passes_environment_and_tag_and_selects_only_that_stage(tmp_path):
    result, cdk_arguments = deploy(tmp_path, "staging", "3f2a9c1")
    assert result.returncode == 0, result.stderr
    assert cdk_arguments[:2] == ["deploy", "staging/*"]
    assert ["--context", "env=staging", "--context", "image_tag=3f2a9c1"] == cdk_arguments[2:6]
    assert "--require-approval" in cdk_arguments
