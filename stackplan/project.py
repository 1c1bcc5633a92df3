"""Diagrams of the project around the cloud: the local environment, the delivery pipeline and
the overview that ties laptop, CI and cloud together.

They are read from the project's own files, each optional: docker/compose.yaml,
vagrant/config.yml, ansible/site.yml and ansible/roles/, .github/workflows/*.yml, .travis.yml.
A file that is missing or unreadable leaves its part out (or a placeholder); it never fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from stackplan.assembly import Environment
from stackplan.model import CALLS, DEPLOYS, Diagram, Group, Node, slug

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


# Required reviewers are a repository setting, not in the workflow file: a job in one of these
# GitHub environments waits for a person's approval (docs/ci.md sets it up for prod).
APPROVAL_ENVIRONMENTS = {"prod"}


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


@dataclass
class Job:
    """One CI job: its name, the jobs it waits for, its GitHub environment and its text."""

    id: str  # "deploy/deploy-dev": workflow file stem and job name
    name: str
    needs: list[str]
    environment: str
    text: str  # the job as YAML, searched for the commands it runs


@dataclass
class Workflow:
    system: str  # "GitHub Actions" or "Travis CI"
    file: str
    jobs: list[Job]


def _github_workflows(root: Path) -> list[Workflow]:
    workflows = []
    for path in sorted((root / ".github" / "workflows").glob("*.y*ml")):
        data = _yaml(path)
        jobs = []
        for name, job in ((data or {}).get("jobs") or {}).items() if isinstance(data, dict) else []:
            job = job if isinstance(job, dict) else {}
            needs = job.get("needs") or []
            needs = [needs] if isinstance(needs, str) else list(needs)
            environment = job.get("environment") or ""
            if isinstance(environment, dict):
                environment = environment.get("name", "")
            jobs.append(
                Job(
                    f"{path.stem}/{name}",
                    name,
                    [f"{path.stem}/{n}" for n in needs],
                    str(environment),
                    yaml.safe_dump(job),
                )
            )
        if jobs:
            workflows.append(Workflow("GitHub Actions", path.name, jobs))
    return workflows


def _travis(root: Path) -> Workflow | None:
    """Travis CI's stages, in order, each waiting for the one before."""
    travis = _yaml(root / ".travis.yml")
    if not isinstance(travis, dict):
        return None
    stages = [s.get("name", s) if isinstance(s, dict) else s for s in travis.get("stages") or []]
    include = (travis.get("jobs") or {}).get("include") or []
    for job in include if isinstance(include, list) else []:
        stage = job.get("stage") if isinstance(job, dict) else None
        if stage and stage not in stages:
            stages.append(stage)
    jobs, previous = [], []
    for stage in stages or ["test"]:
        jobs.append(Job(str(stage), str(stage), previous, "", yaml.safe_dump(travis)))
        previous = [str(stage)]
    return Workflow("Travis CI", ".travis.yml", jobs)


def _workflows(root: Path) -> list[Workflow]:
    """GitHub Actions workflows, then Travis CI (the seed's example), whichever exist."""
    travis = _travis(root)
    return _github_workflows(root) + ([travis] if travis else [])


def local_diagram(root: Path) -> Diagram:
    d = Diagram(name="local", title="Local environment: laptop -> Vagrant -> Ansible -> Docker")
    d.wrap_title = True
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
    d.add_group(Group("engine", "Docker Engine · replaces XAMPP", "engine", "vm"))
    d.add_node(Node("dockerd", "Docker Engine", ICONS["docker"], "compose stack", "engine"))
    d.connect("vagrant_cloud", "box", DEPLOYS, "downloads")
    d.connect("developer", "vagrant", CALLS, "vagrant up")
    d.connect("vagrantfile", "vagrant", CALLS, "configures")
    d.connect("box", "os", DEPLOYS, "clones")
    # One column: Vagrant, the playbook it runs and the box it clones (narrower than a row).
    d.same_rank.append(["box", "playbook", "vagrant"])
    d.connect("vagrant", "playbook", CALLS, "provisions")
    target = {"common": "os", "docker": "dockerd"}
    for role in roles:
        d.connect(f"role_{role}", target.get(role, "dockerd"), DEPLOYS, "configures")
    services = _compose(root)
    for name, service in sorted(services.items()):
        service = service if isinstance(service, dict) else {}
        facts = []
        if service.get("build"):
            facts.append(f"build: {service['build']}/Dockerfile".replace("//", "/"))
        elif service.get("image"):
            facts.append(str(service["image"]))
        if service.get("profiles"):
            facts.append("profile " + ", ".join(service["profiles"]))
        # A note, not an edge from the developer: those would cross the whole picture.
        facts += ["http :" + str(port).split(":")[-1] for port in service.get("ports") or []]
        d.add_node(Node(f"svc_{name}", name, _service_icon(name, service), " · ".join(facts), "engine"))
        d.connect("dockerd", f"svc_{name}", DEPLOYS, "runs")
        if service.get("image") and not service.get("build"):
            d.connect("docker_hub", f"svc_{name}", DEPLOYS, "pulls image")
        for dependency in sorted(service.get("depends_on") or []):
            d.connect(f"svc_{name}", f"svc_{dependency}", CALLS, "")
    d.prune()
    return d


