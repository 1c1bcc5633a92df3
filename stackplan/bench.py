"""`make bench`: how long the main jobs take on this machine.

Measures, with the real tools:
- `cdk synth` of each environment alone, and of all three in one process (target: all three
  within 1.5x of the slowest single environment, because start-up is paid once);
- rendering every diagram from an existing cdk.out (target: 0.5 s or less);
- the static test suite, i.e. `make test` without the docker, ansible and vm tiers (target: 60 s).

Timing lives here, never in a test: a test that fails when the machine is busy teaches nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ("dev", "staging", "prod")
STATIC_MARKERS = "not docker and not ansible and not vm"


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    """The median wall time of ``repeat`` runs of ``action``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(command: list[str]) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def cdk_synth(outdir: Path, *context: str) -> Callable[[], None]:
    cdk = str(ROOT / "node_modules" / ".bin" / "cdk")
    arguments = [item for pair in context for item in ("-c", pair)]
    return lambda: run([cdk, "synth", "--quiet", "--no-notices", "--output", str(outdir), *arguments])


def render_all(assembly: Path, out: Path) -> Callable[[], None]:
    from stackplan.render import render_all as render

    return lambda: render(assembly, out, project=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stackplan.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per synth measurement (median)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the static test suite")
    args = parser.parse_args(argv)

    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="stackplan-bench-") as scratch:
        scratch_dir = Path(scratch)
        # The first synth on a machine fills jsii's cache; keep it out of the figures.
        timed(cdk_synth(scratch_dir / "warm-up", "env=dev"))

        single = {}
        for name in ENVIRONMENTS:
            single[name] = timed(cdk_synth(scratch_dir / name, f"env={name}"), args.repeat)
            rows.append((f"cdk synth -c env={name}", single[name], ""))
        all_in_one = timed(cdk_synth(scratch_dir / "all"), args.repeat)
        slowest = max(single.values())
        ratio = all_in_one / slowest
        verdict = "ok" if ratio <= 1.5 else "over target"
        rows.append(
            (
                "cdk synth (all three, one process)",
                all_in_one,
                f"{ratio:.2f}x slowest single; target 1.5x: {verdict}",
            )
        )

        render = timed(render_all(scratch_dir / "all", scratch_dir / "diagrams"), 5)
        rows.append(
            (
                "render every diagram (svg, png, mmd, dot)",
                render,
                "target 0.5 s: " + ("ok" if render <= 0.5 else "over target"),
            )
        )
        shutil.rmtree(scratch_dir / "diagrams", ignore_errors=True)

    if not args.skip_tests:
        suite = timed(
            lambda: run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", STATIC_MARKERS]
            )
        )
        rows.append(("static test suite", suite, "target 60 s: " + ("ok" if suite <= 60 else "over target")))

    width = max(len(label) for label, _, _ in rows)
    print(f"stackplan bench on {os.cpu_count()} cores (median of {args.repeat} runs for synth, 5 for render)")
    for label, seconds, note in rows:
        print(f"  {label:<{width}}  {seconds:7.2f} s  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
