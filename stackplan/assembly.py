"""Reading a CDK cloud assembly (cdk.out): environments, stacks, templates, construct paths.

An environment is one nested Stage assembly (a manifest artifact of type ``cdk:cloud-assembly``);
an app without stages is one environment made of its top-level stacks. Only files the CDK
documents are read: manifest.json, the templates, and each stack's metadata (in the manifest or
in its ``additionalMetadataFile``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

NESTED_ASSEMBLY = "cdk:cloud-assembly"
STACK = "aws:cloudformation:stack"
ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


class AssemblyError(Exception):
    """The assembly is missing, unreadable, or has no such environment."""


def read_json(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise AssemblyError(f"{path}: not found (synthesize first: cdk synth)") from None
    except (OSError, ValueError) as error:
        raise AssemblyError(f"{path}: not a readable JSON file ({error})") from None
    if not isinstance(data, dict):
        raise AssemblyError(f"{path}: expected a JSON object")
    return data


@dataclass
class StackArtifact:
    artifact_id: str
    name: str  # the display name's last part, e.g. "Network"
    display_name: str  # e.g. "prod/Network"
    account: str
    region: str
    template: dict
    paths: dict[str, str]  # logical id -> construct path
    acknowledged: list[str]

    @property
    def resources(self) -> dict[str, dict]:
        return self.template.get("Resources") or {}


@dataclass
class Environment:
    name: str
    stacks: list[StackArtifact] = field(default_factory=list)
    # Top-level stacks of an app that also has Stages (e.g. an account-wide CI stack): listed
    # by the summary, but not an environment to draw or compare.
    shared: bool = False

    @property
    def region(self) -> str:
        regions = sorted({s.region for s in self.stacks if s.region})
        return regions[0] if regions else ""

    @property
    def resource_count(self) -> int:
        """Deployable resources; CDK's version-reporting AWS::CDK::Metadata is not one."""
        return sum(
            1 for s in self.stacks for r in s.resources.values() if r.get("Type") != "AWS::CDK::Metadata"
        )

    @property
    def acknowledged(self) -> list[str]:
        return sorted(rule for s in self.stacks for rule in s.acknowledged)


def _environment_parts(environment: str) -> tuple[str, str]:
    """'aws://123/eu-west-1' -> ('123', 'eu-west-1'); unresolved parts become ''."""
    parts = environment.removeprefix("aws://").split("/")
    account, region = (parts + ["", ""])[:2]
    unknown = ("unknown-account", "unknown-region")
    return ("" if account in unknown else account, "" if region in unknown else region)


def _metadata(directory: Path, artifact: dict) -> dict:
    metadata = dict(artifact.get("metadata") or {})
    extra = artifact.get("additionalMetadataFile")
    if extra:
        metadata.update(read_json(directory / extra))
    return metadata


def _acknowledged_rules(entries: list) -> list[str]:
    """Rule ids acknowledged on one construct; the data maps "Annotation::<rule>" to a reason."""
    rules = []
    for entry in entries:
        if entry.get("type") == ACKNOWLEDGED and isinstance(entry.get("data"), dict):
            rules += [key.removeprefix("Annotation::") for key in entry["data"]]
    return rules


def _read_stack(directory: Path, artifact_id: str, artifact: dict) -> StackArtifact:
    properties = artifact.get("properties") or {}
    template_file = properties.get("templateFile") or f"{artifact_id}.template.json"
    template = read_json(directory / template_file)
    paths: dict[str, str] = {}
    acknowledged: list[str] = []
    for path, entries in _metadata(directory, artifact).items():
        for entry in entries:
            if entry.get("type") == "aws:cdk:logicalId" and isinstance(entry.get("data"), str):
                paths[entry["data"]] = path
        acknowledged += _acknowledged_rules(entries)
    display = artifact.get("displayName") or artifact_id
    account, region = _environment_parts(artifact.get("environment") or "")
    return StackArtifact(
        artifact_id=artifact_id,
        name=display.split("/")[-1],
        display_name=display,
        account=account,
        region=region,
        template=template,
        paths=paths,
        acknowledged=acknowledged,
    )


def _stacks(directory: Path, manifest: dict) -> list[StackArtifact]:
    artifacts = manifest.get("artifacts") or {}
    return [
        _read_stack(directory, artifact_id, artifact)
        for artifact_id, artifact in sorted(artifacts.items())
        if artifact.get("type") == STACK
    ]


def read_assembly(directory: Path | str) -> list[Environment]:
    """All environments of the assembly in ``directory``, in the order the app defines them."""
    directory = Path(directory)
    if not directory.is_dir():
        raise AssemblyError(f"{directory}: no such assembly directory (synthesize first: cdk synth)")
    manifest = read_json(directory / "manifest.json")
    if "artifacts" not in manifest:
        raise AssemblyError(f"{directory / 'manifest.json'}: no 'artifacts' (not a cloud assembly)")
    environments = []
    for artifact_id, artifact in manifest["artifacts"].items():  # in the app's order
        if artifact.get("type") != NESTED_ASSEMBLY:
            continue
        properties = artifact.get("properties") or {}
        nested = directory / properties.get("directoryName", artifact_id)
        name = properties.get("displayName") or artifact_id.removeprefix("assembly-")
        stacks = _stacks(nested, read_json(nested / "manifest.json"))
        environments.append(Environment(name=name, stacks=stacks))
    top_level = _stacks(directory, manifest)
    if environments and top_level:
        environments.append(Environment(name="shared", stacks=top_level, shared=True))
    elif not environments:
        environments.append(Environment(name="app", stacks=top_level))
    return environments


def select(environments: list[Environment], name: str | None) -> list[Environment]:
    """The environment called ``name`` (all when None); an unknown name lists the valid ones."""
    if name is None:
        return environments
    chosen = [e for e in environments if e.name == name]
    if not chosen:
        valid = ", ".join(e.name for e in environments) or "none"
        raise AssemblyError(f"no environment named {name!r} in the assembly; valid: {valid}")
    return chosen
