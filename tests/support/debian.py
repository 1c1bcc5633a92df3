"""Debian root trees made with debootstrap, cached between runs on the same machine.

No registry or Vagrant Cloud is reachable here, so every tier that needs a base system (the
Docker stand-in images, the systemd-nspawn target for Ansible, the local Vagrant box) starts
from a debootstrapped Debian 12 tree. The apt mirror is read from this machine's apt sources at
run time: no mirror host name is ever written into the repository.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SUITE = "bookworm"


def cache_root() -> Path:
    """Where debootstrapped trees, stand-in images and boxes are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    root = Path(base) / "stackplan"
    root.mkdir(parents=True, exist_ok=True)
    return root


def apt_mirror() -> str:
    """The Debian mirror this machine's apt uses (deb822 ``URIs:`` or a classic ``deb`` line).

    ``DEBIAN_MIRROR`` overrides it; with neither, the tiers cannot build their Debian trees.
    """
    if os.environ.get("DEBIAN_MIRROR"):
        return os.environ["DEBIAN_MIRROR"].rstrip("/")
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for line in Path(path).read_text().splitlines():
            match = re.match(r"^URIs:\s*(\S+)", line)
            if match and "security" not in match.group(1):
                return match.group(1).rstrip("/")
    for path in ["/etc/apt/sources.list", *sorted(glob.glob("/etc/apt/sources.list.d/*.list"))]:
        if os.path.exists(path):
            for line in Path(path).read_text().splitlines():
                match = re.match(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
                if match and "security" not in match.group(1):
                    return match.group(1).rstrip("/")
    raise RuntimeError("no Debian mirror found in the apt sources; set DEBIAN_MIRROR")


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialise builders of one cached artefact across processes (pytest-xdist, parallel tiers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def debootstrap(name: str, *, variant: str = "minbase", include: tuple[str, ...] = ()) -> Path:
    """Return a cached Debian 12 tree, building it on first use (about 1-3 minutes).

    The cache key covers the variant and the package list, so changing either rebuilds. A tree
    is built into a temporary folder and renamed into place only when complete, so an
    interrupted build never leaves a half-written tree behind.
    """
    key = hashlib.sha256(f"{SUITE}|{variant}|{','.join(sorted(include))}".encode()).hexdigest()[:12]
    tree = cache_root() / "rootfs" / f"{name}-{key}"
    with locked(tree):
        if (tree / "etc" / "os-release").exists():
            return tree
        partial = tree.with_name(tree.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        command = ["debootstrap", f"--variant={variant}"]
        if include:
            command.append("--include=" + ",".join(include))
        command += [SUITE, str(partial), apt_mirror()]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        partial.rename(tree)
    return tree
