"""The cloud diagram of one environment, built from its CloudFormation templates.

1. Every resource of every stack of the environment is read, with the references between them
   (Ref, Fn::GetAtt, Fn::Sub, and Fn::ImportValue resolved to the exporting stack).
2. Folded types (catalog.FOLDED) get a host: the node they belong to (a policy belongs to the
   function whose role it is attached to, a target group to its load balancer...).
3. References become edges between hosts, with a meaning: security-group rules "may connect",
   IAM grants "reads secret", an ECR image "pulls image", an alias record points at its target.
4. VPCs and subnets become groups: AWS Cloud > Region > VPC > Availability Zone > subnet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stackplan import catalog
from stackplan.assembly import Environment
from stackplan.model import CALLS, DEPLOYS, MAY_CONNECT, Diagram, Group, Node, slug

INTERNET = "internet"
ANYWHERE = {"0.0.0.0/0", "::/0"}
ENTRY_TYPES = {
    "AWS::ApiGateway::RestApi": "HTTPS",
    "AWS::ApiGatewayV2::Api": "HTTPS",
    "AWS::CloudFront::Distribution": "HTTPS",
    "AWS::Route53::HostedZone": "DNS",
}
# How a folded type finds its host: ("forward", property) follows a reference the resource
# makes; ("reverse", types) takes whoever references it (only those types, if given).
HOST_VIA = {
    "AWS::ApiGateway::Deployment": ("forward", "RestApiId"),
    "AWS::ApiGateway::Method": ("forward", "RestApiId"),
    "AWS::ApiGateway::Resource": ("forward", "RestApiId"),
    "AWS::ApiGateway::Stage": ("forward", "RestApiId"),
    "AWS::ApplicationAutoScaling::ScalableTarget": ("forward", "ResourceId"),
    "AWS::ApplicationAutoScaling::ScalingPolicy": ("forward", "ScalingTargetId"),
    "AWS::CloudFront::CloudFrontOriginAccessIdentity": ("reverse", ""),
    "AWS::CloudFront::OriginAccessControl": ("reverse", ""),
    "AWS::EC2::SecurityGroup": ("reverse", ""),
    "AWS::ECS::ClusterCapacityProviderAssociations": ("forward", "Cluster"),
    "AWS::ECS::TaskDefinition": ("reverse", ""),
    "AWS::ElasticLoadBalancingV2::Listener": ("forward", "LoadBalancerArn"),
    "AWS::ElasticLoadBalancingV2::ListenerCertificate": ("forward", "ListenerArn"),
    "AWS::ElasticLoadBalancingV2::ListenerRule": ("forward", "ListenerArn"),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (
        "reverse",
        "AWS::ElasticLoadBalancingV2::Listener AWS::ElasticLoadBalancingV2::ListenerRule",
    ),
    "AWS::IAM::InstanceProfile": ("reverse", ""),
    "AWS::IAM::ManagedPolicy": ("forward", "Roles"),
    "AWS::IAM::Policy": ("forward", "Roles"),
    "AWS::IAM::Role": ("reverse", ""),
    "AWS::Lambda::EventSourceMapping": ("forward", "FunctionName"),
    "AWS::Lambda::Permission": ("forward", "FunctionName"),
    "AWS::Lambda::Version": ("forward", "FunctionName"),
    "AWS::Logs::LogGroup": ("reverse", ""),
    "AWS::RDS::DBInstance": ("forward", "DBClusterIdentifier"),
    "AWS::RDS::DBSubnetGroup": ("reverse", ""),
    "AWS::Route53::RecordSet": ("forward", "HostedZoneId"),
    "AWS::S3::BucketPolicy": ("forward", "Bucket"),
    "AWS::SecretsManager::RotationSchedule": ("forward", "SecretId"),
    "AWS::SecretsManager::SecretTargetAttachment": ("forward", "SecretId"),
    "AWS::ServiceDiscovery::Service": ("reverse", ""),
    "AWS::SNS::TopicPolicy": ("forward", "Topics"),
    "AWS::SQS::QueuePolicy": ("forward", "Queues"),
}
# Folded types that are still drawn when they have no host (a database instance outside any
# Aurora cluster, an alias record in a hosted zone the app does not own).
SHOWN_WITHOUT_HOST = {"AWS::RDS::DBInstance", "AWS::Route53::RecordSet"}
# Folded types that stand for their host in edges (a reference to a target group is a
# reference to its load balancer). References through any other folded type are not edges.
TRANSPARENT = {
    "AWS::ApiGateway::Method",
    "AWS::ECS::TaskDefinition",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::RDS::DBInstance",
    "AWS::Route53::RecordSet",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::ServiceDiscovery::Service",
}
# Folded types whose own references say nothing new (the attachment repeats cluster -> secret).
SILENT = {"AWS::SecretsManager::SecretTargetAttachment"}
DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306, "mariadb": 3306, "sqlserver": 1433, "oracle": 1521}
NAME_PROPERTIES = ("BucketName", "RepositoryName", "TableName", "QueueName", "TopicName")
TIERS = {"Public": "public", "Private": "private", "Isolated": "isolated"}
SUB_PATTERN = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
GENERIC_NAMES = {"Resource", "Default"}
REGIONAL_COLUMN = 8  # regional services per column


@dataclass
class Resource:
    key: str  # "<stack>.<logical id>", unique in the environment
    stack: str
    logical_id: str
    type: str
    properties: dict
    path: str
    refs: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # (property path, key)

    @property
    def name(self) -> str:
        """A readable name from the construct path, e.g. "LoadBalancer" or "Database / Cluster"."""
        return self.name_within("")

    @property
    def scope(self) -> str:
        """The construct path this resource's construct lives in ("/prod/Network/Vpc/publicSubnet1"
        for that subnet's Subnet resource)."""
        return self.path.rsplit("/", 1)[0]

    def name_within(self, scope: str) -> str:
        """The name, without the parts already said by the group it is drawn in: a NAT gateway
        in public subnet 1 is "NATGateway", not "publicSubnet1 / NATGateway"."""
        inner = self.path.removeprefix(scope + "/") if scope else self.path
        skip = 0 if scope and inner != self.path else 3
        parts = [p for p in inner.split("/")[skip:] if p not in GENERIC_NAMES]
        parts = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]  # "Service / Service"
        if not parts:
            return re.sub(r"[0-9A-F]{8}$", "", self.logical_id)
        return " / ".join(parts[-2:])

    def refs_under(self, prefix: str) -> list[str]:
        return [key for path, key in self.refs if path and path[0] == prefix]


