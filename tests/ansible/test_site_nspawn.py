"""Tier `ansible`: ansible/site.yml applied twice to a booted Debian 12 container.

The common and docker roles run here. The app role does not: the Docker daemon runs in the
container, but containers cannot start inside it on this kind of host (cgroup v1 hierarchies
are read-only in nspawn: runc fails with "mkdir /sys/fs/cgroup/cpuset/docker: read-only file
system"), so the app role is proven in the VM tier (tests/vm) instead (--skip-tags app here).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import tiers
from tests.support.debian import debootstrap
from tests.support.nspawn import TARGET_PACKAGES, booted
from tests.support.vm import REPO, role_packages

pytestmark = pytest.mark.ansible

ANSIBLE_DIR = REPO / "ansible"
# The Ansible of this project's venv, also when pytest is started without activating it.
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
HOW = "apt-get install systemd-container debootstrap (and run as root)"
# Offline container: the apt lists of the cached tree count as fresh (see tests/support/nspawn.py).
OFFLINE_VARS = {
    "common_apt_cache_valid_time": 10 * 365 * 86400,
    "docker_apt_cache_valid_time": 10 * 365 * 86400,
}


def play(inventory) -> tuple[dict[str, int], str]:
    result = subprocess.run(
        [
            "ansible-playbook",
            "-i",
            "inventories/vagrant",
            "-i",
            str(inventory),
            "site.yml",
            "--skip-tags",
            "app",
            "--extra-vars",
            json.dumps(OFFLINE_VARS),
        ],
        cwd=ANSIBLE_DIR,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=900,
    )
    match = re.search(
        r"nspawn-target\s*: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", result.stdout
    )
    assert result.returncode == 0 and match, result.stdout[-4000:] + result.stderr[-2000:]
    ok, changed, unreachable, failed = map(int, match.groups())
    return {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed}, result.stdout


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    tiers.require_root(HOW)
    for tool in ("systemd-nspawn", "debootstrap", "nsenter"):
        tiers.require_tool(tool, HOW)
    tree = debootstrap("ansible-target", include=TARGET_PACKAGES)
    with booted(tree, tmp_path_factory.mktemp("nspawn"), role_packages()) as container:
        yield container


@pytest.fixture(scope="module")
def runs(target):
    """Run the playbook twice; return both recaps and the Docker daemon's PID around run 2."""
    start = time.monotonic()
    first, _ = play(target.inventory)
    first_seconds = time.monotonic() - start
    pid_before = target.run("systemctl", "show", "--property=MainPID", "--value", "docker").stdout
    start = time.monotonic()
    second, output = play(target.inventory)
    second_seconds = time.monotonic() - start
    pid_after = target.run("systemctl", "show", "--property=MainPID", "--value", "docker").stdout
    print(f"\nansible tier: first run {first_seconds:.0f} s {first}, second {second_seconds:.0f} s {second}")
    return {
        "first": first,
        "second": second,
        "second_output": output,
        "docker_pids": (pid_before.strip(), pid_after.strip()),
    }


def test_first_run_changes_and_second_run_changes_nothing(runs):
    assert runs["first"]["changed"] > 0 and runs["first"]["failed"] == 0
    assert runs["second"]["changed"] == 0, runs["second_output"][-4000:]


def test_docker_is_not_restarted_when_nothing_changed(runs):
    before, after = runs["docker_pids"]
    assert before not in ("", "0") and before == after


@pytest.mark.parametrize("package", role_packages())
def test_package_installed(target, runs, package):
    status = target.run("dpkg-query", "--show", "--showformat=${Status}", package, check=False)
    assert status.stdout == "install ok installed", status.stderr


@pytest.mark.parametrize("service", ["ssh", "docker", "containerd", "unattended-upgrades"])
def test_service_active_and_enabled(target, runs, service):
    assert target.run("systemctl", "is-active", service, check=False).stdout.strip() == "active"
    assert target.run("systemctl", "is-enabled", service, check=False).stdout.strip() == "enabled"


def mode_owner(target, path: str) -> str:
    return target.run("stat", "--format=%a %U %G", path).stdout.strip()


def test_docker_daemon_json_rotates_logs(target, runs):
    assert mode_owner(target, "/etc/docker/daemon.json") == "644 root root"
    settings = json.loads((target.root / "etc/docker/daemon.json").read_text())
    assert settings == {"log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}}
    # The running daemon uses it.
    info = target.run("docker", "info", "--format", "{{.LoggingDriver}}").stdout.strip()
    assert info == "json-file"


def test_deploy_user_can_use_docker(target, runs):
    assert "docker" in target.run("id", "--name", "--groups", "deploy").stdout.split()
    assert mode_owner(target, "/home/deploy/.ssh") == "700 deploy deploy"
    assert mode_owner(target, "/home/deploy/.ssh/authorized_keys") == "600 deploy deploy"


def test_sshd_runs_with_the_hardening(target, runs):
    assert mode_owner(target, "/etc/ssh/sshd_config.d/50-stackplan-hardening.conf") == "644 root root"
    effective = target.run("sshd", "-T").stdout
    for line in (
        "permitrootlogin no",
        "passwordauthentication no",
        "x11forwarding no",
        "kbdinteractiveauthentication no",
    ):
        assert line in effective.splitlines()


def test_time_zone(target, runs):
    assert (target.root / "etc/timezone").read_text() == "Etc/UTC\n"
    assert target.run("readlink", "/etc/localtime").stdout.strip() == "/usr/share/zoneinfo/Etc/UTC"


def test_unattended_upgrades_are_on(target, runs):
    periodic = (target.root / "etc/apt/apt.conf.d/20auto-upgrades").read_text()
    assert 'APT::Periodic::Unattended-Upgrade "1";' in periodic
    policy = (target.root / "etc/apt/apt.conf.d/52stackplan-unattended-upgrades").read_text()
    assert 'Unattended-Upgrade::Automatic-Reboot "false";' in policy
