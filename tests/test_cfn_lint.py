"""cfn-lint on every synthesized template: no errors; warnings only those .cfnlintrc.yaml accepts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.synth import ROOT


def test_cfn_lint_is_clean_on_every_template(cloud_assembly):
    templates = sorted(str(p) for p in cloud_assembly.glob("assembly-*/*.template.json"))
    assert len(templates) == 18
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("cfn-lint")),
            "--config-file",
            str(ROOT / ".cfnlintrc.yaml"),
            "--",
            *templates,
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