def _deployers(jobs: list[Job], environments: list[Environment]) -> dict[str, Job]:
    """The job that deploys each environment: the one running in its GitHub environment; else
    the last job named "deploy" (or running `cdk deploy`) deploys the first environment."""
    names = {e.name for e in environments}
    deployers = {job.environment: job for job in jobs if job.environment in names}
    if environments and not deployers:
        named = [j for j in jobs if "deploy" in j.name or "cdk deploy" in j.text]
        deployers[environments[0].name] = (named or jobs)[-1]
    return deployers


def pipeline_diagram(root: Path, environments: list[Environment]) -> Diagram:
    stages = ["git push", "CI", "ECR"] + [e.name for e in environments]
    d = Diagram(name="pipeline", title="Delivery pipeline: " + " -> ".join(stages))
    d.wrap_title = True
    workflows = _workflows(root)
    # The project's own CI: GitHub Actions when it has workflows, else Travis CI.
    system = workflows[0].system if workflows else ""
    jobs = [job for w in workflows if w.system == system for job in w.jobs]
    jobs = jobs or [Job("ci", "ci", [], "", "")]
    icon = {"GitHub Actions": ICONS["github"], "Travis CI": ICONS["travis"]}.get(system, "")
    d.add_node(Node("push", "git push", ICONS["git"], "main branch"))
    d.add_group(Group("ci", system or "CI (no workflow yet)", "ci"))
    node = {job.id: f"job_{slug(job.id)}" for job in jobs}
    for job in jobs:
        note = f"env {job.environment}" if job.environment else ""
        d.add_node(Node(node[job.id], job.name, icon, note, "ci"))
        gate = "manual approval" if job.environment in APPROVAL_ENVIRONMENTS else "then"
        for need in job.needs:
            d.connect(node[need], node[job.id], CALLS, gate)
        if not job.needs:
            d.connect("push", node[job.id], CALLS, "triggers")
    builder = next((j for j in jobs if "docker build" in j.text), jobs[-1])
    d.add_node(Node("image", "Docker image", ICONS["docker"], "tag: the git SHA"))
    d.add_group(Group("aws", "AWS Cloud", "aws_cloud"))
    d.add_node(Node("ecr", "ECR repository", ICONS["ecr"], "", "aws"))
    d.connect(node[builder.id], "image", DEPLOYS, "docker build")
    d.connect("image", "ecr", DEPLOYS, "push")
    deployers = _deployers(jobs, environments)
    previous = "ecr"
    for environment in environments:
        target = f"env_{environment.name}"
        note = f"{len(environment.stacks)} stacks"
        d.add_node(Node(target, environment.name, ICONS["cloudformation"], note, "aws"))
        d.connect(previous, target, DEPLOYS, "pulls image" if previous == "ecr" else "promotes")
        previous = target
        deployer = deployers.get(environment.name)
        if deployer:
            d.connect(node[deployer.id], target, DEPLOYS, "cdk deploy")
            d.same_rank.append([node[deployer.id], target])  # each environment under its job
    d.prune()
    return d


