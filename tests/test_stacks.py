"""The real synthesized templates of dev, staging and prod embody each concept as configured.

Every expectation is read from stacks/config.py, so these tests also prove that each
environment's settings reach CloudFormation, and the last section pins the differences
between environments that the docs promise.
"""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from stacks.config import APP_PORT, ENVIRONMENTS, HEALTH_CHECK_PATH, PLACEHOLDER_IMAGE_TAG
from stacks.database import DATABASE_PORT
from stacks.naming import uploads_bucket_name


def resources(template: dict, resource_type: str) -> list[dict]:
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


# --- network --------------------------------------------------------------------------------


def test_vpc_has_three_subnet_tiers_in_each_zone(env_name, stack_template, templates):
    config = ENVIRONMENTS[env_name]
    template = stack_template(env_name, "Network")
    template.resource_count_is("AWS::EC2::VPC", 1)
    template.resource_count_is("AWS::EC2::Subnet", 3 * config.max_azs)
    subnets = resources(templates[env_name]["Network"], "AWS::EC2::Subnet")
    tiers = sorted(
        {
            tag["Value"]
            for s in subnets
            for tag in s["Properties"]["Tags"]
            if tag["Key"] == "aws-cdk:subnet-type"
        }
    )
    assert tiers == ["Isolated", "Private", "Public"]
    zones = sorted({s["Properties"]["AvailabilityZone"] for s in subnets})
    assert zones == config.availability_zones, "zones are named, never looked up"


def test_flow_logs_capture_all_traffic(env_name, stack_template):
    template = stack_template(env_name, "Network")
    template.has_resource_properties("AWS::EC2::FlowLog", {"TrafficType": "ALL", "ResourceType": "VPC"})
    template.has_resource_properties(
        "AWS::Logs::LogGroup", {"RetentionInDays": ENVIRONMENTS[env_name].log_retention_days}
    )


def test_nat_matches_the_environment(env_name, stack_template):
    config = ENVIRONMENTS[env_name]
    template = stack_template(env_name, "Network")
    if config.nat == "gateway":
        template.resource_count_is("AWS::EC2::NatGateway", config.nat_count)
        template.resource_count_is("AWS::EC2::Instance", 0)
    else:
        template.resource_count_is("AWS::EC2::NatGateway", 0)
        template.has_resource_properties(
            "AWS::EC2::Instance", {"InstanceType": "t4g.nano", "SourceDestCheck": False}
        )


# --- registry -------------------------------------------------------------------------------


def test_repository_scans_and_keeps_tags_immutable(env_name, stack_template):
    stack_template(env_name, "Registry").has_resource_properties(
        "AWS::ECR::Repository",
        {
            "RepositoryName": f"stackplan-{env_name}/web",
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "ImageTagMutability": "IMMUTABLE",
            "LifecyclePolicy": {"LifecyclePolicyText": Match.string_like_regexp("imageCountMoreThan")},
        },
    )


# --- storage --------------------------------------------------------------------------------


def test_buckets_are_private_encrypted_versioned_and_tls_only(env_name, templates):
    template = templates[env_name]["Storage"]
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 2
    for bucket in buckets:
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ]
    policies = json.dumps(resources(template, "AWS::S3::BucketPolicy"))
    assert policies.count('"aws:SecureTransport": "false"') == 2, "both buckets deny plain HTTP"


def test_uploads_bucket_logs_its_access(env_name, templates):
    uploads = [
        b
        for b in resources(templates[env_name]["Storage"], "AWS::S3::Bucket")
        if "BucketName" in b["Properties"]
    ]
    assert len(uploads) == 1
    assert uploads[0]["Properties"]["LoggingConfiguration"]["LogFilePrefix"] == "s3/uploads/"


# --- database -------------------------------------------------------------------------------


def test_aurora_serverless_v2_sized_per_environment(env_name, stack_template):
    config = ENVIRONMENTS[env_name]
    template = stack_template(env_name, "Database")
    template.has_resource_properties(
        "AWS::RDS::DBCluster",
        {
            "Engine": "aurora-mysql",
            "StorageEncrypted": True,
            "DeletionProtection": config.deletion_protection,
            "BackupRetentionPeriod": config.db_backup_days,
            "Port": DATABASE_PORT,
            "ServerlessV2ScalingConfiguration": Match.object_like(
                {"MinCapacity": config.db_min_acu, "MaxCapacity": config.db_max_acu}
            ),
        },
    )
    template.resource_count_is("AWS::RDS::DBInstance", 1 + config.db_readers)