def _collect_refs(value, stack: str, local: set[str], exports: dict, path=()) -> list:
    """(property path, resource key) for every reference to a resource inside ``value``."""
    found = []
    if isinstance(value, dict):
        for name, inner in value.items():
            if name == "Ref" and isinstance(inner, str) and inner in local:
                found.append((path, f"{stack}.{inner}"))
            elif name == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                if target in local:
                    found.append((path, f"{stack}.{target}"))
            elif name == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                for target in SUB_PATTERN.findall(str(text)):
                    if target in local:
                        found.append((path, f"{stack}.{target}"))
                if isinstance(inner, list) and len(inner) > 1:
                    found += _collect_refs(inner[1], stack, local, exports, path)
            elif name == "Fn::ImportValue" and isinstance(inner, str) and inner in exports:
                found += [(path, key) for _, key in exports[inner]]
            else:
                found += _collect_refs(inner, stack, local, exports, path + (name,))
    elif isinstance(value, list):
        for inner in value:
            found += _collect_refs(inner, stack, local, exports, path)
    return found


def read_exports(environment: Environment) -> dict[str, list]:
    """Export name -> the resources its value refers to, for resolving Fn::ImportValue."""
    exports: dict[str, list] = {}
    for stack in environment.stacks:
        local = set(stack.resources)
        for output in (stack.template.get("Outputs") or {}).values():
            name = (output.get("Export") or {}).get("Name")
            if isinstance(name, str):
                exports[name] = _collect_refs(output.get("Value"), stack.name, local, {})
    return exports


