"""Registry: the private image repository the ECS service pulls from (Amazon ECR).

CI builds the image from docker/web/Dockerfile, pushes it here tagged with the git SHA, and the
service stack runs exactly that tag. Tags are immutable, so a tag always means one image.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.naming import data_removal_policy, repository_name

KEEP_TAGGED_IMAGES = 30


class RegistryStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        self.repository = ecr.Repository(
            self,
            "WebRepository",
            repository_name=repository_name(config),
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.AES_256,
            removal_policy=data_removal_policy(config, can_snapshot=False),
            empty_on_delete=config.removal_policy == "destroy",
            lifecycle_rules=[
                ecr.LifecycleRule(
                    description="Drop untagged layers left by rebuilds after a day",
                    tag_status=ecr.TagStatus.UNTAGGED,
                    max_image_age=Duration.days(1),
                    rule_priority=1,
                ),
                ecr.LifecycleRule(
                    description=f"Keep the {KEEP_TAGGED_IMAGES} newest images for rollbacks",
                    tag_status=ecr.TagStatus.ANY,
                    max_image_count=KEEP_TAGGED_IMAGES,
                    rule_priority=2,
                ),
            ],
        )
