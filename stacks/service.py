"""Service: the app's containers on ECS Fargate behind an Application Load Balancer.

This stack is stackplan's answer to "orchestration planning": each duty an orchestrator has is
one setting below, marked with a comment that names it.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_servicediscovery as servicediscovery
from constructs import Construct

from stacks.acknowledge import acknowledge
from stacks.config import APP_PORT, HEALTH_CHECK_PATH, EnvironmentConfig
from stacks.database import DATABASE_PORT
from stacks.dns import DnsStack, alias_to
from stacks.naming import log_removal_policy, log_retention, uploads_bucket_name

CONTAINER_NAME = "web"


class ServiceStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        repository: ecr.IRepository,
        image_tag: str,
        database: rds.DatabaseCluster,
        uploads: s3.IBucket,
        access_logs: s3.IBucket,
        dns: DnsStack | None,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)

        # Provisioning hosts: Fargate supplies the machines; dev runs on cheaper, interruptible Spot.
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            enable_fargate_capacity_providers=True,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
            # Linking containers through agreed interfaces: services find each other by name
            # in this Cloud Map namespace through Service Connect, never by IP address.
            default_cloud_map_namespace=ecs.CloudMapNamespaceOptions(
                name=f"{config.name}.stackplan.internal",
                type=servicediscovery.NamespaceType.HTTP,
                use_for_service_connect=True,
            ),
        )

        # Instantiating a set of containers: the task definition is the unit ECS starts.
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            cpu=config.task_cpu,
            memory_limit_mib=config.task_memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        log_group = logs.LogGroup(
            self,
            "WebLogs",
            retention=log_retention(config),
            removal_policy=log_removal_policy(config),
        )
        health_url = f"http://127.0.0.1:{APP_PORT}{HEALTH_CHECK_PATH}"
        self.container = self.task_definition.add_container(
            CONTAINER_NAME,
            image=ecs.ContainerImage.from_ecr_repository(repository, image_tag),
            port_mappings=[ecs.PortMapping(container_port=APP_PORT, name=CONTAINER_NAME)],
            environment={"APP_ENV": config.name, "UPLOAD_BUCKET": uploads.bucket_name},
            # The whole generated secret (host, port, username, password, dbname) as one JSON
            # variable; ECS fetches it at task start, so it never appears in the template.
            secrets={"DB_SECRET": ecs.Secret.from_secrets_manager(database.secret)},
            logging=ecs.LogDriver.aws_logs(stream_prefix=CONTAINER_NAME, log_group=log_group),
            # Rescheduling failed containers (1/2): a container failing this check is replaced.
            health_check=ecs.HealthCheck(
                command=[
                    "CMD",
                    "python3",
                    "-c",
                    f"import urllib.request; urllib.request.urlopen('{health_url}', timeout=3)",
                ],
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                retries=3,
                start_period=Duration.seconds(30),
            ),
        )
        # Least privilege: the app reads, writes and deletes objects in its bucket, nothing else.
        uploads_objects = f"arn:{self.partition}:s3:::{uploads_bucket_name(config)}/*"
        self.task_definition.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                resources=[uploads_objects],
            )
        )
        acknowledge(
            self.task_definition.task_role.node.find_child("DefaultPolicy"),
            f"AwsSolutions-IAM5[Resource::{uploads_objects}]",
            "Object keys are created by the app at run time, so the object ARN ends in '/*'; "
            "the actions are limited to get, put and delete on this one bucket.",
        )
        acknowledge(
            self.task_definition.execution_role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions, so ECS's image pull "
            "needs Resource '*' for it; pulls themselves are scoped to the repository.",
        )
        acknowledge(
            self.task_definition,
            "AwsSolutions-ECS2",
            "APP_ENV and UPLOAD_BUCKET are not secrets; the database credentials arrive through "
            "the ECS secret DB_SECRET, never as a plain environment variable.",
        )

        # Tasks may only open HTTPS connections (ECR, Secrets Manager, S3, CloudWatch Logs through
        # the NAT) and, below, MySQL to the database; everything else outbound is refused.
        self.security_group = ec2.SecurityGroup(
            self, "ServiceSecurityGroup", vpc=vpc, allow_all_outbound=False, description="stackplan web tasks"
        )
        self.security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs")
        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=self.cluster,
            task_definition=self.task_definition,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[self.security_group],
            capacity_provider_strategies=[
                ecs.CapacityProviderStrategy(
                    capacity_provider="FARGATE_SPOT" if config.use_fargate_spot else "FARGATE",
                    weight=1,
                )
            ],
            # Rescheduling failed containers (2/2): a deployment whose tasks keep failing is
            # stopped and rolled back to the last working task definition.
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=Duration.seconds(60),
            service_connect_configuration=ecs.ServiceConnectProps(
                services=[ecs.ServiceConnectService(port_mapping_name=CONTAINER_NAME, port=APP_PORT)],
            ),
        )
        # Only this service's tasks may open a connection to the database. Written from the
        # service's side so the rule lives in this stack and the database stack stays upstream.
        self.service.connections.allow_to(database, ec2.Port.tcp(DATABASE_PORT), "App tasks to Aurora MySQL")

        # Exposing services outside the cluster: a public load balancer, named by Route 53.
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            drop_invalid_header_fields=True,
        )
        self.load_balancer.log_access_logs(access_logs, prefix="alb")
        acknowledge(
            self.load_balancer,
            "AwsSolutions-EC23",
            "The load balancer is the public entry point: it must accept 80/443 from anywhere; "
            "the tasks behind it accept traffic only from its security group.",
        )
        listener = self._listener(dns)
        self.target_group = listener.add_targets(
            "Web",
            port=APP_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[
                self.service.load_balancer_target(container_name=CONTAINER_NAME, container_port=APP_PORT)
            ],
            deregistration_delay=Duration.seconds(30),
            health_check=elbv2.HealthCheck(
                path=HEALTH_CHECK_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
        )
        if dns is not None:
            alias_to(self, dns, self.load_balancer)

        # Scaling out and in: add tasks under CPU or request load, remove them when it passes.
        scaling = self.service.auto_scale_task_count(
            min_capacity=config.min_tasks, max_capacity=config.max_tasks
        )
        scaling.scale_on_cpu_utilization("CpuScaling", target_utilization_percent=config.cpu_target_percent)
        scaling.scale_on_request_count(
            "RequestScaling", requests_per_target=config.requests_per_target, target_group=self.target_group
        )

    def _listener(self, dns: DnsStack | None) -> elbv2.ApplicationListener:
        if dns is None:
            return self.load_balancer.add_listener("Http", port=80, open=True)
        # With a domain: HTTPS with the ACM certificate, and plain HTTP only redirects to it.
        self.load_balancer.add_redirect(source_port=80, target_port=443)
        return self.load_balancer.add_listener(
            "Https",
            port=443,
            certificates=[dns.certificate],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=True,
        )
