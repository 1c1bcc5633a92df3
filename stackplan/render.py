"""Writing diagrams: Mermaid and DOT text always, SVG and PNG when Graphviz is installed.

`render_all(assembly, out)` is the whole job behind `stackplan diagrams` (and what `make bench`
times). Every output is deterministic: same inputs and Graphviz version, same bytes.
"""

from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from stackplan import compare
from stackplan.assembly import read_assembly, select
from stackplan.cloud import build_cloud
from stackplan.dot import to_dot
from stackplan.mermaid import to_mermaid
from stackplan.model import Diagram
from stackplan.project import project_diagrams

FORMATS = ("svg", "png", "mmd", "dot")
GRAPHVIZ_VERSION_FILE = ".graphviz-version"
INSTALL_HINT = (
    "Graphviz is not installed, so only .mmd and .dot were written. "
    "Install it for SVG and PNG: apt-get install graphviz (Debian/Ubuntu), "
    "brew install graphviz (macOS)."
)
IMAGE = re.compile(
    r'<image xlink:href="([^"]+)" width="([0-9.]+)px" height="([0-9.]+)px"'
    r' preserveAspectRatio="[^"]*" x="([-0-9.]+)" y="([-0-9.]+)"/>'
)


def icon_root() -> Path:
    """The icon set shipped by the `diagrams` package (its resources/ directory)."""
    import diagrams

    return Path(diagrams.__file__).resolve().parent.parent / "resources"


def graphviz_version() -> str | None:
    """'2.43.0' for the local `dot`, or None when Graphviz is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    result = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False)
    match = re.search(r"version (\S+)", result.stderr + result.stdout)
    return match.group(1) if match else "unknown"


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def embed_icons(svg: str, root: Path) -> str:
    """Replace each icon file reference by a reference to one embedded copy (a data URI)."""
    symbols: dict[str, str] = {}

    def use(match: re.Match) -> str:
        name, width, height, x, y = match.groups()
        symbol = "icon-" + re.sub(r"[^A-Za-z0-9]", "-", name.removesuffix(".png"))
        if symbol not in symbols:
            data = (root / name).read_bytes()
            w, h = _png_size(data)
            encoded = base64.b64encode(data).decode("ascii")
            symbols[symbol] = (
                f'<symbol id="{symbol}" viewBox="0 0 {w} {h}"><image width="{w}" height="{h}"'
                f' xlink:href="data:image/png;base64,{encoded}"/></symbol>'
            )
        return f'<use xlink:href="#{symbol}" x="{x}" y="{y}" width="{width}" height="{height}"/>'

    body = IMAGE.sub(use, svg)
    if not symbols:
        return body
    defs = "<defs>" + "".join(symbols[k] for k in sorted(symbols)) + "</defs>\n"
    return re.sub(r"(<svg[^>]*>\n)", lambda m: m.group(1) + defs, body, count=1)


@dataclass
class Result:
    written: list[Path] = field(default_factory=list)
    graphviz: str | None = None
    warnings: list[str] = field(default_factory=list)


def build_diagrams(
    assembly: Path | str,
    env: str | None = None,
    project: Path | str | None = None,
    folded: set[str] | None = None,
) -> tuple[list[Diagram], str]:
    """The diagrams (cloud per environment, then local, pipeline and overview) and the
    environment comparison table, without writing anything."""
    environments = [e for e in read_assembly(assembly) if not e.shared]
    chosen = select(environments, env)
    diagrams = [build_cloud(environment, folded) for environment in chosen]
    if project is not None:
        diagrams += project_diagrams(Path(project), environments)
    return diagrams, compare.table(environments)


def _write(path: Path, content: bytes, result: Result) -> None:
    if not path.exists() or path.read_bytes() != content:
        path.write_bytes(content)
    result.written.append(path)


def render_all(
    assembly: Path | str,
    out: Path | str,
    formats: tuple[str, ...] = FORMATS,
    env: str | None = None,
    project: Path | str | None = None,
    folded: set[str] | None = None,
    refresh_docs: bool = False,
) -> Result:
    """Render every diagram of ``assembly`` (and of ``project``'s local configs) into ``out``;
    with ``refresh_docs``, also update the Mermaid blocks of project/docs/architecture.md."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    diagrams, table = build_diagrams(assembly, env, project, folded)
    result = Result(graphviz=graphviz_version())
    _write(out / "environments.md", table.encode(), result)
    texts = {d.name: to_dot(d) for d in diagrams}
    for diagram in diagrams:
        if "mmd" in formats:
            _write(out / f"{diagram.name}.mmd", to_mermaid(diagram).encode(), result)
        if "dot" in formats:
            _write(out / f"{diagram.name}.dot", texts[diagram.name].encode(), result)
    if refresh_docs and project is not None and "mmd" in formats:
        _refresh_doc(Path(project) / "docs" / "architecture.md", out, result)
    images = [f for f in ("svg", "png") if f in formats]
    if images and result.graphviz is None:
        result.warnings.append(INSTALL_HINT)
    elif images:
        _run_graphviz(texts, out, images, result)
        _write(out / GRAPHVIZ_VERSION_FILE, f"{result.graphviz}\n".encode(), result)
    return result


MERMAID_BLOCK = re.compile(r"(<!-- mermaid: (\S+) -->\n```mermaid\n)(.*?)(```)", re.S)


def _refresh_doc(doc: Path, out: Path, result: Result) -> None:
    """Copy each diagram's Mermaid text into its marked block of docs/architecture.md."""
    if not doc.exists():
        return
    text = doc.read_text(encoding="utf-8")

    def current(match: re.Match) -> str:
        source = out / match.group(2)
        body = source.read_text(encoding="utf-8") if source.exists() else match.group(3)
        return match.group(1) + body + match.group(4)

    _write(doc, MERMAID_BLOCK.sub(current, text).encode(), result)


def _run_graphviz(texts: dict[str, str], out: Path, images: list[str], result: Result) -> None:
    """One `dot` per diagram, all running at once; each lays out once for both formats."""
    root = icon_root()
    running = []
    for name, text in sorted(texts.items()):
        command = ["dot", f"-Gimagepath={root}"]
        for fmt in images:
            command += [f"-T{'png:cairo' if fmt == 'png' else 'svg'}", "-o", str(out / f".{name}.{fmt}")]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        process.stdin.write(text)
        process.stdin.close()
        running.append((name, process))
    for name, process in running:
        errors = process.stderr.read()
        if process.wait() != 0:
            raise RuntimeError(f"dot failed on {name}: {errors.strip()}")
        for fmt in images:
            temporary = out / f".{name}.{fmt}"
            content = temporary.read_bytes()
            temporary.unlink()
            if fmt == "svg":
                content = embed_icons(content.decode(), root).encode()
            _write(out / f"{name}.{fmt}", content, result)
