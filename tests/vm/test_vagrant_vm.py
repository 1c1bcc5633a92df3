"""Tier `vm`: the real `vagrant up` of vagrant/Vagrantfile, provisioned by ansible/site.yml.

The VM runs under libvirt with software emulation (driver qemu: KVM cannot run guests on the
CI machines) on an isolated network. Its box and the app's images come from this machine
(tests/support/vm.py says why). Timings are printed for the issue's closing figures.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import vagrant

from tests.support import tiers
from tests.support.debian import cache_root
from tests.support.vm import REPO, ensure_box, save_app_images

pytestmark = pytest.mark.vm

HOW = (
    "apt-get install vagrant libvirt-daemon-system dnsmasq-base qemu-system-x86 qemu-utils "
    "debootstrap extlinux docker.io; virtlogd -d; libvirtd -d; virsh net-start default"
)


def timed(function):
    """Call function(); return its result and the seconds it took."""
    start = time.monotonic()
    return function(), time.monotonic() - start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recap(log: Path, since: int) -> dict[str, int]:
    """The totals of the last PLAY RECAP written to the log after byte offset `since`."""
    text = log.read_text(errors="replace")[since:]
    lines = re.findall(
        r"^.*: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+).*$", text, re.MULTILINE
    )
    assert lines, f"no PLAY RECAP in the vagrant output:\n{text[-3000:]}"
    ok, changed, unreachable, failed = map(int, lines[-1])
    return {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed}


def get(url: str, timeout: float = 10) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


def test_vagrant_up_serves_the_app_and_reprovisions_unchanged(tmp_path):
    tiers.require_root(HOW)
    for tool in ("vagrant", "virsh", "qemu-img", "debootstrap", "extlinux", "docker"):
        tiers.require_tool(tool, HOW)
    if subprocess.run(["virsh", "-c", "qemu:///system", "list"], capture_output=True).returncode:
        tiers.unavailable("libvirtd does not answer", HOW)

    # The box and the image archive do not depend on each other: make them at the same time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        box_job = pool.submit(ensure_box)
        archive_job = pool.submit(timed, save_app_images)
        box, box_seconds = box_job.result()
        archive, save_seconds = archive_job.result()

    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{env['PATH']}",
            "VAGRANT_DEFAULT_PROVIDER": "libvirt",
            "STACKPLAN_VM_BOX": box,
            "STACKPLAN_VM_NAME": "stackplan-test",
            "STACKPLAN_VM_LIBVIRT_DRIVER": "qemu",
            "STACKPLAN_VM_NETWORK_ISOLATED": "true",
            "STACKPLAN_VM_PROVISIONER": "ansible",
            "STACKPLAN_VM_APP_HOST_PORT": str(port),
            "STACKPLAN_VM_PRIVATE_IP": "192.168.57.10",
            # Offline: images from the archive, and apt's lists (baked into the box) count as fresh.
            "STACKPLAN_VM_ANSIBLE_EXTRA_VARS": json.dumps(
                {
                    "app_image_archives": [str(archive)],
                    "common_apt_cache_valid_time": 10 * 365 * 86400,
                    "docker_apt_cache_valid_time": 10 * 365 * 86400,
                }
            ),
        }
    )
    log = cache_root() / "vm" / "vagrant.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    machine = vagrant.Vagrant(
        root=str(REPO / "vagrant"),
        env=env,
        out_cm=vagrant.make_file_cm(str(log)),
        err_cm=vagrant.make_file_cm(str(log)),
    )
    timings = {"box build": box_seconds, "image archive": save_seconds}
    try:
        start = time.monotonic()
        machine.up(provision=True)
        timings["vagrant up + first provision"] = time.monotonic() - start
        first = recap(log, 0)
        assert first["failed"] == 0 and first["unreachable"] == 0, first

        status, body = get(f"http://127.0.0.1:{port}/ready")
        assert status == 200, body

        offset = log.stat().st_size
        start = time.monotonic()
        machine.provision()
        timings["second provision"] = time.monotonic() - start
        second = recap(log, offset)
        assert second["changed"] == 0 and second["failed"] == 0, second
        assert get(f"http://127.0.0.1:{port}/health")[0] == 200
    finally:
        start = time.monotonic()
        machine.destroy()
        timings["destroy"] = time.monotonic() - start
        print("VM tier timings (s):", {k: round(v, 1) for k, v in timings.items()})
