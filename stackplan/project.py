"""Diagrams of the project around the cloud: the local environment, the delivery pipeline and
the overview that ties laptop, CI and cloud together.

They are read from the project's own files, each optional: docker/compose.yaml,
vagrant/config.yml, ansible/site.yml and ansible/roles/, .github/workflows/*.yml, .travis.yml.
A file that is missing or unreadable leaves its part out (or a placeholder); it never fails.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from stackplan.assembly import Environment
from stackplan.model import CALLS, DEPLOYS, Diagram, Group, Node

ICONS = {
    "ansible": "onprem/iac/ansible.png",
    "docker": "onprem/container/docker.png",
    "containerd": "onprem/container/containerd.png",
    "github": "onprem/ci/github-actions.png",
    "travis": "onprem/ci/travisci.png",
    "git": "onprem/vcs/git.png",
    "developer": "onprem/client/user.png",
    "file": "programming/flowchart/document.png",
    "mariadb": "onprem/database/mariadb.png",
    "flask": "programming/framework/flask.png",
    "gunicorn": "onprem/network/gunicorn.png",
    "server": "onprem/compute/server.png",
    "ecr": "aws/compute/ec2-container-registry.png",
    "ecs": "aws/compute/elastic-container-service.png",
    "fargate": "aws/compute/fargate.png",
    "alb": "aws/network/elb-application-load-balancer.png",
    "route53": "aws/network/route-53.png",
    "aurora": "aws/database/aurora.png",
    "s3": "aws/storage/simple-storage-service-s3.png",
    "vpc": "aws/network/vpc.png",
    "cloudformation": "aws/management/cloudformation.png",
}


def _yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def _service_icon(name: str, service: dict) -> str:
    image = str(service.get("image", ""))
    if "mariadb" in image or "mysql" in image:
        return ICONS["mariadb"]
    if service.get("build"):
        return ICONS["gunicorn"]
    return ICONS["docker"]


def _compose(root: Path) -> dict:
    data = _yaml(root / "docker" / "compose.yaml") or _yaml(root / "docker" / "compose.yml")
    services = data.get("services") if isinstance(data, dict) else None
    return services if isinstance(services, dict) else {}


def _roles(root: Path) -> list[str]:
    plays = _yaml(root / "ansible" / "site.yml")
    roles = []
    for play in plays if isinstance(plays, list) else []:
        for role in (play or {}).get("roles") or []:
            name = role.get("role") if isinstance(role, dict) else role
            if isinstance(name, str) and name not in roles:
                roles.append(name)
    if not roles and (root / "ansible" / "roles").is_dir():
        roles = sorted(p.name for p in (root / "ansible" / "roles").iterdir() if p.is_dir())
    return roles


def _vagrant(root: Path) -> dict:
    data = _yaml(root / "vagrant" / "config.yml")
    return data if isinstance(data, dict) else {}


def _ci_jobs(root: Path) -> tuple[str, list[tuple[str, list[str], str]]]:
    """(CI system, [(job, needs, text of its steps)]) from GitHub Actions or Travis CI."""
    jobs = []
    workflows = sorted((root / ".github" / "workflows").glob("*.y*ml"))
    for workflow in workflows:
        data = _yaml(workflow)
        for name, job in ((data or {}).get("jobs") or {}).items() if isinstance(data, dict) else []:
            needs = job.get("needs") or [] if isinstance(job, dict) else []
            needs = [needs] if isinstance(needs, str) else list(needs)
            jobs.append(
                (f"{workflow.stem}/{name}", [f"{workflow.stem}/{n}" for n in needs], yaml.safe_dump(job))
            )
    if jobs:
        return "GitHub Actions", jobs
    travis = _yaml(root / ".travis.yml")
    if isinstance(travis, dict):
        stages = [s.get("name", s) if isinstance(s, dict) else s for s in travis.get("stages") or []]
        previous: list[str] = []
        for stage in stages or ["test"]:
            jobs.append((str(stage), previous, yaml.safe_dump(travis)))
            previous = [str(stage)]
        return "Travis CI", jobs
    return "", []


def local_diagram(root: Path) -> Diagram:
    d = Diagram(name="local", title="Local environment: laptop -> Vagrant -> Ansible -> Docker")
    vm = _vagrant(root)
    d.add_group(Group("laptop", "Developer laptop", "laptop"))
    d.add_node(Node("developer", "Developer", ICONS["developer"], "browser, git, editor", "laptop"))
    d.add_node(Node("vagrantfile", "Vagrantfile", ICONS["file"], "vagrant/config.yml", "laptop"))
    d.add_node(Node("vagrant", "Vagrant", "", "vagrant up", "laptop"))
    d.add_group(Group("cloud_catalogue", "Public registries", "registry"))
    d.add_node(Node("vagrant_cloud", "Vagrant Cloud", "", "box catalogue", "cloud_catalogue"))
    d.add_node(Node("docker_hub", "Docker Hub", ICONS["docker"], "official images", "cloud_catalogue"))
    box = str(vm.get("box", "a Vagrant box"))
    d.add_node(Node("box", "Vagrant box", "", box, "laptop"))
    resources = f"{vm.get('cpus', '?')} CPUs · {vm.get('memory', '?')} MiB"
    d.add_group(Group("vm", f"Vagrant VM {vm.get('name', '')} · {resources}".strip(), "vm"))
    roles = _roles(root)
    d.add_node(Node("playbook", "Ansible playbook", ICONS["ansible"], "ansible/site.yml", "laptop"))
    for role in roles:
        d.add_node(Node(f"role_{role}", f"role {role}", ICONS["ansible"], "", "laptop"))
        d.connect("playbook", f"role_{role}", DEPLOYS, "applies")
    d.add_node(Node("os", "Debian VM", ICONS["server"], box, "vm"))
    d.add_group(Group("engine", "Docker Engine (replaces XAMPP)", "engine", "vm"))
    d.add_node(Node("dockerd", "Docker Engine", ICONS["docker"], "compose stack", "engine"))
    d.connect("vagrant_cloud", "box", DEPLOYS, "downloads")
    d.connect("developer", "vagrant", CALLS, "vagrant up")
    d.connect("vagrantfile", "vagrant", CALLS, "configures")
    d.connect("box", "os", DEPLOYS, "clones")
    d.connect("vagrant", "playbook", CALLS, "provisions with")
    target = {"common": "os", "docker": "dockerd"}
    for role in roles:
        d.connect(f"role_{role}", target.get(role, "dockerd"), DEPLOYS, "configures")
    services = _compose(root)
    for name, service in sorted(services.items()):
        service = service if isinstance(service, dict) else {}
        facts = []
        if service.get("build"):
            facts.append(f"built from {service['build']}/Dockerfile".replace("//", "/"))
        elif service.get("image"):
            facts.append(str(service["image"]))
        if service.get("profiles"):
            facts.append("profile " + ", ".join(service["profiles"]))
        d.add_node(Node(f"svc_{name}", name, _service_icon(name, service), " · ".join(facts), "engine"))
        d.connect("dockerd", f"svc_{name}", DEPLOYS, "runs")
        if service.get("image") and not service.get("build"):
            d.connect("docker_hub", f"svc_{name}", DEPLOYS, "pulls image")
        for dependency in sorted(service.get("depends_on") or []):
            d.connect(f"svc_{name}", f"svc_{dependency}", CALLS, "")
        for port in service.get("ports") or []:
            d.connect("developer", f"svc_{name}", CALLS, "http :" + str(port).split(":")[-1])
    d.prune()
    return d


def pipeline_diagram(root: Path, environments: list[Environment]) -> Diagram:
    d = Diagram(name="pipeline", title="Delivery pipeline: git push -> CI -> ECR -> dev -> prod")
    system, jobs = _ci_jobs(root)
    d.add_node(Node("push", "git push", ICONS["git"], "main branch"))
    icon = ICONS["github"] if system == "GitHub Actions" else ICONS["travis"] if system else ""
    d.add_group(Group("ci", system or "CI (no workflow yet)", "ci"))
    if not jobs:
        jobs = [("ci", [], "")]
    builder = deployer = ""
    for name, needs, text in jobs:
        d.add_node(Node(f"job_{name}", name.split("/")[-1], icon, "", "ci"))
        for need in needs:
            d.connect(f"job_{need}", f"job_{name}", CALLS, "then")
        if not needs:
            d.connect("push", f"job_{name}", CALLS, "triggers")
        if "docker" in text and not builder:
            builder = f"job_{name}"
        if "cdk deploy" in text or "deploy" in name:
            deployer = f"job_{name}"
    builder = builder or f"job_{jobs[-1][0]}"
    deployer = deployer or f"job_{jobs[-1][0]}"
    d.add_node(Node("image", "Docker image", ICONS["docker"], "tagged with the git SHA"))
    d.add_group(Group("aws", "AWS Cloud", "aws_cloud"))
    d.add_node(Node("ecr", "ECR repository", ICONS["ecr"], "", "aws"))
    d.connect(builder, "image", DEPLOYS, "docker build")
    d.connect("image", "ecr", DEPLOYS, "push")
    previous = "ecr"
    for environment in environments:
        node = f"env_{environment.name}"
        d.add_node(
            Node(
                node,
                environment.name,
                ICONS["cloudformation"],
                f"{len(environment.stacks)} stacks · cdk deploy",
                "aws",
            )
        )
        d.connect(previous, node, DEPLOYS, "pulls image" if previous == "ecr" else "promote")
        previous = node
    if environments:
        d.connect(deployer, f"env_{environments[0].name}", DEPLOYS, "cdk deploy")
    d.prune()
    return d


def overview_diagram(root: Path, environments: list[Environment]) -> Diagram:
    d = Diagram(name="overview", title="stackplan: from a laptop to AWS")
    types = {
        body.get("Type")
        for stack in (environments[-1].stacks if environments else [])
        for body in stack.resources.values()
    }
    d.add_group(Group("laptop", "Developer laptop", "laptop", order=0))
    d.add_node(Node("vagrantfile", "Vagrantfile", ICONS["file"], "one VM, as code", "laptop"))
    d.add_node(Node("box", "Vagrant box", "", "base image of the VM", "laptop"))
    d.add_node(
        Node(
            "playbook",
            "Ansible playbook",
            ICONS["ansible"],
            "roles: " + ", ".join(_roles(root)) if _roles(root) else "",
            "laptop",
        )
    )
    d.add_group(Group("vm", "Vagrant VM", "vm", "laptop"))
    d.add_group(Group("engine", "Docker Engine (replaces XAMPP)", "engine", "vm"))
    d.add_node(Node("dockerfile", "Dockerfile", ICONS["file"], "docker/web/Dockerfile", "laptop"))
    d.add_node(Node("image", "Docker image", ICONS["docker"], "read-only layers", "engine"))
    d.add_node(Node("container", "Containers", ICONS["docker"], "web + db (compose)", "engine"))
    d.add_group(Group("registries", "Public registries", "registry"))
    d.add_node(Node("vagrant_cloud", "Vagrant Cloud", "", "box catalogue", "registries"))
    d.add_node(Node("docker_hub", "Docker Hub", ICONS["docker"], "base images", "registries"))
    system, _ = _ci_jobs(root)
    d.add_group(Group("ci", "Continuous integration", "ci"))
    ci_icon = ICONS["travis"] if system == "Travis CI" else ICONS["github"]
    d.add_node(Node("ci", system or "CI", ci_icon, "test, build, push, deploy", "ci"))
    d.add_group(Group("aws", "AWS Cloud", "aws_cloud"))
    d.add_node(Node("ecr", "Amazon ECR", ICONS["ecr"], "image registry", "aws"))
    d.add_node(Node("route53", "Route 53", ICONS["route53"], "DNS + alias", "aws"))
    d.add_group(Group("vpc", "VPC", "vpc", "aws"))
    d.add_node(Node("alb", "Load balancer", ICONS["alb"], "public subnets", "vpc"))
    d.add_node(Node("ecs", "ECS on Fargate", ICONS["fargate"], "orchestration", "vpc"))
    d.add_node(Node("aurora", "Aurora (RDS)", ICONS["aurora"], "isolated subnets", "vpc"))
    d.add_node(Node("s3", "Amazon S3", ICONS["s3"], "uploads, logs", "aws"))
    d.connect("vagrant_cloud", "box", DEPLOYS, "download")
    d.connect("box", "vagrantfile", CALLS, "named in")
    d.connect("vagrantfile", "playbook", DEPLOYS, "provisions with")
    d.connect("playbook", "container", DEPLOYS, "installs Docker, starts")
    d.connect("docker_hub", "dockerfile", DEPLOYS, "FROM base image")
    d.connect("dockerfile", "image", DEPLOYS, "docker build")
    d.connect("image", "container", DEPLOYS, "docker run")
    d.connect("dockerfile", "ci", CALLS, "git push")
    d.connect("ci", "ecr", DEPLOYS, "push image")
    d.connect("ecr", "ecs", DEPLOYS, "pulls image")
    d.connect("route53", "alb", CALLS, "alias")
    d.connect("alb", "ecs", CALLS, "forwards")
    d.connect("ecs", "aurora", CALLS, "SQL")
    d.connect("ecs", "s3", CALLS, "files")
    for node, resource_type in [
        ("s3", "AWS::S3::Bucket"),
        ("aurora", "AWS::RDS::DBCluster"),
        ("route53", "AWS::Route53::HostedZone"),
    ]:
        if types and resource_type not in types:
            d.nodes[node].note += " (not in this app)"
    d.prune()
    return d


def project_diagrams(root: Path, environments: list[Environment]) -> list[Diagram]:
    """The local, pipeline and overview diagrams; none when ``root`` has none of the configs."""
    markers = [
        "docker/compose.yaml",
        "vagrant/config.yml",
        "ansible/site.yml",
        ".travis.yml",
        ".github/workflows",
    ]
    if not any((root / marker).exists() for marker in markers):
        return []
    return [
        local_diagram(root),
        pipeline_diagram(root, environments),
        overview_diagram(root, environments),
    ]
