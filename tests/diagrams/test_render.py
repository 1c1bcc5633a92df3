"""Rendering: deterministic text, self-contained SVG, non-trivial PNG, no machine paths."""

from __future__ import annotations

import re
import struct
import tempfile
from pathlib import Path

import pytest

from stackplan.render import graphviz_version, render_all
from tests.support.tiers import require_tool

# Paths of this machine that must never end up in an output file.
LOCAL_PATH = re.compile(
    "|".join(
        re.escape(str(p)) for p in (Path(__file__).resolve().parents[2], Path.home(), tempfile.gettempdir())
    )
    + "|site-packages"
)


def test_text_outputs_are_deterministic(assemblies, tmp_path):
    first = render_all(assemblies["vpc_worker"], tmp_path / "a", formats=("mmd", "dot"))
    second = render_all(assemblies["vpc_worker"], tmp_path / "b", formats=("mmd", "dot"))
    names = sorted(p.name for p in first.written)
    assert names == ["cloud-test.dot", "cloud-test.mmd", "environments.md"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert not LOCAL_PATH.search((tmp_path / "a" / name).read_text())
    assert sorted(p.name for p in second.written) == names


@pytest.mark.parametrize("app", ["serverless_api", "static_website", "vpc_worker"])
def test_svg_and_png(assemblies, tmp_path, app):
    require_tool("dot", "apt-get install graphviz")
    result = render_all(assemblies[app], tmp_path, formats=("svg", "png"))
    assert result.graphviz == graphviz_version()
    (svg,) = tmp_path.glob("*.svg")
    text = svg.read_text()
    assert "data:image/png;base64," in text
    assert not LOCAL_PATH.search(text) and '.png"' not in text
    (png,) = tmp_path.glob("*.png")
    data = png.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    assert len(data) > 20_000 and width > 400 and height > 200
