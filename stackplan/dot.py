"""A Diagram as Graphviz DOT text. Icons are named relative to the icon set; `dot` finds them
through -Gimagepath at render time, so the text holds no path of the machine that wrote it.

Sizes are chosen for a README: at 96 dpi a diagram is about 1000-1400 px wide, so 11 pt labels
stay readable when GitHub scales it to the page. The title and the legend share the graph
label at the top, where no edge can run through them.
"""

from __future__ import annotations

import re
from html import escape

from stackplan.model import Diagram, Group, Node
from stackplan.styles import EDGE_STYLES, FONT, GROUP_STYLES, MUTED, TEXT

ICON_SIZE = 36
MARKER_ICON_SIZE = 26
LABEL_WIDTH = 22  # characters per line of a node's name before it wraps
LABEL_MARGIN = 3  # points of space round an edge label
NOTE_WIDTH = 24  # characters per line of a node's note
LINE_SAMPLES = {"solid": "────▶", "dashed": "─ ─ ─▶", "dotted": "·······▶"}
SWATCHES = [
    ("public_subnet", "public subnet (internet-facing)"),
    ("private_subnet", "private subnet (outbound via NAT)"),
    ("isolated_subnet", "isolated subnet (no internet)"),
]
MARKER_TEXT = "small icon: where a multi-AZ resource runs"


def _html(text: str) -> str:
    return escape(text, quote=True)


def _icon_cell(node: Node) -> str:
    size = MARKER_ICON_SIZE if node.marker else ICON_SIZE
    if node.icon:
        return (
            f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{size}" HEIGHT="{size}">'
            f'<IMG SRC="{_html(node.icon)}" SCALE="TRUE"/></TD></TR>'
        )
    # No icon in the set (Vagrant): a rounded square with the initial, in the icon's place.
    return (
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{size}" HEIGHT="{size}" BORDER="2" '
        f'STYLE="ROUNDED" COLOR="{MUTED}"><FONT POINT-SIZE="18"><B>'
        f"{_html(node.label[:1])}</B></FONT></TD></TR>"
    )


