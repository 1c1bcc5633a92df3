"""The deployment environments: one typed, validated description of dev, staging and prod.

Everything that differs between environments lives here and nowhere else; the stacks receive
an ``EnvironmentConfig`` as a constructor argument and never look up an environment by name.
The values follow what real teams do: dev is cheap and disposable, staging is a smaller copy of
prod, prod is sized for high availability and protects its data.

Account and region come from the usual CDK variables (``CDK_DEFAULT_ACCOUNT`` and
``CDK_DEFAULT_REGION``, which the CDK CLI sets from your AWS credentials); without them the
offline defaults below let ``cdk synth`` run with no credentials and no network (the CLI falls
back to us-east-1 itself when no region is configured, so a direct run uses the same default).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

OFFLINE_ACCOUNT = "123456789012"
OFFLINE_REGION = "us-east-1"  # the region the CDK CLI assumes when none is configured

# The app image listens here and answers these paths; docker/web/ implements the same contract.
APP_PORT = 8000
HEALTH_CHECK_PATH = "/health"

# Values CloudWatch Logs accepts for a retention period, in days.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
# Fargate task sizes: CPU units -> the memory sizes (MiB) allowed with them.
FARGATE_SIZES = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
}
REMOVAL_POLICIES = ("destroy", "snapshot", "retain")
NAT_KINDS = ("instance", "gateway")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class ConfigError(ValueError):
    """An environment name or setting is not valid; the message names the field and value."""


@dataclass(frozen=True)
class EnvironmentConfig:
    name: str
    # Network
    vpc_cidr: str
    max_azs: int
    nat: str  # "instance": one small EC2 NAT instance (cheap); "gateway": managed NAT gateways
    nat_count: int
    # Service (ECS on Fargate)
    task_cpu: int
    task_memory_mib: int
    min_tasks: int
    max_tasks: int
    use_fargate_spot: bool
    cpu_target_percent: int
    requests_per_target: int
    # Database (Aurora MySQL Serverless v2); capacity in Aurora capacity units (ACU)
    db_min_acu: float
    db_max_acu: float
    db_readers: int
    db_backup_days: int
    deletion_protection: bool
    removal_policy: str
    # Observability and naming
    log_retention_days: int
    domain_name: str | None
    account: str = field(default_factory=lambda: os.environ.get("CDK_DEFAULT_ACCOUNT", OFFLINE_ACCOUNT))
    region: str = field(default_factory=lambda: os.environ.get("CDK_DEFAULT_REGION", OFFLINE_REGION))

    def __post_init__(self) -> None:
        self._check(self.max_azs in (1, 2, 3), "max_azs", self.max_azs, "1, 2 or 3")
        self._check(self.nat in NAT_KINDS, "nat", self.nat, " or ".join(NAT_KINDS))
        self._check(
            1 <= self.nat_count <= self.max_azs,
            "nat_count",
            self.nat_count,
            f"between 1 and max_azs ({self.max_azs})",
        )
        self._check(
            self.task_cpu in FARGATE_SIZES, "task_cpu", self.task_cpu, ", ".join(map(str, FARGATE_SIZES))
        )
        allowed_memory = FARGATE_SIZES.get(self.task_cpu, ())
        self._check(
            self.task_memory_mib in allowed_memory,
            "task_memory_mib",
            self.task_memory_mib,
            f"one of {', '.join(map(str, allowed_memory))} for task_cpu {self.task_cpu}",
        )
        self._check(self.min_tasks >= 1, "min_tasks", self.min_tasks, "at least 1")
        self._check(
            self.max_tasks >= self.min_tasks,
            "max_tasks",
            self.max_tasks,
            f"at least min_tasks ({self.min_tasks})",
        )
        self._check(
            0 <= self.db_min_acu <= 256 and float(self.db_min_acu * 2).is_integer(),
            "db_min_acu",
            self.db_min_acu,
            "0 to 256 in steps of 0.5 (0 lets Aurora pause)",
        )
        self._check(
            self.db_max_acu >= max(self.db_min_acu, 1) and self.db_max_acu <= 256,
            "db_max_acu",
            self.db_max_acu,
            f"at least db_min_acu ({self.db_min_acu}) and 1, at most 256",
        )
        self._check(0 <= self.db_readers <= 15, "db_readers", self.db_readers, "0 to 15")
        self._check(1 <= self.db_backup_days <= 35, "db_backup_days", self.db_backup_days, "1 to 35")
        self._check(
            self.removal_policy in REMOVAL_POLICIES,
            "removal_policy",
            self.removal_policy,
            ", ".join(REMOVAL_POLICIES),
        )
        self._check(
            self.log_retention_days in LOG_RETENTION_DAYS,
            "log_retention_days",
            self.log_retention_days,
            "a CloudWatch Logs retention such as 7, 30, 90, 365",
        )
        self._check(
            self.domain_name is None or bool(_DOMAIN.match(self.domain_name)),
            "domain_name",
            self.domain_name,
            "a lower-case DNS name such as app.example.com",
        )
        self._check(
            1 <= self.cpu_target_percent <= 100, "cpu_target_percent", self.cpu_target_percent, "1 to 100"
        )
        self._check(
            self.requests_per_target >= 1, "requests_per_target", self.requests_per_target, "at least 1"
        )
        self._check(
            bool(re.fullmatch(r"\d{12}", self.account)), "account", self.account, "a 12-digit AWS account id"
        )
        self._check(
            bool(re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", self.region)),
            "region",
            self.region,
            "an AWS region name such as eu-west-1",
        )

    def _check(self, ok: bool, field_name: str, value: object, expected: str) -> None:
        if not ok:
            raise ConfigError(f"{self.name}: {field_name}={value!r} is invalid; expected {expected}")

    @property
    def availability_zones(self) -> list[str]:
        """Fixed zone names, so synth never asks AWS which zones exist (an offline-safe choice)."""
        return [f"{self.region}{letter}" for letter in "abc"[: self.max_azs]]

    @property
    def is_production(self) -> bool:
        return self.name == "prod"


ENVIRONMENTS: dict[str, EnvironmentConfig] = {
    config.name: config
    for config in (
        EnvironmentConfig(
            name="dev",
            vpc_cidr="10.10.0.0/16",
            max_azs=2,
            nat="instance",
            nat_count=1,
            task_cpu=256,
            task_memory_mib=512,
            min_tasks=1,
            max_tasks=2,
            use_fargate_spot=True,
            cpu_target_percent=70,
            requests_per_target=500,
            db_min_acu=0,
            db_max_acu=2,
            db_readers=0,
            db_backup_days=1,
            deletion_protection=False,
            removal_policy="destroy",
            log_retention_days=7,
            domain_name="dev.stackplan.example.com",
        ),
        EnvironmentConfig(
            name="staging",
            vpc_cidr="10.20.0.0/16",
            max_azs=2,
            nat="gateway",
            nat_count=1,
            task_cpu=512,
            task_memory_mib=1024,
            min_tasks=1,
            max_tasks=4,
            use_fargate_spot=False,
            cpu_target_percent=60,
            requests_per_target=500,
            db_min_acu=0.5,
            db_max_acu=4,
            db_readers=0,
            db_backup_days=7,
            deletion_protection=False,
            removal_policy="snapshot",
            log_retention_days=30,
            domain_name="staging.stackplan.example.com",
        ),
        EnvironmentConfig(
            name="prod",
            vpc_cidr="10.30.0.0/16",
            max_azs=3,
            nat="gateway",
            nat_count=3,
            task_cpu=1024,
            task_memory_mib=2048,
            min_tasks=3,
            max_tasks=12,
            use_fargate_spot=False,
            cpu_target_percent=50,
            requests_per_target=1000,
            db_min_acu=1,
            db_max_acu=16,
            db_readers=1,
            db_backup_days=30,
            deletion_protection=True,
            removal_policy="retain",
            log_retention_days=365,
            domain_name="stackplan.example.com",
        ),
    )
}


def select(env: str | None) -> list[EnvironmentConfig]:
    """The environments to synthesize: all of them, or the one named by ``-c env=NAME``."""
    if env is None:
        return list(ENVIRONMENTS.values())
    if env not in ENVIRONMENTS:
        raise ConfigError(f"unknown environment {env!r}; choose one of {', '.join(ENVIRONMENTS)}")
    return [ENVIRONMENTS[env]]


# Without `-c image_tag=...` (CI passes the git SHA) synth still works, with this tag, which no
# pipeline ever pushes: a deploy that forgot the tag fails visibly instead of running "latest".
PLACEHOLDER_IMAGE_TAG = "no-image-tag-given"
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def image_tag(value: str | None) -> str:
    """Validate the app image tag from context; ``None`` gives the placeholder tag."""
    if value is None:
        return PLACEHOLDER_IMAGE_TAG
    if value == "latest" or not _IMAGE_TAG.match(value):
        raise ConfigError(
            f"image_tag={value!r} is invalid; expected an immutable tag such as the git SHA "
            "(letters, digits, '_', '.', '-', at most 128 characters, not 'latest')"
        )
    return value


# The GitHub repository whose workflows may deploy (stacks/ci.py trusts only it), as OWNER/NAME.
# Replace the placeholder owner with yours before `cdk deploy Ci`; synth warns while it is unset.
GITHUB_REPOSITORY = "OWNER/stackplan"
PLACEHOLDER_GITHUB_OWNER = "OWNER"
# GitHub's rules: an owner is letters, digits and single inner hyphens (at most 39 characters);
# a repository name is letters, digits, '.', '_' and '-' (at most 100).
_GITHUB_REPOSITORY = re.compile(r"^(?=[^/]{1,39}/)[A-Za-z0-9]+(-[A-Za-z0-9]+)*/[A-Za-z0-9._-]{1,100}$")


def github_repository(value: str) -> str:
    """Validate an OWNER/NAME repository; the roles' trust policies are built from it."""
    if not _GITHUB_REPOSITORY.match(value) or value.split("/")[1] in (".", ".."):
        raise ConfigError(
            f"github_repository={value!r} is invalid; expected OWNER/NAME such as octo-org/stackplan"
        )
    return value