def read_resources(environment: Environment, exports: dict[str, list]) -> dict[str, Resource]:
    resources = {}
    for stack in environment.stacks:
        local = set(stack.resources)
        for logical_id, body in sorted(stack.resources.items()):
            key = f"{stack.name}.{logical_id}"
            properties = body.get("Properties") or {}
            resources[key] = Resource(
                key=key,
                stack=stack.name,
                logical_id=logical_id,
                type=str(body.get("Type", "Unknown")),
                properties=properties,
                path=stack.paths.get(logical_id, ""),
                refs=_collect_refs(properties, stack.name, local, exports),
            )
    return resources


class CloudBuilder:
    def __init__(self, environment: Environment, folded: set[str] | None = None) -> None:
        self.environment = environment
        self.folded = catalog.FOLDED if folded is None else folded
        self.exports = read_exports(environment)
        self.resources = read_resources(environment, self.exports)
        self.referrers: dict[str, list[str]] = {}
        for resource in self.resources.values():
            for _, target in resource.refs:
                self.referrers.setdefault(target, []).append(resource.key)
        self.helpers = self._custom_resource_helpers()
        self._hosts: dict[str, list[str]] = {}
        self.diagram = Diagram(
            name=f"cloud-{slug(environment.name)}",
            title=f"{environment.name}: cloud architecture",
        )

    # -- which resources are nodes, and where folded ones belong --------------------------------

    def _custom_resource_helpers(self) -> set[str]:
        """Custom resources, the functions behind them and those functions' roles and policies."""
        helpers = set()
        for resource in self.resources.values():
            if resource.type.startswith("Custom::") or resource.type == (
                "AWS::CloudFormation::CustomResource"
            ):
                helpers.add(resource.key)
                helpers.update(resource.refs_under("ServiceToken"))
        for key in list(helpers):
            for _, target in self.resources[key].refs if key in self.resources else []:
                if self.resources[target].type == "AWS::IAM::Role":
                    helpers.add(target)
        for resource in self.resources.values():
            roles = resource.refs_under("Roles")
            if resource.type == "AWS::IAM::Policy" and roles and set(roles) <= helpers:
                helpers.add(resource.key)
        return helpers

    def shown(self, key: str) -> bool:
        resource = self.resources[key]
        if key in self.helpers or resource.type in catalog.GROUP_TYPES:
            return False
        if resource.type in self.folded:
            return resource.type in SHOWN_WITHOUT_HOST and self.hosts(key) == [key]
        return True

    def hosts(self, key: str, seen: frozenset = frozenset()) -> list[str]:
        """The nodes a resource is drawn as: itself if shown, else its hosts' nodes."""
        if key in self._hosts:
            return self._hosts[key]
        resource = self.resources[key]
        if key in seen or key in self.helpers or resource.type in catalog.GROUP_TYPES:
            return []
        if resource.type not in self.folded:
            return [key]
        way, prop = HOST_VIA.get(resource.type, ("none", ""))
        if way == "forward":
            candidates = resource.refs_under(prop)
        elif way == "reverse":
            candidates = [
                k for k in self.referrers.get(key, []) if not prop or self.resources[k].type in prop.split()
            ]
        else:
            candidates = []
        found: list[str] = []
        for candidate in sorted(set(candidates)):
            if self.resources[candidate].type in catalog.GROUP_TYPES:
                continue
            if self.resources[candidate].type in self.folded:
                found += self.hosts(candidate, seen | {key})
            elif candidate not in self.helpers:
                found.append(candidate)
        result = sorted(set(found))
        if not result and resource.type in SHOWN_WITHOUT_HOST and not seen:
            result = [key]
        if not seen:
            self._hosts[key] = result
        return result

    def node_id(self, key: str) -> str:
        return slug(key)

    # -- building the diagram -------------------------------------------------------------------

    def build(self) -> Diagram:
        for key, resource in self.resources.items():
            if self.shown(key):
                label, icon = catalog.describe(resource.type)
                self.diagram.add_node(Node(id=self.node_id(key), label=resource.name, icon=icon, note=label))
        self._reference_edges()
        self._security_group_edges()
        self._grant_edges()
        self._entry_points()
        self._notes()
        self._placement()
        self.diagram.prune()
        return self.diagram

    def _edge(self, source: str, target: str, kind: str = CALLS, label: str = "") -> None:
        """An edge between the nodes two resources are drawn as."""
        for s in self.hosts(source) if source != INTERNET else [INTERNET]:
            for t in self.hosts(target):
                self.diagram.connect(s if s == INTERNET else self.node_id(s), self.node_id(t), kind, label)

    def _reference_edges(self) -> None:
        for resource in self.resources.values():
            source_visible = self.shown(resource.key) or resource.type in TRANSPARENT
            if not source_visible or resource.key in self.helpers or resource.type in SILENT:
                continue
            for path, target_key in resource.refs:
                target = self.resources[target_key]
                if target.type in catalog.GROUP_TYPES or target_key in self.helpers:
                    continue
                if not self.shown(target_key) and target.type not in TRANSPARENT:
                    continue
                self._meaningful_edge(resource, path, target)

    def _meaningful_edge(self, resource: Resource, path: tuple, target: Resource) -> None:
        top = path[0] if path else ""
        if resource.type == "AWS::ECS::Service" and top == "LoadBalancers":
            port = _first(resource.properties.get("LoadBalancers"), "ContainerPort")
            self._edge(target.key, resource.key, CALLS, f"forwards :{port}" if port else "forwards")
        elif resource.type == "AWS::ECS::TaskDefinition" and "Image" in path:
            self._edge(target.key, resource.key, DEPLOYS, "pulls image")
        elif resource.type == "AWS::ECS::TaskDefinition" and "Secrets" in path:
            self._edge(resource.key, target.key, CALLS, "reads secret")
        elif resource.type == "AWS::ApiGateway::Method" and top == "Integration":
            self._edge(resource.key, target.key, CALLS, "invokes")
        elif resource.type == "AWS::Route53::RecordSet" and top == "AliasTarget":
            name = str(resource.properties.get("Name", "")).rstrip(".")
            self._edge(resource.key, target.key, CALLS, f"alias {name}".strip())
        elif resource.type == "AWS::ECS::Service" and top == "Cluster":
            self._edge(target.key, resource.key, DEPLOYS, "schedules tasks")
        elif top in {"DependsOn", "Tags", "RoleArn", "Role", "ExecutionRoleArn", "TaskRoleArn"}:
            return
        else:
            labels = [catalog.PROPERTY_LABELS[p] for p in path if p in catalog.PROPERTY_LABELS]
            self._edge(resource.key, target.key, CALLS, labels[-1] if labels else "")

    def _security_group_edges(self) -> None:
        """Ingress rules, standalone or inline, as "may connect" edges with their port."""
        rules = []
        for resource in self.resources.values():
            if resource.type == "AWS::EC2::SecurityGroupIngress":
                group = resource.refs_under("GroupId")
                rules.append((resource, resource.properties, group[:1], "SourceSecurityGroupId"))
            elif resource.type == "AWS::EC2::SecurityGroup":
                for rule in resource.properties.get("SecurityGroupIngress") or []:
                    rules.append((resource, rule, [resource.key], "SourceSecurityGroupId"))
        for resource, rule, targets, source_prop in rules:
            port = _port(rule, self.resources, resource.stack, self.exports)
            sources = (
                [key for path, key in resource.refs if source_prop in path]
                if resource.type == "AWS::EC2::SecurityGroupIngress"
                else [key for path, key in resource.refs if path[:1] == ("SecurityGroupIngress",)]
            )
            if resource.type == "AWS::EC2::SecurityGroup" and not isinstance(
                rule.get("SourceSecurityGroupId"), dict
            ):
                sources = []
            for target in targets:
                for source in sources:
                    self._edge(source, target, MAY_CONNECT, port)
                if rule.get("CidrIp") in ANYWHERE or rule.get("CidrIpv6") in ANYWHERE:
                    self._add_internet()
                    self._edge(INTERNET, target, MAY_CONNECT, port)

    def _grant_edges(self) -> None:
        """IAM policy statements that name a resource of the app, as "reads secret" and so on."""
        for resource in self.resources.values():
            if resource.type not in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
                continue
            if resource.key in self.helpers or not self.hosts(resource.key):
                continue
            document = resource.properties.get("PolicyDocument") or {}
            local = {r.logical_id for r in self.resources.values() if r.stack == resource.stack}
            for statement in _as_list(document.get("Statement")):
                if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                    continue
                verb = _verb(_as_list(statement.get("Action")))
                refs = _collect_refs(statement.get("Resource"), resource.stack, local, self.exports)
                refs += [((), key) for key in self._named(statement.get("Resource"))]
                for _, target in refs:
                    if not self.shown(target) and self.resources[target].type not in TRANSPARENT:
                        continue
                    if verb == "pulls image":
                        self._edge(target, resource.key, DEPLOYS, verb)
                    else:
                        self._edge(resource.key, target, CALLS, verb)

    def _named(self, arns) -> list[str]:
        """Resources a policy names by a literal ARN (a bucket with a fixed name, say)."""
        if not hasattr(self, "_names"):
            self._names = {
                str(r.properties[p]): r.key
                for r in self.resources.values()
                for p in NAME_PROPERTIES
                if isinstance(r.properties.get(p), str)
            }
        found = []
        for arn in _as_list(arns):
            if isinstance(arn, str):
                found += [
                    key for name, key in self._names.items() if re.search(rf"[:/]{re.escape(name)}(/|$)", arn)
                ]
        return sorted(set(found))

    def _add_internet(self) -> None:
        self.diagram.add_node(
            Node(id=INTERNET, label="Users", icon="aws/general/users.png", note="the internet")
        )

    def _entry_points(self) -> None:
        for resource in self.resources.values():
            label = ENTRY_TYPES.get(resource.type)
            if label and self.shown(resource.key):
                self._add_internet()
                self._edge(INTERNET, resource.key, CALLS, label)

    # -- notes: the settings worth reading on the picture -----------------------------------------

    def _notes(self) -> None:
        members: dict[str, list[Resource]] = {}
        for resource in self.resources.values():
            if resource.type in self.folded and resource.key not in self.helpers:
                for host in self.hosts(resource.key):
                    if host != resource.key:
                        members.setdefault(host, []).append(resource)
        for key, resource in self.resources.items():
            node = self.diagram.nodes.get(self.node_id(key))
            if node is None:
                continue
            facts = _facts(resource, members.get(key, []))
            if facts:
                node.note = " · ".join([node.note, *facts])
        self.members = members

    # -- groups: AWS Cloud > Region > VPC > Availability Zone > subnet ----------------------------

    def _placement(self) -> None:
        """Groups, and where each node goes. Drawn top to bottom: AZs are columns, subnet tiers
        rows (public, private, isolated). A node in several subnets is drawn once, beside the
        AZs in its tier's row, with a small marker in each subnet it runs in."""
        diagram = self.diagram
        diagram.direction = "TB"
        region = self.environment.region
        diagram.add_group(Group("aws", "AWS Cloud", "aws_cloud"))
        diagram.add_group(Group("region", f"Region {region}".strip(), "region", "aws"))
        subnets = self._subnets()
        vpcs = {s["vpc"] for s in subnets.values()} | {
            r.key for r in self.resources.values() if r.type == "AWS::EC2::VPC"
        }
        for vpc in sorted(vpcs):
            if vpc in self.resources:
                cidr = self.resources[vpc].properties.get("CidrBlock", "")
                notes = self._vpc_notes(vpc)
                label = " · ".join(x for x in [f"VPC {cidr}".strip(), *notes] if x)
                diagram.add_group(Group(slug(vpc), label, "vpc", "region"))
        for key, subnet in sorted(subnets.items()):
            az_group = f"{slug(subnet['vpc'])}_az_{slug(subnet['az'])}"
            diagram.add_group(
                Group(az_group, f"Availability Zone · {subnet['az']}", "az", slug(subnet["vpc"]))
            )
            order = list(TIERS.values()).index(subnet["tier"])
            diagram.add_group(Group(slug(key), subnet["label"], f"{subnet['tier']}_subnet", az_group, order))
        igws = {}
        for resource in self.resources.values():
            if resource.type == "AWS::EC2::VPCGatewayAttachment":
                for igw in resource.refs_under("InternetGatewayId"):
                    igws[igw] = (resource.refs_under("VpcId") or [""])[0]
        rows: dict[str, list[str]] = {tier: [] for tier in TIERS.values()}  # ids in each row
        beside: list[str] = []  # multi-AZ nodes, drawn once beside the AZ columns
        gateways: dict[str, str] = {}  # VPC key -> its internet gateway's node id
        for key, resource in self.resources.items():
            node = diagram.nodes.get(self.node_id(key))
            if node is None:
                continue
            own = [resource] + self.members.get(key, [])
            inside = sorted({t for r in own for _, t in r.refs if t in subnets})
            vpc_refs = sorted(
                {
                    t
                    for r in own
                    for _, t in r.refs
                    if t in self.resources and self.resources[t].type == "AWS::EC2::VPC"
                }
            )
            if len(inside) == 1:
                node.group = slug(inside[0])
                node.label = resource.name_within(self.resources[inside[0]].scope)
            elif inside:
                azs = sorted({subnets[s]["az"] for s in inside})
                tiers = [t for t in TIERS.values() if t in {subnets[s]["tier"] for s in inside}]
                node.group = slug(subnets[inside[0]]["vpc"])
                node.note += f" · {'/'.join(tiers)} subnets in {len(azs)} AZs"
                rows[tiers[0]].append(node.id)
                beside.append(node.id)  # sorted by tier below
                for subnet in inside:
                    diagram.add_node(
                        Node(
                            id=f"{node.id}_in_{slug(subnet)}",
                            label="",
                            icon=node.icon,
                            group=slug(subnet),
                            marker=True,
                        )
                    )
            elif key in igws and igws[key]:
                node.group = slug(igws[key])
                node.label = resource.name_within(self.resources[igws[key]].scope)
                gateways[igws[key]] = node.id
            elif vpc_refs and slug(vpc_refs[0]) in diagram.groups:
                node.group = slug(vpc_refs[0])
            elif resource.type in catalog.GLOBAL_TYPES:
                node.group = "aws"
            else:
                node.group = "region"
        tier_of = {n: tier for tier, row in rows.items() for n in row}
        beside.sort(key=lambda n: (list(TIERS.values()).index(tier_of[n]), n))
        self._grid(subnets, rows, beside, gateways)

    def _grid(self, subnets: dict, rows: dict, beside: list[str], gateways: dict) -> None:
        """Layout hints: each tier a row, each AZ a column (a, b, c from the left), the multi-AZ
        nodes in a column of their own, the regional services after them."""
        diagram = self.diagram
        columns: dict[tuple[str, str], dict[str, str]] = {}  # (vpc, az) -> tier -> anchor id
        for key, subnet in sorted(subnets.items()):
            inside = sorted(n.id for n in diagram.nodes.values() if n.group == slug(key))
            if not inside:  # an empty subnet still takes its place in the grid
                inside = [
                    diagram.add_node(Node(id=f"{slug(key)}_anchor", label="", plain=True, group=slug(key))).id
                ]
            rows[subnet["tier"]] += inside
            columns.setdefault((subnet["vpc"], subnet["az"]), {})[subnet["tier"]] = inside[0]
        diagram.same_rank = [row for row in rows.values() if len(row) > 1]
        for tiers in columns.values():  # each AZ: public above private above isolated
            column = [tiers[t] for t in TIERS.values() if t in tiers]
            diagram.order_edges += list(zip(column, column[1:], strict=False))
        diagram.order_edges += list(zip(beside, beside[1:], strict=False))  # one column
        regional = self._regional_column({n: t for t, row in rows.items() for n in row})
        diagram.columns += [column for column in regional if len(column) > 1]
        regional = [column[0] for column in regional]
        vpcs = sorted({vpc for vpc, _ in columns})
        for vpc in vpcs:
            top = (
                gateways.get(vpc)
                or diagram.add_node(Node(id=f"{slug(vpc)}_top", label="", plain=True, group=slug(vpc))).id
            )
            fan = [columns[c][next(iter(columns[c]))] for c in sorted(columns) if c[0] == vpc]
            spanning = [n for n in beside if diagram.nodes[n].group == slug(vpc)]
            diagram.fans[top] = fan + spanning[:1] + (regional if vpc == vpcs[-1] else [])

    def _regional_column(self, tier_of: dict[str, str]) -> list[list[str]]:
        """The regional services (ECR, ECS cluster, certificate, buckets, secrets...) stacked in
        columns of at most REGIONAL_COLUMN, not spread across the picture. Each sits about as
        high as the tiers it talks to (a certificate by the load balancer, a secret by the
        database), and after any regional service that points at it."""
        diagram = self.diagram
        regional = sorted(n.id for n in diagram.nodes.values() if n.group == "region")
        if not regional:
            return []
        tiers = list(TIERS.values())
        near: dict[str, list[float]] = {n: [] for n in regional}
        after: dict[str, set[str]] = {n: set() for n in regional}
        for source, target in diagram.edges:
            if source in near and target in tier_of:  # feeds a tier: sits above it
                near[source].append(tiers.index(tier_of[target]))
            if target in near and source in tier_of:
                near[target].append(tiers.index(tier_of[source]))
            if source in near and target in near and source != target:
                after[target].add(source)
        score = {n: sum(v) / len(v) if v else None for n, v in near.items()}
        for n in regional:  # a service only regional ones use sits by them
            if score[n] is None:
                around = [score[m] for m in regional if score[m] is not None and (m in after[n])]
                score[n] = sum(around) / len(around) if around else len(tiers)
        order: list[str] = []
        waiting = set(regional)
        while waiting:
            ready = [n for n in waiting if not (after[n] & waiting)] or list(waiting)
            chosen = min(ready, key=lambda n: (score[n], n))
            order.append(chosen)
            waiting.remove(chosen)
        return [order[i : i + REGIONAL_COLUMN] for i in range(0, len(order), REGIONAL_COLUMN)]

    def _subnets(self) -> dict[str, dict]:
        subnets = {}
        for resource in self.resources.values():
            if resource.type != "AWS::EC2::Subnet":
                continue
            props = resource.properties
            tags = {t.get("Key"): t.get("Value") for t in props.get("Tags") or [] if isinstance(t, dict)}
            tier = TIERS.get(tags.get("aws-cdk:subnet-type", ""))
            if tier is None:
                tier = "public" if props.get("MapPublicIpOnLaunch") else "private"
            name = tags.get("aws-cdk:subnet-name", "")
            cidr = str(props.get("CidrBlock", ""))
            subnets[resource.key] = {
                "vpc": (resource.refs_under("VpcId") or [""])[0],
                "az": _az(props.get("AvailabilityZone")),
                "tier": tier,
                "cidr": cidr,
                "label": " · ".join(
                    x
                    for x in [f"{tier.capitalize()} subnet", "" if name.lower() == tier else name, cidr]
                    if x
                ),
            }
        return subnets

    def _vpc_notes(self, vpc: str) -> list[str]:
        notes = []
        for resource in self.resources.values():
            if resource.type == "AWS::EC2::FlowLog" and vpc in resource.refs_under("ResourceId"):
                notes.append("flow logs")
        return sorted(set(notes))


