"""The committed diagrams/ match what the generator makes from the assembly and the project files.

The assembly is the session's shared in-process synthesis (tests/conftest.py), which is what
`cdk synth` writes to cdk.out with no AWS profile configured.

Text outputs (.mmd, .dot, environments.md) always; SVG and PNG only when the local Graphviz is
the version that rendered the committed ones (diagrams/.graphviz-version), since another
version lays out differently. The Mermaid blocks in docs/architecture.md must match too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stackplan.render import GRAPHVIZ_VERSION_FILE, graphviz_version, render_all

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "diagrams"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, cloud_assembly):
    out = tmp_path_factory.mktemp("diagrams")
    recorded = COMMITTED / GRAPHVIZ_VERSION_FILE
    same = recorded.exists() and recorded.read_text().strip() == (graphviz_version() or "")
    formats = ("svg", "png", "mmd", "dot") if same else ("mmd", "dot")
    render_all(cloud_assembly, out, formats=formats, project=ROOT)
    return out


def test_committed_diagrams_are_current(fresh):
    stale = []
    for path in sorted(fresh.iterdir()):
        if path.name == GRAPHVIZ_VERSION_FILE:
            continue
        committed = COMMITTED / path.name
        if not committed.exists() or committed.read_bytes() != path.read_bytes():
            stale.append(path.name)
    assert not stale, f"diagrams/ is out of date ({', '.join(stale)}): run `make diagrams`"


def test_architecture_doc_embeds_current_mermaid(fresh):
    doc = (ROOT / "docs" / "architecture.md").read_text()
    blocks = dict(re.findall(r"<!-- mermaid: (\S+) -->\n```mermaid\n(.*?)```", doc, re.S))
    assert blocks, "docs/architecture.md embeds no Mermaid block"
    for name, text in blocks.items():
        assert text == (fresh / name).read_text(), f"docs/architecture.md: {name} is stale"


def test_pngs_are_non_trivial():
    for png in sorted(COMMITTED.glob("*.png")):
        data = png.read_bytes()
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert len(data) > 20_000 and width >= 600 and height >= 200, png.name


def test_pngs_fit_a_page():
    """Readable at README width: the overview, local and pipeline diagrams at most 1.3 page
    widths wide, and the cloud diagrams (regional services stacked in one column) at most 1.4."""
    for png in sorted(COMMITTED.glob("*.png")):
        width = int.from_bytes(png.read_bytes()[16:20], "big")
        bound = 1400 if png.name.startswith("cloud-") else 1300
        assert width <= bound, f"{png.name} is {width} px wide"


def test_every_diagram_has_a_legend():
    for path in sorted(COMMITTED.glob("*.dot")) + sorted(COMMITTED.glob("*.svg")):
        assert ">Legend<" in path.read_text(), path.name
