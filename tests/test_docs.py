"""Documentation that states figures is checked against the code that defines them."""

from __future__ import annotations

import re

from stacks.config import ENVIRONMENTS, EnvironmentConfig
from tests.support.synth import ROOT

NAMES = ("dev", "staging", "prod")


def _nat(c: EnvironmentConfig) -> str:
    if c.nat == "instance":
        return f"{c.nat_count} NAT instance (t4g.nano)"
    plural = "s" if c.nat_count > 1 else ""
    suffix = " (one per zone)" if c.nat_count == c.max_azs and c.nat_count > 1 else ""
    return f"{c.nat_count} NAT gateway{plural}{suffix}"


def _number(value: float) -> str:
    return f"{value:g}"


def _removal(c: EnvironmentConfig) -> str:
    return {
        "destroy": "destroyed",
        "snapshot": "database snapshot, buckets kept",
        "retain": "everything kept",
    }[c.removal_policy]


ROWS = {
    "Availability zones": lambda c: str(c.max_azs),
    "NAT": _nat,
    "Task size (CPU units / MiB)": lambda c: f"{c.task_cpu} / {c.task_memory_mib}",
    "Tasks (min–max)": lambda c: f"{c.min_tasks}–{c.max_tasks}",
    "Fargate capacity": lambda c: "Spot" if c.use_fargate_spot else "On demand",
    "Scale-out targets (CPU % / requests per task)": lambda c: (
        f"{c.cpu_target_percent} / {c.requests_per_target}"
    ),
    "Aurora capacity (ACU min–max)": lambda c: (
        f"{_number(c.db_min_acu)}–{_number(c.db_max_acu)}"
        + (" (pauses when idle)" if c.db_min_acu == 0 else "")
    ),
    "Aurora readers": lambda c: str(c.db_readers),
    "Backups kept (days)": lambda c: str(c.db_backup_days),
    "Deletion protection": lambda c: "yes" if c.deletion_protection else "no",
    "Data on stack deletion": _removal,
    "Log retention (days)": lambda c: str(c.log_retention_days),
    "Domain": lambda c: c.domain_name or "none",
}


def test_environments_table_matches_config():
    text = (ROOT / "docs" / "environments.md").read_text()
    table = re.search(r"<!-- environments-table:start -->\n(.*?)<!-- environments-table:end -->", text, re.S)
    assert table, "docs/environments.md lost its table markers"
    expected = ["| Setting | dev | staging | prod |", "|---|---|---|---|"] + [
        f"| {label} | " + " | ".join(cell(ENVIRONMENTS[name]) for name in NAMES) + " |"
        for label, cell in ROWS.items()
    ]
    assert table.group(1).strip().splitlines() == expected


def test_relative_links_in_readme_and_docs_resolve():
    broken = []
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", document.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (document.parent / target).exists():
                broken.append(f"{document.relative_to(ROOT)} -> {target}")
    assert broken == []
