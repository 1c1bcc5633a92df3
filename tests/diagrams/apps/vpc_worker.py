"""A queue worker in a VPC, in a Stage of two stacks (so references cross stacks).

Network: a VPC over 2 AZs with public, private and isolated subnets and one NAT gateway.
Worker: a Lambda function in the private subnets reading an SQS queue and a PostgreSQL
instance in the isolated subnets that only the function's security group may reach.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import App, Environment, RemovalPolicy, Stack, Stage
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sqs as sqs

HANDLER = "def handler(event, context):\n    return None\n"


def build(outdir: Path) -> Path:
    app = App(outdir=str(outdir))
    stage = Stage(app, "test", env=Environment(account="222222222222", region="eu-west-1"))

    network = Stack(stage, "Network")
    vpc = ec2.Vpc(
        network,
        "Vpc",
        max_azs=2,
        nat_gateways=1,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )

    worker = Stack(stage, "Worker")
    queue = sqs.Queue(worker, "Jobs")
    function = lambda_.Function(
        worker,
        "JobHandler",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline(HANDLER),
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
    )
    function.add_event_source(sources.SqsEventSource(queue))
    database = rds.DatabaseInstance(
        worker,
        "Results",
        engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16),
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        removal_policy=RemovalPolicy.DESTROY,
        delete_automated_backups=True,
        storage_encrypted=True,
    )
    database.connections.allow_default_port_from(function)
    database.secret.grant_read(function)
    app.synth()
    return outdir
