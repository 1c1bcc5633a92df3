"""Static checks of ansible/ and of every YAML file: no target host needed (part of `make test`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_DIR = REPO / "ansible"
EXAMPLE_PASSWORD = ANSIBLE_DIR / "vault-password.example"
VAULT_FILE = ANSIBLE_DIR / "inventories" / "example" / "group_vars" / "all" / "vault.yml"
# The tools of this project's venv, also when pytest is started without activating it.
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def run(*command: str, cwd: Path = ANSIBLE_DIR) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def test_yamllint_passes_on_the_whole_repository():
    result = run("yamllint", "--strict", ".", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ansible_lint_production_profile():
    result = run("ansible-lint", "--profile", "production")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.parametrize("inventory", ["vagrant", "example"])
def test_playbook_syntax(inventory):
    result = run(
        "ansible-playbook",
        "--syntax-check",
        "-i",
        f"inventories/{inventory}",
        "--vault-password-file",
        str(EXAMPLE_PASSWORD),
        "site.yml",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_secrets_are_encrypted_and_open_with_the_example_password():
    assert VAULT_FILE.read_text().startswith("$ANSIBLE_VAULT;1.1;AES256\n")
    result = run(
        "ansible",
        "-i",
        "inventories/example",
        "app1.example.com",
        "-m",
        "ansible.builtin.debug",
        "-a",
        "var=app_db_password",
        "--vault-password-file",
        str(EXAMPLE_PASSWORD),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"app_db_password": "example-notes-password"' in result.stdout


def test_example_secrets_do_not_open_with_another_password(tmp_path):
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    result = run("ansible-vault", "view", "--vault-password-file", str(wrong), str(VAULT_FILE))
    assert result.returncode != 0
