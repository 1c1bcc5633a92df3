"""The graph every renderer draws: nested groups, nodes with icons, typed edges, a legend.

Builders (cloud.py, local.py, pipeline.py, overview.py) produce a Diagram; renderers (dot.py,
mermaid.py) turn it into text. Everything is sorted on output, so reruns are byte-identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Edge kinds, each drawn in its own line style (see dot.py, mermaid.py and the legend).
CALLS = "calls"  # a request or data flow at run time
MAY_CONNECT = "may connect"  # a security-group rule: allowed, not necessarily used
DEPLOYS = "deploys"  # build, provisioning or delivery: something puts something there
EDGE_KINDS = (CALLS, MAY_CONNECT, DEPLOYS)
KIND_RANK = {DEPLOYS: 0, MAY_CONNECT: 1, CALLS: 2}  # when edges merge, the strongest kind wins


def slug(text: str) -> str:
    """A stable identifier usable in DOT and Mermaid: letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


@dataclass
class Node:
    id: str
    label: str
    icon: str = ""  # a path inside the icon set, e.g. "aws/network/vpc.png"; "" = a plain shape
    note: str = ""  # a smaller second line: settings worth seeing (sizes, ports, counts)
    group: str = ""  # id of the innermost group, "" = top level
    plain: bool = False  # a small text-only node (a subnet's CIDR, a placeholder)
    marker: bool = False  # a small copy of a multi-AZ node, in one subnet where it runs


@dataclass
class Group:
    id: str
    label: str
    style: str  # a key of styles.GROUP_STYLES
    parent: str = ""
    order: int = 0  # siblings are drawn in (order, id) order


@dataclass
class Edge:
    source: str
    target: str
    kind: str = CALLS
    labels: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return ", ".join(dict.fromkeys(self.labels))


@dataclass
class Diagram:
    name: str  # file name stem, e.g. "cloud-prod"
    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)
    direction: str = "LR"
    # Layout hints for Graphviz only: node ids drawn in one row or column (rank); invisible
    # edges that keep one node before another (public -> private -> isolated subnets); fans:
    # a node whose invisible edges keep their heads in this order across the picture (AZ a, b,
    # c, then what spans them); edges drawn but ignored when ranking.
    same_rank: list[list[str]] = field(default_factory=list)
    order_edges: list[tuple[str, str]] = field(default_factory=list)
    fans: dict[str, list[str]] = field(default_factory=dict)
    loose_edges: set[tuple[str, str]] = field(default_factory=set)
    columns: list[list[str]] = field(default_factory=list)  # stacked, one above the next
    wrap_title: bool = False  # the title on two lines (after its ": "), for a narrower picture

    def add_group(self, group: Group) -> Group:
        return self.groups.setdefault(group.id, group)

    def add_node(self, node: Node) -> Node:
        return self.nodes.setdefault(node.id, node)

    def connect(self, source: str, target: str, kind: str = CALLS, label: str = "") -> None:
        """Add an edge, or fold it into the one already there between the same two nodes."""
        if source == target:
            return
        key = (source, target)
        edge = self.edges.get(key)
        if edge is None:
            edge = self.edges[key] = Edge(source, target, kind)
        elif KIND_RANK[kind] > KIND_RANK[edge.kind]:
            edge.kind = kind
        if label and not any(label in existing for existing in edge.labels):
            edge.labels = [x for x in edge.labels if x not in label] + [label]

    def prune(self) -> None:
        """Drop edges to missing nodes and groups left empty, so nothing dangles."""
        self.edges = {
            key: edge
            for key, edge in self.edges.items()
            if edge.source in self.nodes and edge.target in self.nodes
        }
        used = set()
        for node in self.nodes.values():
            group = node.group
            while group and group not in used:
                used.add(group)
                group = self.groups[group].parent
        self.groups = {gid: g for gid, g in self.groups.items() if gid in used}

    def children(self, group_id: str) -> tuple[list[Group], list[Node]]:
        groups = sorted(
            (g for g in self.groups.values() if g.parent == group_id), key=lambda g: (g.order, g.id)
        )
        nodes = sorted((n for n in self.nodes.values() if n.group == group_id), key=_key)
        return groups, nodes

    def kinds_used(self) -> list[str]:
        return [kind for kind in EDGE_KINDS if any(e.kind == kind for e in self.edges.values())]

    def sorted_edges(self) -> list[Edge]:
        return [self.edges[key] for key in sorted(self.edges)]


def _key(item: Node | Group) -> str:
    return item.id
