"""A booted Debian 12 system in a systemd-nspawn container, for Ansible to configure over SSH.

The container boots a copy of a cached debootstrap tree with its own systemd (services start
and stop as on a server) and, on purpose, no network of its own (--private-network): the
docker role starts a Docker daemon in it, which on the host's network would create bridges
and firewall rules next to the host's own daemon. Two consequences:
- SSH has no port to connect to. Ansible's ssh runs `sshd -i` inside the container instead
  (ProxyCommand via nsenter): the container's real sshd and its configuration, fed through a
  pipe the way ssh.socket activation feeds it a socket.
- apt cannot download. The packages the roles install are fetched into the copy's apt cache
  beforehand (apt-get --download-only, chrooted, with the host's network); the roles' apt
  tasks then install them for real from that cache.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

# What the target needs beyond a minimal Debian: systemd as PID 1, an SSH server, sudo, and
# Python for Ansible's modules (iproute2 for its network facts, dbus for systemd's tools).
TARGET_PACKAGES = ("systemd-sysv", "openssh-server", "python3", "sudo", "iproute2", "dbus")
ADMIN = "admin"


@dataclass
class Container:
    root: Path
    leader: int  # the container's PID 1 (systemd), as seen from the host
    inventory: Path  # an Ansible inventory: host `nspawn-target` in the group `app`

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a command inside the container (all of its namespaces) and capture its output."""
        return subprocess.run(
            ["nsenter", f"--target={self.leader}", "--all", *command],
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )


def _prepare(root: Path, workdir: Path, prefetch: list[str]) -> Path:
    """Set up the copied tree: prefetched packages, an admin user with a key; return the key."""
    shutil.copy("/etc/resolv.conf", root / "etc" / "resolv.conf")
    subprocess.run(
        ["chroot", str(root), "apt-get", "install", "--download-only", "--yes", "--quiet", *prefetch],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    key = workdir / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    # Like a cloud image's first user: key login and passwordless sudo.
    subprocess.run(
        ["chroot", str(root), "useradd", "--create-home", "--shell", "/bin/bash", ADMIN], check=True
    )
    (root / "etc" / "sudoers.d" / ADMIN).write_text(f"{ADMIN} ALL=(ALL) NOPASSWD: ALL\n")
    ssh_dir = root / "home" / ADMIN / ".ssh"
    ssh_dir.mkdir(mode=0o700)
    (ssh_dir / "authorized_keys").write_text(key.with_suffix(".pub").read_text())
    subprocess.run(
        ["chroot", str(root), "chown", "-R", f"{ADMIN}:{ADMIN}", f"/home/{ADMIN}/.ssh"], check=True
    )
    (root / "etc" / "machine-id").write_text("")
    return key


def _leader(nspawn: subprocess.Popen, deadline: float) -> int:
    children = Path(f"/proc/{nspawn.pid}/task/{nspawn.pid}/children")
    while time.monotonic() < deadline:
        if nspawn.poll() is not None:
            raise RuntimeError(f"systemd-nspawn exited with {nspawn.returncode}")
        pids = children.read_text().split() if children.exists() else []
        if pids:
            return int(pids[0])
        time.sleep(0.2)
    raise TimeoutError("the container's init did not start")


@contextmanager
def booted(tree: Path, workdir: Path, prefetch: list[str], boot_timeout: float = 120) -> Iterator[Container]:
    """Boot a throwaway copy of `tree`; power it off and delete the copy afterwards."""
    root = workdir / "rootfs"
    subprocess.run(["cp", "-a", "--reflink=auto", str(tree), str(root)], check=True)
    nspawn = None
    try:
        key = _prepare(root, workdir, prefetch)
        console = open(workdir / "console.log", "wb")
        nspawn = subprocess.Popen(
            [
                "systemd-nspawn",
                "--boot",
                f"--directory={root}",
                "--register=no",
                "--keep-unit",
                "--private-network",
                f"--machine=stackplan-{workdir.name[-8:]}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + boot_timeout
        leader = _leader(nspawn, deadline)
        # systemctl answers once systemd has opened its socket; --wait then waits for boot-up.
        while True:
            state = subprocess.run(
                ["nsenter", f"--target={leader}", "--all", "systemctl", "is-system-running", "--wait"],
                capture_output=True,
                text=True,
                timeout=max(1.0, deadline - time.monotonic()),
            )
            if state.stdout.strip() in ("running", "degraded"):
                break
            if "Failed to connect to bus" not in state.stderr or time.monotonic() > deadline:
                raise RuntimeError(f"the container did not boot: {state.stdout}{state.stderr}")
            time.sleep(0.5)
        proxy = f"nsenter --target={leader} --all /usr/sbin/sshd -i"
        ssh_args = f"-o ProxyCommand='{proxy}' -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
        host = {
            "ansible_host": "nspawn-target",
            "ansible_user": ADMIN,
            "ansible_ssh_private_key_file": str(key),
            "ansible_ssh_common_args": ssh_args,
        }
        inventory = workdir / "hosts.yml"
        inventory.write_text(yaml.safe_dump({"app": {"hosts": {"nspawn-target": host}}}))
        yield Container(root=root, leader=leader, inventory=inventory)
    finally:
        if nspawn is not None and nspawn.poll() is None:
            nspawn.terminate()  # systemd-nspawn powers the container off on SIGTERM
            try:
                nspawn.wait(timeout=60)
            except subprocess.TimeoutExpired:
                nspawn.kill()
                nspawn.wait()
        shutil.rmtree(root, ignore_errors=True)