def test_database_credentials_are_generated_never_written(env_name, templates):
    template = templates[env_name]["Database"]
    secret = resources(template, "AWS::SecretsManager::Secret")[0]["Properties"]
    assert secret["Name"] == f"stackplan/{env_name}/database"
    assert "GenerateSecretString" in secret and "SecretString" not in secret
    password = resources(template, "AWS::RDS::DBCluster")[0]["Properties"]["MasterUserPassword"]
    assert "{{resolve:secretsmanager:" in json.dumps(password)


def test_database_lives_in_isolated_subnets(env_name, templates):
    subnet_group = resources(templates[env_name]["Database"], "AWS::RDS::DBSubnetGroup")[0]["Properties"]
    assert all("isolatedSubnet" in json.dumps(subnet) for subnet in subnet_group["SubnetIds"])


def test_only_the_service_may_connect_to_the_database(env_name, templates):
    database_groups = resources(templates[env_name]["Database"], "AWS::EC2::SecurityGroup")
    assert all("SecurityGroupIngress" not in g["Properties"] for g in database_groups), "no open ingress"
    ingress = [
        rule["Properties"]
        for stack in templates[env_name].values()
        for rule in resources(stack, "AWS::EC2::SecurityGroupIngress")
        if "ClusterSecurityGroup" in json.dumps(rule["Properties"]["GroupId"])
    ]
    assert len(ingress) == 1
    assert ingress[0]["FromPort"] == ingress[0]["ToPort"] == DATABASE_PORT
    assert "ServiceSecurityGroup" in json.dumps(ingress[0]["SourceSecurityGroupId"])
    assert "CidrIp" not in ingress[0]


def test_tasks_may_only_call_https_and_the_database(env_name, templates):
    template = templates[env_name]["Service"]
    (group,) = [
        g
        for key, g in template["Resources"].items()
        if key.startswith("ServiceSecurityGroup") and g["Type"] == "AWS::EC2::SecurityGroup"
    ]
    assert group["Properties"]["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to AWS APIs",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    egress = resources(template, "AWS::EC2::SecurityGroupEgress")
    to_database = [e["Properties"] for e in egress if "ClusterSecurityGroup" in json.dumps(e["Properties"])]
    assert [(e["FromPort"], e["ToPort"]) for e in to_database] == [(DATABASE_PORT, DATABASE_PORT)]


# --- dns ------------------------------------------------------------------------------------


def test_zone_certificate_and_alias(env_name, stack_template):
    domain = ENVIRONMENTS[env_name].domain_name
    dns = stack_template(env_name, "Dns")
    dns.has_resource_properties("AWS::Route53::HostedZone", {"Name": f"{domain}."})
    dns.has_resource_properties(
        "AWS::CertificateManager::Certificate", {"DomainName": domain, "ValidationMethod": "DNS"}
    )
    stack_template(env_name, "Service").has_resource_properties(
        "AWS::Route53::RecordSet",
        {"Name": f"{domain}.", "Type": "A", "AliasTarget": Match.object_like({"DNSName": Match.any_value()})},
    )


# --- service: the six duties of orchestration -----------------------------------------------


def test_provisioning_hosts_fargate_and_spot_in_dev(env_name, stack_template):
    provider = "FARGATE_SPOT" if ENVIRONMENTS[env_name].use_fargate_spot else "FARGATE"
    stack_template(env_name, "Service").has_resource_properties(
        "AWS::ECS::Service", {"CapacityProviderStrategy": [{"CapacityProvider": provider, "Weight": 1}]}
    )


def test_instantiating_containers_task_definition(env_name, templates):
    config = ENVIRONMENTS[env_name]
    task = resources(templates[env_name]["Service"], "AWS::ECS::TaskDefinition")[0]["Properties"]
    assert (task["Cpu"], task["Memory"]) == (str(config.task_cpu), str(config.task_memory_mib))
    (container,) = task["ContainerDefinitions"]
    assert container["PortMappings"][0]["ContainerPort"] == APP_PORT
    image = json.dumps(container["Image"])
    assert "WebRepository" in image and f":{PLACEHOLDER_IMAGE_TAG}" in image and ":latest" not in image
    assert [secret["Name"] for secret in container["Secrets"]] == ["DB_SECRET"]
    assert "ClusterSecretAttachment" in json.dumps(container["Secrets"])
    assert {e["Name"] for e in container["Environment"]} == {"APP_ENV", "UPLOAD_BUCKET"}
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"


def test_task_logs_keep_the_environment_retention(env_name, stack_template):
    stack_template(env_name, "Service").has_resource_properties(
        "AWS::Logs::LogGroup", {"RetentionInDays": ENVIRONMENTS[env_name].log_retention_days}
    )


def test_rescheduling_failed_containers(env_name, stack_template):
    template = stack_template(env_name, "Service")
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "DeploymentConfiguration": Match.object_like(
                {"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}}
            )
        },
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"HealthCheckPath": HEALTH_CHECK_PATH, "Port": APP_PORT, "TargetType": "ip"},
    )
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {"ContainerDefinitions": [Match.object_like({"HealthCheck": Match.object_like({"Retries": 3})})]},
    )


