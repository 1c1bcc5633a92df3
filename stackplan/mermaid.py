"""A Diagram as Mermaid flowchart text, which GitHub renders inside Markdown.

Mermaid has no icons here; groups keep their AWS colours and edges their line styles."""

from __future__ import annotations

from stackplan.model import Diagram
from stackplan.styles import EDGE_STYLES, GROUP_STYLES


def _text(text: str) -> str:
    return text.replace('"', "'").replace("<", "&lt;").replace(">", "&gt;")


def _contents(diagram: Diagram, group_id: str, indent: str, lines: list[str]) -> None:
    groups, nodes = diagram.children(group_id)
    for node in nodes:
        if node.marker or node.plain and not node.label:  # layout aids, icons only
            continue
        label = _text(node.label) or " "
        if node.note:
            label += f"<br/><small>{_text(node.note)}</small>"
        lines.append(f'{indent}{node.id}["{label}"]')
    for group in groups:
        lines.append(f'{indent}subgraph {group.id}["{_text(group.label)}"]')
        _contents(diagram, group.id, indent + "  ", lines)
        lines.append(f"{indent}end")


def to_mermaid(diagram: Diagram) -> str:
    lines = [f"---\ntitle: {_text(diagram.title)}\n---", f"flowchart {diagram.direction}"]
    _contents(diagram, "", "  ", lines)
    for edge in diagram.sorted_edges():
        arrow = EDGE_STYLES[edge.kind][2]
        label = f"|{_text(edge.label)}|" if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    kinds = diagram.kinds_used()
    if kinds:
        lines.append('  subgraph legend["Legend"]')
        for index, kind in enumerate(kinds):
            arrow, text = EDGE_STYLES[kind][2], EDGE_STYLES[kind][3]
            lines.append(f'    legend_{index}a[" "] {arrow}|"{_text(text)}"| legend_{index}b[" "]')
        lines.append("  end")
    for group in sorted(diagram.groups.values(), key=lambda g: g.id):
        colour, fill, dashed = GROUP_STYLES.get(group.style, GROUP_STYLES["generic"])
        dash = ",stroke-dasharray:5 5" if dashed else ""
        lines.append(f"  style {group.id} fill:{fill or '#FFFFFF'},stroke:{colour}{dash}")
    return "\n".join(lines) + "\n"
