"""Network: the VPC every other stack lives in (Amazon VPC).

Three subnet tiers per availability zone:
- public: only the load balancer and the NAT; reachable from the internet;
- private with egress: the ECS tasks; they reach out (ECR, Secrets Manager) through NAT;
- isolated: the database; no route to or from the internet at all.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.acknowledge import acknowledge
from stacks.config import EnvironmentConfig
from stacks.naming import log_removal_policy, log_retention


class NetworkStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        self._config = config
        super().__init__(scope, construct_id, **kwargs)

        flow_log_group = logs.LogGroup(
            self,
            "FlowLogs",
            retention=log_retention(config),
            removal_policy=log_removal_policy(config),
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(config.vpc_cidr),
            max_azs=config.max_azs,
            nat_gateways=config.nat_count,
            nat_gateway_provider=_nat_provider(config),
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(
                    name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
                ec2.SubnetConfiguration(
                    name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
            # Flow logs record every accepted and rejected connection, for audits and debugging.
            flow_logs={
                "All": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_log_group),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )

        for subnet in self.vpc.public_subnets:
            nat_instance = subnet.node.try_find_child("NatInstance")
            if nat_instance is not None:
                _acknowledge_nat_instance(nat_instance)

    @property
    def availability_zones(self) -> list[str]:
        # Named zones instead of a context lookup: synth needs no AWS credentials or network.
        return self._config.availability_zones


def _nat_provider(config: EnvironmentConfig) -> ec2.NatProvider:
    if config.nat == "gateway":
        return ec2.NatProvider.gateway()
    # A t4g.nano NAT instance costs a few dollars a month instead of a NAT gateway's ~$32 + data.
    return ec2.NatProvider.instance_v2(
        instance_type=ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
        machine_image=ec2.MachineImage.latest_amazon_linux2023(cpu_type=ec2.AmazonLinuxCpuType.ARM_64),
        default_allowed_traffic=ec2.NatTrafficDirection.OUTBOUND_ONLY,
    )


def _acknowledge_nat_instance(nat_instance: Construct) -> None:
    acknowledge(
        nat_instance,
        "AwsSolutions-EC26",
        "The NAT instance only forwards packets; its root volume holds no data to protect.",
    )
    acknowledge(
        nat_instance,
        "AwsSolutions-EC28",
        "Dev-only NAT instance: basic 5-minute metrics are enough and detailed ones cost extra.",
    )
    acknowledge(
        nat_instance,
        "AwsSolutions-EC29",
        "The NAT instance is disposable: CloudFormation recreates it from code, so "
        "termination protection would only block stack updates.",
    )
