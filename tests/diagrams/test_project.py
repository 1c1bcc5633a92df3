"""The project's own diagrams: the overview reads left to right, the pipeline follows the workflows."""

from __future__ import annotations

import json
import re
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from stackplan.assembly import read_assembly
from stackplan.dot import to_dot
from stackplan.model import DEPLOYS
from stackplan.project import local_diagram, overview_diagram, pipeline_diagram
from stackplan.render import icon_root
from tests.support.tiers import require_tool

ROOT = Path(__file__).resolve().parents[2]
STORY = ["laptop", "ci", "registries", "aws"]  # the overview's columns, left to right
SEED_CONCEPTS = [
    "Vagrant box",
    "Vagrantfile",
    "Vagrant Cloud",
    "Ansible playbook",
    "Ansible roles",
    "Dockerfile",
    "Docker image",
    "Containers",
    "Docker Hub",
    "GitHub Actions",
    "Travis CI",
    "Amazon ECR",
    "VPC",
    "Amazon S3",
    "Aurora (RDS)",
    "Route 53",
    "Amazon ECS",
]


@pytest.fixture(scope="module")
def environments(cloud_assembly):
    return [e for e in read_assembly(cloud_assembly) if not e.shared]


def test_overview_shows_every_seed_concept(environments):
    diagram = overview_diagram(ROOT, environments)
    names = {n.label for n in diagram.nodes.values()} | {g.label for g in diagram.groups.values()}
    assert [c for c in SEED_CONCEPTS if c not in names] == []
    assert "Docker Engine · replaces XAMPP" in names
    notes = {n.label: n.note for n in diagram.nodes.values()}
    assert "orchestration" in notes["Amazon ECS"]
    assert notes["Ansible roles"] == "common · docker · app"  # as ansible/site.yml lists them


def test_overview_clusters_are_written_in_story_order(environments):
    dot = to_dot(overview_diagram(ROOT, environments))
    top = re.findall(r'^  subgraph "cluster_(\w+)"', dot, re.M)
    assert top == STORY


def test_overview_reads_left_to_right(environments):
    """Laid out by Graphviz, each column ends before the next one starts."""
    require_tool("dot", "apt-get install graphviz")
    dot = to_dot(overview_diagram(ROOT, environments))
    command = ["dot", f"-Gimagepath={icon_root()}", "-Tjson0"]
    layout = subprocess.run(command, input=dot, capture_output=True, text=True, check=True)
    boxes = {
        g["name"].removeprefix("cluster_"): [float(v) for v in g["bb"].split(",")]
        for g in json.loads(layout.stdout)["objects"]
        if g["name"].startswith("cluster_")
    }
    columns = [boxes[name] for name in STORY]
    for left, right in pairwise(columns):
        assert left[2] < right[0]  # right edge of one < left edge of the next


def test_pipeline_follows_the_workflows(environments):
    diagram = pipeline_diagram(ROOT, environments)
    edges = {
        (diagram.nodes[e.source].label, diagram.nodes[e.target].label): e for e in diagram.edges.values()
    }
    assert edges[("build", "Docker image")].label == "docker build"
    assert edges[("deploy-staging", "deploy-prod")].label == "manual approval"
    for name in ("dev", "staging", "prod"):
        edge = edges[(f"deploy-{name}", name)]
        assert (edge.kind, edge.label) == (DEPLOYS, "cdk deploy")
    assert diagram.title.endswith("ECR -> dev -> staging -> prod")


def test_local_shows_ports_as_notes():
    """The published ports are notes on the services, not edges across the picture."""
    diagram = local_diagram(ROOT)
    notes = {n.label: n.note for n in diagram.nodes.values()}
    assert "http :8000" in notes["web"]
    assert not any(e.source == "developer" and e.target.startswith("svc_") for e in diagram.edges.values())