def overview_diagram(root: Path, environments: list[Environment]) -> Diagram:
    """Four columns left to right: the laptop (Vagrant Cloud, where the box comes from, just
    under it), CI, the registries and the AWS Cloud. Group order, same-rank rows and invisible
    edges keep the columns in place."""
    d = Diagram(name="overview", title="stackplan: from a laptop to AWS")
    types = {
        body.get("Type")
        for stack in (environments[-1].stacks if environments else [])
        for body in stack.resources.values()
    }
    vm = _vagrant(root)
    # The laptop: the files in one column, then the VM they make and what runs in it.
    d.add_group(Group("laptop", "Developer laptop", "laptop", order=0))
    d.add_node(Node("box", "Vagrant box", "", str(vm.get("box", "base image of the VM")), "laptop"))
    d.add_node(Node("vagrantfile", "Vagrantfile", ICONS["file"], "the VM, as code", "laptop"))
    d.add_node(Node("playbook", "Ansible playbook", ICONS["ansible"], "ansible/site.yml", "laptop"))
    d.add_node(Node("roles", "Ansible roles", ICONS["ansible"], " · ".join(_roles(root)), "laptop"))
    d.add_node(Node("dockerfile", "Dockerfile", ICONS["file"], "docker/web/Dockerfile", "laptop"))
    d.add_group(Group("vm", "Vagrant VM", "vm", "laptop"))
    d.add_node(Node("os", "Debian VM", ICONS["server"], "a Docker host", "vm"))
    d.add_group(Group("engine", "Docker Engine · replaces XAMPP", "engine", "vm"))
    d.add_node(Node("image", "Docker image", ICONS["docker"], "read-only layers", "engine"))
    services = " · ".join(sorted(_compose(root))) or "compose services"
    d.add_node(Node("container", "Containers", ICONS["docker"], services, "engine"))
    # Vagrant Cloud, where the box comes from, in the files' column: no column of its own.
    d.add_node(Node("vagrant_cloud", "Vagrant Cloud", "", "box catalogue"))
    d.same_rank.append(["box", "dockerfile", "playbook", "roles", "vagrant_cloud", "vagrantfile"])
    d.same_rank.append(["container", "image", "os"])
    d.connect("vagrant_cloud", "box", DEPLOYS)  # unlabelled: the note says it
    d.connect("box", "os", DEPLOYS, "cloned")
    d.connect("vagrantfile", "os", CALLS, "vagrant up")
    d.connect("playbook", "roles", CALLS, "applies")
    d.connect("roles", "os", DEPLOYS, "install Docker")
    d.connect("dockerfile", "image", DEPLOYS, "docker build")
    d.connect("image", "container", DEPLOYS, "docker run")
    # CI: one node per workflow, its jobs in order.
    d.add_group(Group("ci", "CI", "ci", order=1))
    icons = {"GitHub Actions": ICONS["github"], "Travis CI": ICONS["travis"]}
    workflows = _workflows(root)
    for index, workflow in enumerate(workflows):
        ci = f"ci_{slug(workflow.file)}"
        note = " · ".join([workflow.file] + [job.name for job in workflow.jobs])
        if workflow.system == "Travis CI":
            note += " · the seed's example"
        d.add_node(Node(ci, workflow.system, icons[workflow.system], note, "ci"))
        d.connect("dockerfile", ci, CALLS, "" if index else "git push")  # one label for all
        d.order_edges.append(("container", ci))
    builders = [f"ci_{slug(w.file)}" for w in workflows if any("docker build" in j.text for j in w.jobs)]
    # The registries: base images come down from Docker Hub, the app image goes up to ECR.
    d.add_group(Group("registries", "Registries", "registry", order=2))
    d.add_node(Node("docker_hub", "Docker Hub", ICONS["docker"], "base images", "registries"))
    d.add_node(Node("ecr", "Amazon ECR", ICONS["ecr"], "the app image", "registries"))
    for builder in builders or [f"ci_{slug(w.file)}" for w in workflows]:
        d.connect("docker_hub", builder, DEPLOYS, "base image")
        d.loose_edges.add(("docker_hub", builder))  # drawn backwards: keeps the column order
        d.connect(builder, "ecr", DEPLOYS, "push image")
    d.order_edges += [(f"ci_{slug(w.file)}", "docker_hub") for w in workflows]
    # The AWS Cloud: the request path, inside a VPC, and the bucket beside it.
    d.add_group(Group("aws", "AWS Cloud", "aws_cloud", order=3))
    d.add_node(Node("route53", "Route 53", ICONS["route53"], "DNS: alias to the ALB", "aws"))
    d.add_group(Group("vpc", "VPC", "vpc", "aws"))
    d.add_node(Node("alb", "Load balancer", ICONS["alb"], "public subnets", "vpc"))
    d.add_node(Node("ecs", "Amazon ECS", ICONS["ecs"], "orchestration, Fargate", "vpc"))
    d.add_node(Node("aurora", "Aurora (RDS)", ICONS["aurora"], "isolated subnets", "vpc"))
    d.add_node(Node("s3", "Amazon S3", ICONS["s3"], "files: uploads, logs", "aws"))
    d.connect("ecr", "ecs", DEPLOYS, "pulls image")
    d.connect("route53", "alb", CALLS)  # unlabelled: these short edges cross a group's border
    d.connect("alb", "ecs", CALLS, "forwards")
    d.connect("ecs", "aurora", CALLS, "SQL")
    d.connect("ecs", "s3", CALLS)
    d.order_edges += [(r, "route53") for r in ("docker_hub", "ecr")]
    # Two columns: the way in above the DNS name, then the service above and below its stores.
    d.same_rank += [["alb", "route53"], ["aurora", "ecs", "s3"]]
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
