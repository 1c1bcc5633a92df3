"""Bad input gives one clear message naming the file or the valid choices."""

from __future__ import annotations

import pytest

from stackplan.assembly import AssemblyError, read_assembly, select
from stackplan.cli import main


def test_missing_assembly(tmp_path):
    with pytest.raises(AssemblyError, match="no such assembly directory"):
        read_assembly(tmp_path / "cdk.out")


def test_missing_manifest(tmp_path):
    with pytest.raises(AssemblyError, match=r"manifest\.json: not found"):
        read_assembly(tmp_path)


def test_corrupt_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(AssemblyError, match=r"manifest\.json: not a readable JSON file"):
        read_assembly(tmp_path)


def test_corrupt_template(tmp_path):
    (tmp_path / "manifest.json").write_text(
        '{"artifacts": {"S": {"type": "aws:cloudformation:stack",'
        ' "properties": {"templateFile": "S.template.json"}}}}'
    )
    (tmp_path / "S.template.json").write_text("[1, 2")
    with pytest.raises(AssemblyError, match=r"S\.template\.json"):
        read_assembly(tmp_path)


def test_unknown_environment_lists_valid_ones(assemblies, capsys):
    with pytest.raises(AssemblyError, match="valid: test"):
        select(read_assembly(assemblies["vpc_worker"]), "prod")
    assert (
        main(["diagrams", "--assembly", str(assemblies["vpc_worker"]), "--env", "prod", "--no-project"]) == 2
    )
    assert "valid: test" in capsys.readouterr().err


def test_cli_summary(assemblies, capsys):
    assert main(["summary", "--assembly", str(assemblies["vpc_worker"])]) == 0
    out = capsys.readouterr().out
    assert "test (eu-west-1): 2 stacks: Network, Worker" in out
    assert "cdk-nag AwsSolutions: 0 open, 0 acknowledged" in out
