"""Session-wide fixtures: every environment is synthesized ONCE and shared by all tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

# The committed diagrams and these tests describe the offline assembly: the account and region
# of whoever runs the suite must not leak in (stacks/config.py reads them at import).
for variable in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"):
    os.environ.pop(variable, None)

import pytest  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from stacks.config import ENVIRONMENTS  # noqa: E402
from tests.support.synth import synthesize  # noqa: E402


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dev, staging and prod synthesized in one process, as `make synth` does; the cdk.out dir."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    synthesize(outdir)
    return outdir


@pytest.fixture(scope="session")
def templates(cloud_assembly: Path) -> dict[str, dict[str, dict]]:
    """{environment: {stack name (e.g. "Service"): template as JSON}} from the cloud assembly."""
    result: dict[str, dict[str, dict]] = {}
    for name in ENVIRONMENTS:
        stage_dir = cloud_assembly / f"assembly-{name}"
        manifest = json.loads((stage_dir / "manifest.json").read_text())
        result[name] = {}
        for artifact in manifest["artifacts"].values():
            if artifact["type"] != "aws:cloudformation:stack":
                continue
            stack = artifact["displayName"].split("/")[-1]
            template_file = stage_dir / artifact["properties"]["templateFile"]
            result[name][stack] = json.loads(template_file.read_text())
    return result


@pytest.fixture(params=list(ENVIRONMENTS), scope="session")
def env_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def stack_template(templates):
    """stack_template(env, "Service") -> aws_cdk.assertions.Template of that real template."""
    cache: dict[tuple[str, str], Template] = {}

    def get(env: str, stack: str) -> Template:
        if (env, stack) not in cache:
            cache[(env, stack)] = Template.from_json(templates[env][stack])
        return cache[(env, stack)]

    return get


TIER_ORDER = ("docker", "ansible", "vm")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the fast static checks first, then the tiers from cheapest to slowest."""

    def tier(item: pytest.Item) -> int:
        marks = {mark.name for mark in item.iter_markers()}
        return next((rank for rank, name in enumerate(TIER_ORDER, 1) if name in marks), 0)

    items.sort(key=tier)


@pytest.fixture(scope="session")
def ci_template(cloud_assembly: Path) -> dict:
    """The top-level Ci stack's template (stacks/ci.py), from the same shared synthesis."""
    return json.loads((cloud_assembly / "Ci.template.json").read_text())
