"""A Diagram as Graphviz DOT text. Icons are named relative to the icon set; `dot` finds them
through -Gimagepath at render time, so the text holds no path of the machine that wrote it."""

from __future__ import annotations

from html import escape

from stackplan.model import Diagram, Group, Node
from stackplan.styles import EDGE_STYLES, FONT, GROUP_STYLES, MUTED, TEXT

ICON_SIZE = 40
LINE_SAMPLES = {"solid": "────▶", "dashed": "─ ─ ─▶", "dotted": "·······▶"}
SWATCHES = [
    ("public_subnet", "public subnet (internet-facing)"),
    ("private_subnet", "private subnet (outbound via NAT)"),
    ("isolated_subnet", "isolated subnet (no internet)"),
]


def _html(text: str) -> str:
    return escape(text, quote=True)


def _node_label(node: Node) -> str:
    rows = []
    if node.icon:
        rows.append(
            f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{ICON_SIZE}" HEIGHT="{ICON_SIZE}">'
            f'<IMG SRC="{_html(node.icon)}" SCALE="TRUE"/></TD></TR>'
        )
    elif not node.plain:
        rows.append(
            f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{ICON_SIZE}" HEIGHT="{ICON_SIZE}" BORDER="2" '
            f'STYLE="ROUNDED" COLOR="{MUTED}"><FONT POINT-SIZE="16"><B>'
            f"{_html(node.label[:1])}</B></FONT></TD></TR>"
        )
    rows.append(f'<TR><TD><FONT POINT-SIZE="{9 if node.plain else 11}">'
                f"{_html(node.label)}</FONT></TD></TR>")
    for line in _wrap(node.note):
        rows.append(f'<TR><TD><FONT POINT-SIZE="9" COLOR="{MUTED}">{_html(line)}</FONT></TD></TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def _wrap(note: str, width: int = 34) -> list[str]:
    """Notes are " · "-separated facts; keep lines short so nodes stay narrow."""
    lines: list[str] = []
    for fact in note.split(" · ") if note else []:
        if lines and len(lines[-1]) + len(fact) + 3 <= width:
            lines[-1] += " · " + fact
        else:
            lines.append(fact)
    return lines


def _group_lines(diagram: Diagram, group: Group, indent: str) -> list[str]:
    colour, fill, dashed = GROUP_STYLES.get(group.style, GROUP_STYLES["generic"])
    style = ["rounded", "dashed" if dashed else "solid"] + (["filled"] if fill else [])
    lines = [
        f'{indent}subgraph "cluster_{group.id}" {{',
        f'{indent}  label=<<B>{_html(group.label)}</B>>; labeljust="l"; fontcolor="{colour}";',
        f'{indent}  color="{colour}"; style="{",".join(style)}"; penwidth=1.5;'
        + (f' fillcolor="{fill}";' if fill else ""),
    ]
    lines += _contents(diagram, group.id, indent + "  ")
    lines.append(f"{indent}}}")
    return lines


def _contents(diagram: Diagram, group_id: str, indent: str) -> list[str]:
    groups, nodes = diagram.children(group_id)
    lines = [
        f'{indent}"{n.id}" [shape=point, style=invis, width=0.1];'
        if n.plain and not n.label
        else f'{indent}"{n.id}" [label={_node_label(n)}];'
        for n in nodes
    ]
    for group in groups:
        lines += _group_lines(diagram, group, indent)
    return lines


def _legend(diagram: Diagram) -> list[str]:
    """One table node: a line sample per edge kind used, a swatch per subnet tier used."""
    rows = []
    for kind in diagram.kinds_used():
        colour, style, _, text = EDGE_STYLES[kind]
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT COLOR="{colour}"><B>{LINE_SAMPLES[style]}</B></FONT></TD>'
            f'<TD ALIGN="LEFT">{_html(text)}</TD></TR>'
        )
    styles = {g.style for g in diagram.groups.values()}
    for style, text in SWATCHES:
        if style in styles:
            colour, fill, _ = GROUP_STYLES[style]
            rows.append(
                f'<TR><TD BGCOLOR="{fill}" COLOR="{colour}" BORDER="1"> </TD>'
                f'<TD ALIGN="LEFT">{_html(text)}</TD></TR>'
            )
    if not rows:
        return []
    return [
        f'  "legend" [label=<<TABLE BORDER="1" COLOR="{MUTED}" STYLE="ROUNDED" CELLBORDER="0"'
        ' CELLSPACING="2" CELLPADDING="2"><TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>'
        f'{"".join(rows)}</TABLE>>, fontsize=9];'
    ]


def to_dot(diagram: Diagram) -> str:
    lines = [
        f'digraph "{diagram.name}" {{',
        f'  graph [rankdir="{diagram.direction}", fontname="{FONT}", fontsize=12, nodesep=0.3,'
        ' ranksep=0.55, compound=true, newrank=true, pad=0.2, labelloc="t",'
        f' label=<<B>{_html(diagram.title)}</B>>, fontcolor="{TEXT}"];',
        f'  node [fontname="{FONT}", shape=plain, fontcolor="{TEXT}"];',
        f'  edge [fontname="{FONT}", fontsize=9, arrowsize=0.7, fontcolor="{MUTED}"];',
    ]
    lines += _contents(diagram, "", "  ")
    lines += _legend(diagram)
    for edge in diagram.sorted_edges():
        colour, style, _, _ = EDGE_STYLES[edge.kind]
        label = f', label="{_html(edge.label)}"' if edge.label else ""
        width = 2 if style == "dotted" else 1.3
        lines.append(
            f'  "{edge.source}" -> "{edge.target}" [color="{colour}", style="{style}",'
            f" penwidth={width}{label}];"
        )
    for column in diagram.same_rank:
        lines.append("  { rank=same; " + " ".join(f'"{n}";' for n in sorted(column)) + " }")
    for source, target in sorted(diagram.order_edges):
        lines.append(f'  "{source}" -> "{target}" [style=invis];')
    lines.append("}")
    return "\n".join(lines) + "\n"
