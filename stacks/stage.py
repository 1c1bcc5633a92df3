"""One deployment environment: every stack of stackplan, wired together for one config.

A Stage is a self-contained copy of the application; app.py builds one per environment (dev,
staging, prod) in a single process. Cross-stack references are explicit: each stack receives
the constructs it uses as constructor arguments, so the dependency order reads top to bottom.
"""

from __future__ import annotations

from aws_cdk import Environment, Stage, Tags
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.database import DatabaseStack
from stacks.dns import DnsStack
from stacks.network import NetworkStack
from stacks.registry import RegistryStack
from stacks.service import ServiceStack
from stacks.storage import StorageStack


class DeploymentStage(Stage):
    def __init__(self, scope: Construct, *, config: EnvironmentConfig, image_tag: str) -> None:
        super().__init__(
            scope,
            config.name,
            env=Environment(account=config.account, region=config.region),
        )
        Tags.of(self).add("project", "stackplan")
        Tags.of(self).add("environment", config.name)

        network = NetworkStack(self, "Network", config=config)
        registry = RegistryStack(self, "Registry", config=config)
        storage = StorageStack(self, "Storage", config=config)
        database = DatabaseStack(self, "Database", config=config, vpc=network.vpc)
        dns = DnsStack(self, "Dns", config=config) if config.domain_name else None
        self.service = ServiceStack(
            self,
            "Service",
            config=config,
            vpc=network.vpc,
            repository=registry.repository,
            image_tag=image_tag,
            database=database.cluster,
            uploads=storage.uploads,
            access_logs=storage.access_logs,
            dns=dns,
        )