def _az(value) -> str:
    """'eu-west-1a' -> 'eu-west-1a'; {Fn::Select: [1, {Fn::GetAZs: ''}]} -> 'b'."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Select" in value:
        index = value["Fn::Select"][0]
        if isinstance(index, int | str) and str(index).isdigit():
            return "abcdefghij"[int(index)]
    return "?"


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if value is not None else []


def _first(items, name: str):
    for item in _as_list(items):
        if isinstance(item, dict) and name in item:
            return item[name]
    return None


def _port(rule: dict, resources: dict[str, Resource], stack: str, exports: dict) -> str:
    """':443', ':1024-65535', 'all ports'; a port taken from a database (GetAtt Endpoint.Port)
    is looked up in that database's properties."""
    if str(rule.get("IpProtocol")) == "-1":
        return "all ports"
    low, high = (_literal_port(rule.get(k), resources, stack, exports) for k in ("FromPort", "ToPort"))
    if low is None:
        return ""
    return f":{low}" if low == high else f":{low}-{high}"


def _literal_port(value, resources: dict[str, Resource], stack: str, exports: dict):
    if isinstance(value, dict):
        refs = _collect_refs(
            value, stack, {r.logical_id for r in resources.values() if r.stack == stack}, exports
        )
        target = resources.get(refs[0][1]) if refs else None
        port = target.properties.get("Port") if target else None
        if isinstance(port, int | str):
            return port
        engine = str(target.properties.get("Engine", "")) if target else ""
        return next((p for name, p in DEFAULT_PORTS.items() if name in engine), "db port")
    return value


