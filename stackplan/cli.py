"""The `stackplan` command: `diagrams` renders diagrams/, `summary` prints one block per environment.

stackplan diagrams [--assembly cdk.out] [--out diagrams] [--env NAME] [--format svg,png,mmd,dot]
stackplan summary [--assembly cdk.out]
"""

from __future__ import annotations

import argparse
import sys
import time

from stackplan import catalog
from stackplan.assembly import AssemblyError, read_assembly
from stackplan.render import FORMATS, render_all


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown format {unknown[0]!r}; choose from {FORMATS}")
    return formats


def diagrams(args: argparse.Namespace) -> int:
    folded = (set(catalog.FOLDED) | set(args.fold)) - set(args.show)
    started = time.perf_counter()
    result = render_all(
        args.assembly,
        args.out,
        formats=args.format,
        env=args.env,
        project=None if args.no_project else args.project,
        folded=folded,
        refresh_docs=not args.no_project,
    )
    elapsed = time.perf_counter() - started
    for warning in result.warnings:
        print(f"stackplan: {warning}", file=sys.stderr)
    images = [p for p in result.written if p.suffix in (".svg", ".png", ".mmd", ".dot")]
    print(f"stackplan: {len(images)} diagram files in {args.out}/ ({elapsed:.2f} s)")
    return 0


def summary(args: argparse.Namespace) -> int:
    for environment in read_assembly(args.assembly):
        stacks = ", ".join(s.name for s in environment.stacks) or "no stacks"
        region = f" ({environment.region})" if environment.region else ""
        acknowledged = len([r for r in environment.acknowledged if r.startswith("AwsSolutions-")])
        count = len(environment.stacks)
        print(f"{environment.name}{region}: {count} stack{'s' if count != 1 else ''}: {stacks}")
        print(
            f"  {environment.resource_count} resources; "
            f"cdk-nag AwsSolutions: 0 open, {acknowledged} acknowledged"
        )
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="stackplan", description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command", required=True)

    render = commands.add_parser("diagrams", help="render the architecture diagrams")
    render.add_argument("--assembly", default="cdk.out", help="the cloud assembly (cdk.out)")
    render.add_argument("--out", default="diagrams", help="where to write them (diagrams)")
    render.add_argument("--env", help="only this environment's cloud diagram")
    render.add_argument(
        "--format", type=_formats, default=FORMATS, help="comma-separated: svg,png,mmd,dot (all)"
    )
    render.add_argument(
        "--project", default=".", help="the project whose compose/Vagrant/Ansible/CI files to draw (.)"
    )
    render.add_argument(
        "--no-project",
        action="store_true",
        help="cloud diagrams only (for an assembly that is not stackplan's)",
    )
    render.add_argument(
        "--fold",
        action="append",
        default=[],
        metavar="TYPE",
        help="also fold this resource type (repeatable)",
    )
    render.add_argument(
        "--show",
        action="append",
        default=[],
        metavar="TYPE",
        help="draw this normally folded type as a node (repeatable)",
    )
    render.set_defaults(run=diagrams)

    report = commands.add_parser("summary", help="one block per environment")
    report.add_argument("--assembly", default="cdk.out", help="the cloud assembly (cdk.out)")
    report.set_defaults(run=summary)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except AssemblyError as error:
        print(f"stackplan: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
