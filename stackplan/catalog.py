"""What each CloudFormation resource type looks like in a diagram, and which types are folded.

Icons are paths inside the icon set of the ``diagrams`` package (mingrammer/diagrams, MIT):
the official AWS architecture icons plus on-premises tool logos. Types missing here are drawn
as a generic node labelled with their type name: an unknown type never stops a diagram.
"""

from __future__ import annotations

# type -> (label, icon)
TYPES: dict[str, tuple[str, str]] = {
    "AWS::ApiGateway::RestApi": ("API Gateway REST API", "aws/network/api-gateway.png"),
    "AWS::ApiGatewayV2::Api": ("API Gateway HTTP API", "aws/network/api-gateway.png"),
    "AWS::ApplicationAutoScaling::ScalableTarget": (
        "Auto Scaling",
        "aws/compute/application-auto-scaling.png",
    ),
    "AWS::AutoScaling::AutoScalingGroup": ("Auto Scaling group", "aws/compute/ec2-auto-scaling.png"),
    "AWS::CertificateManager::Certificate": ("ACM certificate", "aws/security/certificate-manager.png"),
    "AWS::CloudFront::Distribution": ("CloudFront distribution", "aws/network/cloudfront.png"),
    "AWS::DynamoDB::Table": ("DynamoDB table", "aws/database/dynamodb-table.png"),
    "AWS::DynamoDB::GlobalTable": ("DynamoDB global table", "aws/database/dynamodb-table.png"),
    "AWS::EC2::Instance": ("EC2 instance", "aws/compute/ec2-instance.png"),
    "AWS::EC2::InternetGateway": ("Internet gateway", "aws/network/internet-gateway.png"),
    "AWS::EC2::NatGateway": ("NAT gateway", "aws/network/nat-gateway.png"),
    "AWS::EC2::VPCEndpoint": ("VPC endpoint", "aws/network/endpoint.png"),
    "AWS::ECR::Repository": ("ECR repository", "aws/compute/ec2-container-registry.png"),
    "AWS::ECS::Cluster": ("ECS cluster", "aws/compute/elastic-container-service.png"),
    "AWS::ECS::Service": ("ECS service", "aws/compute/fargate.png"),
    "AWS::ECS::TaskDefinition": ("ECS task definition", "aws/compute/elastic-container-service-task.png"),
    "AWS::EFS::FileSystem": ("EFS file system", "aws/storage/elastic-file-system-efs.png"),
    "AWS::ElastiCache::CacheCluster": ("ElastiCache", "aws/database/elasticache.png"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (
        "Application Load Balancer",
        "aws/network/elb-application-load-balancer.png",
    ),
    "AWS::Events::Rule": ("EventBridge rule", "aws/integration/eventbridge.png"),
    "AWS::KMS::Key": ("KMS key", "aws/security/key-management-service.png"),
    "AWS::Lambda::Function": ("Lambda function", "aws/compute/lambda-function.png"),
    "AWS::RDS::DBCluster": ("Aurora cluster", "aws/database/aurora.png"),
    "AWS::RDS::DBInstance": ("RDS instance", "aws/database/rds-instance.png"),
    "AWS::Route53::HostedZone": ("Route 53 hosted zone", "aws/network/route-53-hosted-zone.png"),
    "AWS::S3::Bucket": ("S3 bucket", "aws/storage/simple-storage-service-s3-bucket.png"),
    "AWS::SecretsManager::Secret": ("Secrets Manager secret", "aws/security/secrets-manager.png"),
    "AWS::ServiceDiscovery::HttpNamespace": ("Cloud Map namespace", "aws/network/cloud-map.png"),
    "AWS::ServiceDiscovery::PrivateDnsNamespace": ("Cloud Map namespace", "aws/network/cloud-map.png"),
    "AWS::ServiceDiscovery::Service": ("Cloud Map service", "aws/network/cloud-map.png"),
    "AWS::SNS::Topic": ("SNS topic", "aws/integration/simple-notification-service-sns-topic.png"),
    "AWS::SQS::Queue": ("SQS queue", "aws/integration/simple-queue-service-sqs-queue.png"),
    "AWS::SSM::Parameter": ("SSM parameter", "aws/management/systems-manager-parameter-store.png"),
    "AWS::StepFunctions::StateMachine": ("Step Functions", "aws/integration/step-functions.png"),
    "AWS::WAFv2::WebACL": ("WAF web ACL", "aws/security/waf.png"),
}
GENERIC_ICON = "aws/general/general.png"

# Types drawn as groups, not nodes.
GROUP_TYPES = {"AWS::EC2::VPC", "AWS::EC2::Subnet"}

# Types folded by default: never a node of their own. What they say survives as an edge or a
# note on the node they belong to (policies become "reads secret" edges, security-group rules
# become "may connect" edges, a task definition lends its image and secrets to its service...).
# `stackplan diagrams --show TYPE` draws one of them as a node after all.
FOLDED = {
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Stage",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::CDK::Metadata",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::EC2::EIP",
    "AWS::EC2::FlowLog",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::ECS::TaskDefinition",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Permission",
    "AWS::Lambda::Version",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBSubnetGroup",
    "AWS::Route53::RecordSet",
    "AWS::S3::BucketPolicy",
    "AWS::SecretsManager::RotationSchedule",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::ServiceDiscovery::Service",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
}

# Services that live outside any region in the console and in AWS's diagrams.
GLOBAL_TYPES = {
    "AWS::CloudFront::Distribution",
    "AWS::Route53::HostedZone",
    "AWS::WAFv2::WebACL",
}

# IAM action prefixes -> the verb an edge shows for a grant.
GRANT_VERBS = [
    ("ecr:", "pulls image"),
    ("secretsmanager:GetSecretValue", "reads secret"),
    ("ssm:GetParameter", "reads parameter"),
    ("kms:Decrypt", "decrypts"),
    ("s3:Put", "writes"),
    ("s3:Delete", "writes"),
    ("s3:Get", "reads"),
    ("s3:List", "reads"),
    ("dynamodb:PutItem", "writes"),
    ("dynamodb:UpdateItem", "writes"),
    ("dynamodb:BatchWriteItem", "writes"),
    ("dynamodb:GetItem", "reads"),
    ("dynamodb:Query", "reads"),
    ("sqs:ReceiveMessage", "consumes"),
    ("sqs:SendMessage", "sends"),
    ("sns:Publish", "publishes"),
    ("lambda:InvokeFunction", "invokes"),
    ("rds-db:connect", "connects"),
]

# Property names whose references get a short label when no rule says more.
PROPERTY_LABELS = {
    "LoggingConfiguration": "access logs",
    "KmsKeyId": "encrypts",
    "KMSKeyId": "encrypts",
    "DeadLetterConfig": "dead letters",
    "Certificates": "TLS certificate",
    "ViewerCertificate": "TLS certificate",
    "Origins": "origin",
    "ServiceConnectConfiguration": "Service Connect",
    "ServiceRegistries": "registers",
    "DefaultCloudMapNamespace": "namespace",
    "LoadBalancerAttributes": "access logs",
    "ServiceConnectDefaults": "Service Connect",
    "DomainValidationOptions": "DNS validation",
    "MasterUserPassword": "credentials",
    "MasterUserSecret": "credentials",
}


def describe(resource_type: str) -> tuple[str, str]:
    """(label, icon) for a type; a generic node for types this catalog does not know."""
    if resource_type in TYPES:
        return TYPES[resource_type]
    if resource_type.startswith("Custom::"):
        return (resource_type.removeprefix("Custom::"), GENERIC_ICON)
    parts = resource_type.split("::")
    return (" ".join(parts[1:]) if len(parts) == 3 else resource_type, GENERIC_ICON)