def _verb(actions: list) -> str:
    verbs = []
    for action in actions:
        for prefix, verb in catalog.GRANT_VERBS:
            if isinstance(action, str) and (action.startswith(prefix) or action == "*"):
                verbs.append(verb)
                break
    unique = sorted(set(verbs))
    if unique == ["reads", "writes"]:
        return "reads/writes"
    return "/".join(unique[:2])


def _facts(resource: Resource, members: list[Resource]) -> list[str]:
    """Short settings for a node's note, from its properties and its folded members'."""
    props = resource.properties
    facts = []
    by_type: dict[str, list[dict]] = {}
    for member in members:
        by_type.setdefault(member.type, []).append(member.properties)
    if resource.type == "AWS::ECS::Service":
        for task in by_type.get("AWS::ECS::TaskDefinition", []):
            facts.append(f"{_vcpu(task.get('Cpu'))} vCPU / {task.get('Memory')} MiB")
        scaling = by_type.get("AWS::ApplicationAutoScaling::ScalableTarget", [])
        if scaling:
            facts.append(f"{scaling[0].get('MinCapacity')}-{scaling[0].get('MaxCapacity')} tasks")
        elif props.get("DesiredCount") is not None:
            facts.append(f"{props['DesiredCount']} tasks")
    elif resource.type == "AWS::RDS::DBCluster":
        facts.append(str(props.get("Engine", "")))
        v2 = props.get("ServerlessV2ScalingConfiguration")
        if isinstance(v2, dict):
            facts.append(f"{v2.get('MinCapacity')}-{v2.get('MaxCapacity')} ACU")
        instances = len(by_type.get("AWS::RDS::DBInstance", []))
        if instances:
            readers = instances - 1
            facts.append(f"writer + {readers} reader{'s' * (readers != 1)}")
    elif resource.type == "AWS::RDS::DBInstance":
        facts.append(f"{props.get('Engine', '')} {props.get('DBInstanceClass', '')}".strip())
    elif resource.type == "AWS::Lambda::Function" and props.get("Runtime"):
        facts.append(str(props["Runtime"]))
    elif resource.type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
        facts.append(str(props.get("Scheme", "internet-facing")))
    elif resource.type in {
        "AWS::Route53::HostedZone",
        "AWS::ServiceDiscovery::HttpNamespace",
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
    }:
        facts.append(str(props.get("Name", "")).rstrip("."))
    elif resource.type == "AWS::CertificateManager::Certificate":
        facts.append(str(props.get("DomainName", "")))
    if "AWS::SecretsManager::RotationSchedule" in by_type:
        facts.append("rotated")
    for group in by_type.get("AWS::Logs::LogGroup", [])[:1]:
        days = group.get("RetentionInDays")
        facts.append(f"logs {days} d" if days else "logs")
    return [f for f in facts if f and "None" not in f and "{" not in f]


def _vcpu(cpu) -> str:
    try:
        return f"{int(cpu) / 1024:g}"
    except (TypeError, ValueError):
        return "?"


def build_cloud(environment: Environment, folded: set[str] | None = None) -> Diagram:
    return CloudBuilder(environment, folded).build()
