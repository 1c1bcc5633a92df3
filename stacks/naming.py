"""How an environment's removal policy becomes a CDK RemovalPolicy for each kind of resource."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs

from stacks.config import EnvironmentConfig


def data_removal_policy(config: EnvironmentConfig, *, can_snapshot: bool) -> RemovalPolicy:
    """What happens to a data store (database, bucket, repository) when its stack is deleted.

    dev destroys, prod retains; staging snapshots the database and keeps what cannot be
    snapshotted (S3, ECR), because losing staging data silently is worse than a manual clean-up.
    """
    if config.removal_policy == "destroy":
        return RemovalPolicy.DESTROY
    if config.removal_policy == "snapshot" and can_snapshot:
        return RemovalPolicy.SNAPSHOT
    return RemovalPolicy.RETAIN


def log_removal_policy(config: EnvironmentConfig) -> RemovalPolicy:
    """Log groups outlive their stack only in prod, where they are audit evidence."""
    return RemovalPolicy.RETAIN if config.removal_policy == "retain" else RemovalPolicy.DESTROY


_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def log_retention(config: EnvironmentConfig) -> logs.RetentionDays:
    """The environment's CloudWatch Logs retention (config.LOG_RETENTION_DAYS lists the choices)."""
    return _RETENTION[config.log_retention_days]


def uploads_bucket_name(config: EnvironmentConfig) -> str:
    """A fixed, globally unique name, so IAM policies can name the bucket without a reference."""
    return f"stackplan-{config.name}-uploads-{config.account}-{config.region}"


def repository_name(config: EnvironmentConfig) -> str:
    """The environment's ECR repository: created by the registry stack, pushed to by CI."""
    return f"stackplan-{config.name}/web"
