"""A serverless API: API Gateway -> Lambda -> DynamoDB, no VPC, one top-level stack."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

HANDLER = """
def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
"""


def build(outdir: Path) -> Path:
    app = App(outdir=str(outdir))
    stack = Stack(app, "NotesApi")
    table = dynamodb.Table(
        stack,
        "Notes",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        removal_policy=RemovalPolicy.DESTROY,
    )
    function = lambda_.Function(
        stack,
        "NotesHandler",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline(HANDLER),
        environment={"TABLE_NAME": table.table_name},
    )
    table.grant_read_write_data(function)
    apigateway.LambdaRestApi(stack, "NotesRestApi", handler=function)
    app.synth()
    return outdir
