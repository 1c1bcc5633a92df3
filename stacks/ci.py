"""CI: how GitHub Actions deploys with no stored AWS keys (OpenID Connect).

A workflow job asks GitHub for a short-lived token signed by GitHub. The token names the
repository and either the branch (``repo:OWNER/NAME:ref:refs/heads/main``) or the GitHub
environment of the job (``repo:OWNER/NAME:environment:prod``) in its ``sub`` claim, and the
audience it is meant for in ``aud``. AWS STS checks the signature with the identity provider
below, checks the claims against the trust policy of the role the job asks for, and returns
credentials that expire within the hour. GitHub stores no secret, so there is none to leak.

Each role can do one job of .github/workflows/deploy.yml and nothing else:
  ImagePublishRole   the build job on main: push the image to the first environment's registry
  DeployRole<Env>    the job of GitHub environment <env>: run `cdk deploy` through the CDK
                     bootstrap roles; after dev, first copy the image in from the previous
                     environment's registry (promotion)
Only a job of the GitHub environment ``prod`` (which waits for a reviewer) can become the prod
role, so AWS enforces the approval gate too, not only GitHub.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Annotations, Arn, ArnComponents, CfnOutput, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.acknowledge import acknowledge
from stacks.config import PLACEHOLDER_GITHUB_OWNER, EnvironmentConfig
from stacks.naming import repository_name

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
MAIN_BRANCH_REF = "refs/heads/main"

# `cdk bootstrap` creates these roles (default qualifier); `cdk deploy` assumes them in turn:
# lookup reads the deployed stacks, file-publishing uploads file assets (the Lambda code of CDK's
# custom resources) and deploy drives CloudFormation. The image-publishing role is left out on
# purpose: the app builds no image asset (the pipeline pushes the image itself).
CDK_QUALIFIER = "hnb659fds"
CDK_BOOTSTRAP_ROLES = ("lookup", "file-publishing", "deploy")

PUSH_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
    "ecr:DescribeImages",
]
PULL_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "ecr:DescribeImages",
]


def subject(repository: str, context: str) -> str:
    """The ``sub`` claim of a GitHub token: ``repo:OWNER/NAME:`` then the branch or environment."""
    return f"repo:{repository}:{context}"


class CiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        github_repository: str,
        environments: Sequence[EnvironmentConfig],
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        if github_repository.split("/")[0] == PLACEHOLDER_GITHUB_OWNER:
            Annotations.of(self).add_warning_v2(
                "stackplan:placeholder-repository",
                f"github_repository is the placeholder {github_repository!r}: set your OWNER/NAME "
                "in stacks/config.py before `cdk deploy Ci`",
            )
        self.github_repository = github_repository

        # One provider per AWS account: AWS trusts tokens that GitHub signs for the STS audience.
        # CloudFormation's own resource type, so no custom-resource Lambda is needed.
        self.provider = iam.OidcProviderNative(
            self,
            "GitHubOidcProvider",
            url=f"https://{GITHUB_OIDC_HOST}",
            client_ids=[STS_AUDIENCE],
        )

        first, *_ = environments
        publish_role = self._role(
            "ImagePublishRole",
            context=f"ref:{MAIN_BRANCH_REF}",
            description=f"GitHub Actions build job on main: pushes the image to {repository_name(first)}",
        )
        self._allow_registry(publish_role, push_to=first)
        CfnOutput(self, "ImagePublishRoleArn", value=publish_role.role_arn)

        previous: EnvironmentConfig | None = None
        for environment in environments:
            role = self._role(
                f"DeployRole{environment.name.capitalize()}",
                context=f"environment:{environment.name}",
                description=f"GitHub Actions job of environment {environment.name}: cdk deploy",
            )
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["sts:AssumeRole"],
                    resources=[self._bootstrap_role_arn(environment, kind) for kind in CDK_BOOTSTRAP_ROLES],
                )
            )
            if previous is not None:
                # Promotion: the image that ran in the previous environment is copied, unchanged,
                # into this environment's registry (.ci/promote-image checks the digest).
                self._allow_registry(role, push_to=environment, pull_from=previous)
            CfnOutput(self, f"DeployRoleArn{environment.name.capitalize()}", value=role.role_arn)
            previous = environment

    def _role(self, construct_id: str, *, context: str, description: str) -> iam.Role:
        """A role only a token for this repository, for ``context``, meant for STS may assume."""
        principal = iam.WebIdentityPrincipal(
            self.provider.oidc_provider_arn,
            conditions={
                "StringEquals": {
                    f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
                    f"{GITHUB_OIDC_HOST}:sub": subject(self.github_repository, context),
                }
            },
        )
        return iam.Role(self, construct_id, assumed_by=principal, description=description)

    def _allow_registry(
        self, role: iam.Role, *, push_to: EnvironmentConfig, pull_from: EnvironmentConfig | None = None
    ) -> None:
        """Let ``role`` log in to ECR, push to one repository and, if given, pull from another."""
        # `docker login` to ECR needs a registry-wide token; it grants nothing by itself: every
        # push or pull is still checked against the repository ARNs of the statements below.
        role.add_to_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
        acknowledge(
            role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions; AWS requires Resource *. "
            "Pushes and pulls are limited to named repository ARNs by the other statements.",
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=PUSH_ACTIONS, resources=[self._repository_arn(push_to)])
        )
        if pull_from is not None:
            role.add_to_policy(
                iam.PolicyStatement(actions=PULL_ACTIONS, resources=[self._repository_arn(pull_from)])
            )

    def _repository_arn(self, environment: EnvironmentConfig) -> str:
        return Arn.format(
            ArnComponents(
                service="ecr",
                resource="repository",
                resource_name=repository_name(environment),
                account=environment.account,
                region=environment.region,
            ),
            self,
        )

    def _bootstrap_role_arn(self, environment: EnvironmentConfig, kind: str) -> str:
        name = f"cdk-{CDK_QUALIFIER}-{kind}-role-{environment.account}-{environment.region}"
        return Arn.format(
            ArnComponents(
                service="iam", resource="role", resource_name=name, account=environment.account, region=""
            ),
            self,
        )