def test_linking_containers_through_service_connect(env_name, stack_template):
    template = stack_template(env_name, "Service")
    template.has_resource_properties(
        "AWS::ServiceDiscovery::HttpNamespace", {"Name": f"{env_name}.stackplan.internal"}
    )
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "ServiceConnectConfiguration": Match.object_like(
                {"Enabled": True, "Services": [Match.object_like({"PortName": "web"})]}
            )
        },
    )


def test_exposing_the_service_https_only(env_name, stack_template):
    template = stack_template(env_name, "Service")
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internet-facing"}
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [Match.any_value()],
            "SslPolicy": Match.any_value(),
        },
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {"Port": 80, "DefaultActions": [Match.object_like({"Type": "redirect"})]},
    )
    template.has_resource_properties(
        "AWS::ECS::Service",
        {"NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})}},
    )


def test_scaling_out_and_in(env_name, stack_template, templates):
    config = ENVIRONMENTS[env_name]
    template = stack_template(env_name, "Service")
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {"MinCapacity": config.min_tasks, "MaxCapacity": config.max_tasks},
    )
    policies = resources(templates[env_name]["Service"], "AWS::ApplicationAutoScaling::ScalingPolicy")
    metrics = sorted(
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
            "PredefinedMetricType"
        ]
        for p in policies
    )
    assert metrics == ["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"]


def test_task_role_may_only_touch_upload_objects(env_name, templates):
    policies = resources(templates[env_name]["Service"], "AWS::IAM::Policy")
    statements = [
        s
        for p in policies
        if "TaskRole" in json.dumps(p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements == [
        {
            "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": f"arn:aws:s3:::{uploads_bucket_name(ENVIRONMENTS[env_name])}/*",
        }
    ]


# --- across the assembly ----------------------------------------------------------------------


def test_no_docker_image_is_built_at_synth(cloud_assembly):
    for assets_file in cloud_assembly.glob("assembly-*/*.assets.json"):
        assert json.loads(assets_file.read_text()).get("dockerImages", {}) == {}, assets_file.name


def test_every_stage_has_the_same_six_stacks(templates):
    assert {env: sorted(stacks) for env, stacks in templates.items()} == {
        env: ["Database", "Dns", "Network", "Registry", "Service", "Storage"] for env in ENVIRONMENTS
    }


@pytest.mark.parametrize(
    ("setting", "dev", "staging", "prod"),
    [
        ("max_azs", 2, 2, 3),
        ("nat", "instance", "gateway", "gateway"),
        ("use_fargate_spot", True, False, False),
        ("db_readers", 0, 0, 1),
        ("deletion_protection", False, False, True),
        ("removal_policy", "destroy", "snapshot", "retain"),
    ],
)
def test_environments_differ_where_teams_make_them_differ(setting, dev, staging, prod):
    assert [getattr(ENVIRONMENTS[name], setting) for name in ("dev", "staging", "prod")] == [
        dev,
        staging,
        prod,
    ]


def test_prod_retains_data_and_dev_does_not(templates):
    def policies(env: str, resource_type: str) -> set[str]:
        return {
            r.get("DeletionPolicy", "Delete")
            for stack in templates[env].values()
            for r in resources(stack, resource_type)
        }

    assert policies("prod", "AWS::RDS::DBCluster") == {"Retain"}
    assert policies("staging", "AWS::RDS::DBCluster") == {"Snapshot"}
    assert policies("dev", "AWS::RDS::DBCluster") == {"Delete"}
    assert policies("prod", "AWS::S3::Bucket") == {"Retain"}
    assert policies("dev", "AWS::S3::Bucket") == {"Delete"}
