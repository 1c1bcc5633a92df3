"""Static checks of vagrant/: `vagrant validate` on the settings, good and bad (no VM started)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import tiers

REPO = Path(__file__).resolve().parents[2]
VAGRANT_DIR = REPO / "vagrant"
HOW = "apt-get install vagrant"


def validate(cwd: Path = VAGRANT_DIR, **settings: str) -> subprocess.CompletedProcess:
    """`vagrant validate` with STACKPLAN_VM_<KEY> overrides (and none inherited from the caller)."""
    tiers.require_tool("vagrant", HOW)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STACKPLAN_VM_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.update({f"STACKPLAN_VM_{key.upper()}": value for key, value in settings.items()})
    return subprocess.run(
        ["vagrant", "validate"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_defaults_are_valid():
    result = validate()
    assert result.returncode == 0, result.stdout + result.stderr


def test_environment_overrides_are_valid():
    result = validate(
        memory="4096",
        libvirt_driver="qemu",
        network_isolated="true",
        provisioner="ansible_local",
        ansible_extra_vars="{app_port: 8001}",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("memory", "lots", "megabytes"),
        ("cpus", "0", "at least 1"),
        ("private_ip", "192.168.56.300", "IPv4 address"),
        ("app_host_port", "70000", "1-65535"),
        ("libvirt_driver", "xen", "one of kvm, qemu"),
        ("provisioner", "puppet", "one of auto, ansible, ansible_local"),
        ("name", "Not_A_Hostname", "host name"),
    ],
)
def test_a_bad_value_fails_naming_the_key_and_what_is_valid(key, value, expected):
    result = validate(**{key: value})
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert f"{key}: " in message and f"STACKPLAN_VM_{key.upper()}" in message, message
    assert expected in message, message


def test_an_unknown_key_in_the_local_file_is_named(tmp_path):
    copy = tmp_path / "vagrant"
    copy.mkdir()
    for name in ("Vagrantfile", "config.yml"):
        shutil.copy(VAGRANT_DIR / name, copy / name)
    (copy / "config.local.yml").write_text("memroy: 4096\n")
    result = validate(cwd=copy)
    assert result.returncode != 0
    assert "memroy (in config.local.yml) is not a setting" in result.stdout + result.stderr
