"""The pieces the VM tier needs before `vagrant up`: a local box and the app's images.

Neither a box nor an image can be downloaded here, and the VM must have no route out (the test
proves the playbook works on an isolated machine, and keeps CI from depending on a network).
So the box is built from Debian packages with vagrant/box/build-box.sh, with the packages the
roles install baked in, and the images the Docker tier builds are saved to an archive that the
app role loads (its app_image_archives variable). Both are cached under ~/.cache/stackplan.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import time
from pathlib import Path

import yaml

from . import docker_engine
from .debian import cache_root, locked

REPO = Path(__file__).resolve().parents[2]
BUILD_BOX = REPO / "vagrant" / "box" / "build-box.sh"
ROLES = REPO / "ansible" / "roles"
# The web service's image name (its `image:` in docker/compose.yaml), under which Compose finds
# the loaded image instead of building one.
WEB_IMAGE = yaml.safe_load(docker_engine.COMPOSE_FILE.read_text())["services"]["web"]["image"]


def role_packages() -> list[str]:
    """The Debian packages the common and docker roles install (their vars/Debian.yml)."""
    common = yaml.safe_load((ROLES / "common" / "vars" / "Debian.yml").read_text())
    docker = yaml.safe_load((ROLES / "docker" / "vars" / "Debian.yml").read_text())
    return sorted(common["common_packages"] + docker["docker_packages"]["distro"])


def ensure_box() -> tuple[str, float]:
    """Build and `vagrant box add` the offline test box unless present; return (name, seconds).

    The name carries a hash of the build script and the package list, so changing either gives
    a new box instead of silently reusing an old one.
    """
    packages = role_packages()
    key = hashlib.sha256(BUILD_BOX.read_bytes() + " ".join(packages).encode()).hexdigest()[:12]
    name = f"stackplan/bookworm-offline-{key}"
    box_file = cache_root() / "boxes" / f"bookworm-offline-{key}.box"
    seconds = 0.0
    with locked(box_file):
        listed = subprocess.run(["vagrant", "box", "list"], capture_output=True, text=True, check=True)
        if re.search(rf"^{re.escape(name)}\s", listed.stdout, re.MULTILINE):
            return name, seconds
        if not box_file.exists():
            start = time.monotonic()
            subprocess.run([str(BUILD_BOX), str(box_file), *packages], check=True, stdout=subprocess.DEVNULL)
            seconds = time.monotonic() - start
        subprocess.run(
            ["vagrant", "box", "add", "--force", "--name", name, str(box_file)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return name, seconds


def save_app_images() -> Path:
    """Build the web image, make sure the database image exists, and save both to an archive.

    Only the images compose.yaml runs (the bases they were built from are in their layers).
    gzip --fast makes the archive less than half as big; `docker load` reads gzip itself. Under
    software emulation the shorter copy into the VM and the longer load about cancel out, so
    the gain is the smaller file. Uses a running Docker daemon or starts one (and then stops
    exactly that one).
    """
    started = None if docker_engine.daemon_answers() else docker_engine.start_daemon()
    try:
        tags = docker_engine.ensure_images()
        docker_engine.docker("build", "--tag", WEB_IMAGE, str(REPO / "docker" / "web"), timeout=1200)
        database = [tag for tag in tags if tag.startswith("mariadb:")]
        archive = cache_root() / "vm" / "app-images.tar.gz"
        archive.parent.mkdir(parents=True, exist_ok=True)
        with archive.open("wb") as output:
            save = subprocess.Popen(["docker", "save", WEB_IMAGE, *database], stdout=subprocess.PIPE)
            subprocess.run(["gzip", "--fast", "--no-name"], stdin=save.stdout, stdout=output, check=True)
            save.stdout.close()
            if save.wait(timeout=600) != 0:
                raise RuntimeError(f"docker save {WEB_IMAGE} {' '.join(database)} failed")
        return archive
    finally:
        if started is not None:
            docker_engine.stop_daemon(started)
