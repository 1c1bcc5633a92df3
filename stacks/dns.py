"""DNS: the environment's public name (Amazon Route 53) and its TLS certificate (ACM).

The hosted zone answers for the configured domain; the certificate is validated through a DNS
record in that zone, so HTTPS needs no manual step once the parent domain delegates to the
zone's name servers. The alias record pointing the name at the load balancer is created by the
service stack (``alias_to``), because the load balancer lives there.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from constructs import Construct

from stacks.config import EnvironmentConfig


class DnsStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        if not config.domain_name:
            raise ValueError(f"{config.name}: DnsStack needs domain_name to be set")
        self.domain_name = config.domain_name

        self.zone = route53.PublicHostedZone(self, "Zone", zone_name=config.domain_name)
        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=config.domain_name,
            validation=acm.CertificateValidation.from_dns(self.zone),
        )


def alias_to(
    scope: Construct, dns: DnsStack, load_balancer: elbv2.IApplicationLoadBalancer
) -> route53.ARecord:
    """Point the environment's domain (zone apex) at the load balancer with an alias record."""
    return route53.ARecord(
        scope,
        "AliasRecord",
        zone=dns.zone,
        target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(load_balancer)),
        comment="The public name of the service: an alias to the Application Load Balancer",
    )
