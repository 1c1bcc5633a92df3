"""A static website: Route 53 -> CloudFront -> private S3 bucket, with a TLS certificate."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import App, Environment, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3

DOMAIN = "www.example.org"


def build(outdir: Path) -> Path:
    app = App(outdir=str(outdir))
    stack = Stack(app, "Website", env=Environment(account="111111111111", region="us-east-1"))
    site = s3.Bucket(
        stack,
        "SiteBucket",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=True,
    )
    zone = route53.PublicHostedZone(stack, "Zone", zone_name="example.org")
    certificate = acm.Certificate(
        stack,
        "Certificate",
        domain_name=DOMAIN,
        validation=acm.CertificateValidation.from_dns(zone),
    )
    distribution = cloudfront.Distribution(
        stack,
        "Distribution",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(site),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        ),
        domain_names=[DOMAIN],
        certificate=certificate,
        default_root_object="index.html",
    )
    route53.ARecord(
        stack,
        "SiteAlias",
        zone=zone,
        record_name="www",
        target=route53.RecordTarget.from_alias(targets.CloudFrontTarget(distribution)),
    )
    app.synth()
    return outdir
