"""The generator on CDK apps of other shapes: nodes, groups and edges it must find."""

from __future__ import annotations

from stackplan.assembly import read_assembly
from stackplan.cloud import build_cloud
from stackplan.model import CALLS, DEPLOYS, MAY_CONNECT


def _diagram(path):
    (environment,) = read_assembly(path)
    return build_cloud(environment)


def _labels(diagram):
    return {(diagram.nodes[e.source].label, diagram.nodes[e.target].label): e for e in diagram.edges.values()}


def test_serverless_api(assemblies):
    diagram = _diagram(assemblies["serverless_api"])
    notes = {n.label: n.note for n in diagram.nodes.values()}
    assert {"NotesRestApi", "NotesHandler", "Notes", "Users"} <= set(notes)
    assert not any("Role" in label or "Policy" in label for label in notes)  # folded
    edges = _labels(diagram)
    assert edges[("NotesRestApi", "NotesHandler")].label == "invokes"
    assert edges[("NotesHandler", "Notes")].label == "reads/writes"
    assert edges[("Users", "NotesRestApi")].kind == CALLS
    assert not any(g.style == "vpc" for g in diagram.groups.values())


def test_static_website(assemblies):
    diagram = _diagram(assemblies["static_website"])
    edges = _labels(diagram)
    assert edges[("Zone", "Distribution")].label == "alias www.example.org"
    assert edges[("Distribution", "SiteBucket")].label == "origin"
    by_label = {n.label: n for n in diagram.nodes.values()}
    assert by_label["Distribution"].group == "aws"  # global: outside the region
    assert by_label["SiteBucket"].group == "region"
    # The auto-delete custom resource and its provider function are folded away.
    assert not any("AutoDelete" in n.label or "Provider" in n.label for n in diagram.nodes.values())


def test_vpc_worker_groups_and_edges(assemblies):
    (environment,) = read_assembly(assemblies["vpc_worker"])
    assert environment.name == "test"
    assert [s.name for s in environment.stacks] == ["Network", "Worker"]
    diagram = build_cloud(environment)
    styles = sorted(g.style for g in diagram.groups.values())
    assert styles.count("az") == 2
    for tier in ("public", "private", "isolated"):
        assert styles.count(f"{tier}_subnet") == 2
    by_label = {n.label: n for n in diagram.nodes.values()}
    # Cross-stack (Fn::ImportValue) subnets place the function in the VPC, over 2 AZs.
    assert diagram.groups[by_label["JobHandler"].group].style == "vpc"
    assert "private subnets in 2 AZs" in by_label["JobHandler"].note
    edges = _labels(diagram)
    assert edges[("JobHandler", "Results")].kind == MAY_CONNECT
    assert edges[("JobHandler", "Results")].label == ":5432"
    assert edges[("JobHandler", "Results / Secret")].label == "reads secret"
    assert edges[("JobHandler", "Jobs")].label == "consumes"
    nat = [n for n in diagram.nodes.values() if n.note.startswith("NAT gateway")]
    assert len(nat) == 1 and diagram.groups[nat[0].group].style == "public_subnet"


def test_no_orphans_when_folding_more(assemblies):
    (environment,) = read_assembly(assemblies["vpc_worker"])
    from stackplan import catalog

    diagram = build_cloud(environment, catalog.FOLDED | {"AWS::SecretsManager::Secret"})
    assert not any("Secret" in n.label for n in diagram.nodes.values())
    for edge in diagram.edges.values():
        assert edge.source in diagram.nodes and edge.target in diagram.nodes
    used = {n.group for n in diagram.nodes.values()}
    for group in diagram.groups.values():
        assert group.id in used or any(g.parent == group.id for g in diagram.groups.values())


def test_unknown_type_is_a_generic_node(tmp_path):
    import json

    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "S": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://unknown-account/unknown-region",
                        "properties": {"templateFile": "S.template.json"},
                    }
                }
            }
        )
    )
    (tmp_path / "S.template.json").write_text(
        json.dumps(
            {
                "Resources": {
                    "Thing": {"Type": "AWS::Future::Widget", "Properties": {"Peer": {"Ref": "Other"}}},
                    "Other": {"Type": "Custom::Odd"},
                }
            }
        )
    )
    diagram = _diagram(tmp_path)
    assert [n.note for n in diagram.nodes.values()] == ["Future Widget"]
    assert DEPLOYS  # the edge kinds exist; no edge to the folded custom resource
    assert not diagram.edges


def test_multi_az_nodes_get_a_marker_in_each_subnet(assemblies):
    (environment,) = read_assembly(assemblies["vpc_worker"])
    diagram = build_cloud(environment)
    handler = next(n for n in diagram.nodes.values() if n.label == "JobHandler" and not n.marker)
    markers = [n for n in diagram.nodes.values() if n.marker and n.id.startswith(handler.id)]
    assert len(markers) == 2
    assert {diagram.groups[m.group].style for m in markers} == {"private_subnet"}
    assert len({diagram.groups[m.group].parent for m in markers}) == 2  # one per AZ
    # Drawn top to bottom, each AZ keeps its column in order a, b.
    assert diagram.direction == "TB"
    (fan,) = diagram.fans.values()
    assert [diagram.groups[diagram.groups[diagram.nodes[n].group].parent].label for n in fan[:2]] == [
        "Availability Zone · dummy1a",
        "Availability Zone · dummy1b",
    ]


def test_names_drop_what_their_group_says(assemblies):
    (environment,) = read_assembly(assemblies["vpc_worker"])
    diagram = build_cloud(environment)
    nat = next(n for n in diagram.nodes.values() if n.note.startswith("NAT gateway"))
    assert "/" not in nat.label  # "NATGateway", not "publicSubnet1 / NATGateway"