def _node_label(node: Node) -> str:
    if node.marker:  # just the icon: the name is on the node it marks
        return f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="1">{_icon_cell(node)}</TABLE>>'
    rows = [] if node.plain else [_icon_cell(node)]
    size = 9 if node.plain else 11
    for line in wrap_name(node.label):
        rows.append(f'<TR><TD><FONT POINT-SIZE="{size}">{_html(line)}</FONT></TD></TR>')
    for line in wrap_note(node.note):
        rows.append(f'<TR><TD><FONT POINT-SIZE="9" COLOR="{MUTED}">{_html(line)}</FONT></TD></TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def wrap_name(label: str, width: int = LABEL_WIDTH) -> list[str]:
    """A long name on two lines: at " / " if it has one, else between two CamelCase words."""
    if len(label) <= width:
        return [label]
    if " / " in label:
        head, tail = label.rsplit(" / ", 1)
        return [head + " /", *wrap_name(tail, width)]
    words = re.findall(r"[A-Z]?[^A-Z\s]+|\S", label)
    if len(words) < 2:
        return [label]
    middle = min(range(1, len(words)), key=lambda i: abs(len("".join(words[:i])) - len(label) / 2))
    return ["".join(words[:middle]), "".join(words[middle:])]


def wrap_note(note: str, width: int = NOTE_WIDTH) -> list[str]:
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
    size = 10 if group.style.endswith("_subnet") else 12
    # "Public subnet · 10.30.0.0/24": the name in bold, the details on a second line.
    name, _, details = group.label.partition(" · ")
    label = f"<B>{_html(name)}</B>" + (f'<BR ALIGN="LEFT"/>{_html(details)}' if details else "")
    lines = [
        f'{indent}subgraph "cluster_{group.id}" {{',
        f'{indent}  label=<{label}<BR ALIGN="LEFT"/>>; labeljust="l"; fontcolor="{colour}"; fontsize={size};',
        f'{indent}  color="{colour}"; style="{",".join(style)}"; penwidth=1.5;'
        + (f' fillcolor="{fill}";' if fill else ""),
    ]
    lines += _contents(diagram, group.id, indent + "  ")
    lines.append(f"{indent}}}")
    return lines


def _node_line(node: Node, indent: str) -> str:
    if node.plain and not node.label:
        return f'{indent}"{node.id}" [shape=point, style=invis, width=0.1];'
    return f'{indent}"{node.id}" [label={_node_label(node)}];'


def _contents(diagram: Diagram, group_id: str, indent: str) -> list[str]:
    groups, nodes = diagram.children(group_id)
    stacked = {n: i for i, column in enumerate(diagram.columns) for n in column}
    lines = [_node_line(n, indent) for n in nodes if n.id not in stacked]
    for index in range(len(diagram.columns)):  # an invisible box: kept to one side
        inside = [n for n in nodes if stacked.get(n.id) == index]
        if inside:
            lines.append(f'{indent}subgraph "cluster_column_{index}" {{ style=invis; label="";')
            lines += [_node_line(n, indent + "  ") for n in inside]
            lines.append(f"{indent}}}")
    for group in groups:
        lines += _group_lines(diagram, group, indent)
    return lines


def legend_rows(diagram: Diagram) -> list[str]:
    """A line sample per edge kind used, a swatch per subnet tier used, the marker note."""
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
    if any(n.marker for n in diagram.nodes.values()):
        rows.append(f'<TR><TD></TD><TD ALIGN="LEFT">{_html(MARKER_TEXT)}</TD></TR>')
    return rows


def _graph_label(diagram: Diagram) -> str:
    """The title, and the legend beside it: two columns of rows so it stays short."""
    text = _html(diagram.title)
    if diagram.wrap_title:
        text = text.replace(": ", ':<BR ALIGN="LEFT"/>', 1) + '<BR ALIGN="LEFT"/>'
    title = f'<TD ALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="15"><B>{text}</B></FONT></TD>'
    rows = legend_rows(diagram)
    if not rows:
        return f'<<TABLE BORDER="0"><TR>{title}</TR></TABLE>>'
    half = (len(rows) + 1) // 2
    columns = "".join(
        '<TD VALIGN="TOP"><TABLE BORDER="0" CELLSPACING="1" CELLPADDING="1">'
        + "".join(part)
        + "</TABLE></TD>"
        for part in (rows[:half], rows[half:])
        if part
    )
    legend = (
        f'<TD><TABLE BORDER="1" COLOR="{MUTED}" STYLE="ROUNDED" CELLBORDER="0" CELLSPACING="4">'
        f'<TR><TD ALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="9"><B>Legend</B></FONT></TD>'
        f'<TD><FONT POINT-SIZE="9"><TABLE BORDER="0" CELLSPACING="0"><TR>{columns}</TR></TABLE>'
        "</FONT></TD></TR></TABLE></TD>"
    )
    return f'<<TABLE BORDER="0" CELLSPACING="12"><TR>{title}{legend}</TR></TABLE>>'


def to_dot(diagram: Diagram) -> str:
    # With fans, few crossing-minimisation passes, so that the fanned order survives.
    passes = " mclimit=0.01," if diagram.fans else ""
    # Left to right, ranks are columns: keep the gaps between them narrow (labels widen them).
    ranksep = 0.15 if diagram.direction == "LR" else 0.3
    lines = [
        f'digraph "{diagram.name}" {{',
        f'  graph [rankdir="{diagram.direction}", fontname="{FONT}", fontsize=12, nodesep=0.15,'
        f' ranksep={ranksep}, compound=true, newrank=true, pad=0.15, labelloc="t", labeljust="l",{passes}'
        f' label={_graph_label(diagram)}, fontcolor="{TEXT}"];',
        f'  node [fontname="{FONT}", shape=plain, fontcolor="{TEXT}"];',
        f'  edge [fontname="{FONT}", fontsize=9, arrowsize=0.7, fontcolor="{MUTED}"];',
    ]
    lines += _contents(diagram, "", "  ")
    for edge in diagram.sorted_edges():
        colour, style, _, _ = EDGE_STYLES[edge.kind]
        label = f', label="{_html(edge.label)}"' if edge.label else ""
        if edge.label and diagram.direction == "TB":  # a margin: neighbouring labels never touch
            label = (
                f', label=<<TABLE BORDER="0" CELLPADDING="{LABEL_MARGIN}"><TR>'
                f"<TD>{_html(edge.label)}</TD></TR></TABLE>>"
            )
        width = 2 if style == "dotted" else 1.3
        loose = ", constraint=false" if (edge.source, edge.target) in diagram.loose_edges else ""
        lines.append(
            f'  "{edge.source}" -> "{edge.target}" [color="{colour}", style="{style}",'
            f" penwidth={width}{label}{loose}];"
        )
    for column in diagram.same_rank:
        lines.append("  { rank=same; " + " ".join(f'"{n}";' for n in sorted(column)) + " }")
    for source, target in sorted(diagram.order_edges):
        lines.append(f'  "{source}" -> "{target}" [style=invis];')
    for column in diagram.columns:  # heavy invisible edges keep a column straight
        for source, target in zip(column, column[1:], strict=False):
            lines.append(f'  "{source}" -> "{target}" [style=invis, weight=10];')
    for source, targets in sorted(diagram.fans.items()):
        lines.append(f'  "{source}" [ordering=out];')
        lines += [f'  "{source}" -> "{target}" [style=invis];' for target in targets]
    lines.append("}")
    return "\n".join(lines) + "\n"
