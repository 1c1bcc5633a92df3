"""A Docker Engine for the tests, and the images the compose stack needs, with no registry.

Two jobs, both usable by any tier (the VM tier `docker save`s what ensure_images() returns):

- The daemon: use one that already answers; otherwise start /usr/sbin/dockerd (root only) and
  later stop exactly that process, never a daemon someone else started.
- The images: docker/web/Dockerfile and docker/compose.yaml name official Docker Hub images,
  which cannot be pulled here. When such an image is not present locally, a stand-in is built
  from Debian 12 packages (tests/standins/<name>/, each file says what it stands in for) and
  tagged with the official name, so the project's files are built and run unchanged. A real
  official image that is already present is never replaced.

Stand-ins carry a label with a hash of everything they are built from; an image whose label
matches is reused, so only the first run pays for debootstrap and the package installs.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from .debian import cache_root, debootstrap, locked

REPO = Path(__file__).resolve().parents[2]
WEB_DOCKERFILE = REPO / "docker" / "web" / "Dockerfile"
COMPOSE_FILE = REPO / "docker" / "compose.yaml"
STANDINS = REPO / "tests" / "standins"

DOCKERD = "/usr/sbin/dockerd"
HASH_LABEL = "org.stackplan.standin.hash"
# The minimal Debian 12 image every stand-in starts from (their Dockerfiles name this tag).
DEBIAN_BASE = "stackplan-standin/debian:bookworm-minbase"


def docker(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the docker CLI, capturing its output as text."""
    return subprocess.run(["docker", *args], check=check, capture_output=True, text=True, timeout=timeout)


def daemon_answers() -> bool:
    try:
        return docker("info", check=False, timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def start_daemon(wait_seconds: float = 60) -> subprocess.Popen:
    """Start dockerd in the background and return once `docker info` answers.

    The caller owns the returned process and stops it with stop_daemon(). Its log is kept in
    the cache folder (dockerd.log) for when something goes wrong.
    """
    log_path = cache_root() / "dockerd.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen([DOCKERD], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait_seconds
    while not daemon_answers():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_daemon(process)
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"dockerd did not come up; end of {log_path}:\n{tail}")
        time.sleep(0.5)
    return process


def stop_daemon(process: subprocess.Popen) -> None:
    """Stop a dockerd started by start_daemon (SIGTERM: it stops its containers cleanly)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def compose_command() -> list[str] | None:
    """`docker compose` (Compose v2) when the plugin is there, else Debian's `docker-compose`."""
    if shutil.which("docker") and docker("compose", "version", check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def official_images() -> list[str]:
    """The official images the project names: Dockerfile bases and default compose services.

    Read from the files themselves so that a new pin there is picked up here. Services under a
    profile (the admin UI) are off by default and not included, and a service that is built
    (the web app) only names the image it builds.
    """
    images: list[str] = []
    for line in WEB_DOCKERFILE.read_text().splitlines():
        match = re.match(r"^FROM\s+(\S+)", line, re.IGNORECASE)
        if match and ":" in match.group(1) and match.group(1) not in images:
            images.append(match.group(1))
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    for service in services.values():
        if "build" in service or service.get("profiles"):
            continue
        if "image" in service and service["image"] not in images:
            images.append(service["image"])
    return images


def _label(tag: str) -> str | None:
    """The stand-in hash label of a local image; "" for an image without one; None if absent."""
    result = docker(
        "image",
        "inspect",
        "--format",
        f'{{{{index .Config.Labels "{HASH_LABEL}"}}}}',
        tag,
        check=False,
    )
    if result.returncode != 0:
        return None
    return result.stdout.strip().replace("<no value>", "")


def _host_ca_bundle() -> Path:
    paths = ssl.get_default_verify_paths()
    return Path(paths.cafile or paths.openssl_cafile)


def _ensure_debian_base() -> str:
    """Import the cached debootstrap tree as DEBIAN_BASE, unless it already is; return its hash."""
    tree = debootstrap("docker-base")
    wanted = hashlib.sha256(tree.name.encode()).hexdigest()
    if _label(DEBIAN_BASE) == wanted:
        return wanted
    # Package caches and apt lists are left out: images run `apt-get update` before installing.
    tar = subprocess.Popen(
        [
            "tar",
            "-C",
            str(tree),
            "--numeric-owner",
            "--exclude=./var/cache/apt/archives/*.deb",
            "--exclude=./var/lib/apt/lists/*",
            "-c",
            ".",
        ],
        stdout=subprocess.PIPE,
    )
    imported = subprocess.run(
        [
            "docker",
            "import",
            "--change",
            f"LABEL {HASH_LABEL}={wanted}",
            "--change",
            "ENV LANG=C.UTF-8",
            "--change",
            'CMD ["bash"]',
            "-",
            DEBIAN_BASE,
        ],
        stdin=tar.stdout,
        capture_output=True,
        text=True,
    )
    if tar.wait() != 0 or imported.returncode != 0:
        raise RuntimeError(f"importing {tree} as {DEBIAN_BASE} failed: {imported.stderr}")
    return wanted


def _standin_context(name: str, build_dir: Path) -> Path:
    """Copy tests/standins/<name> into a build context, plus the files that must come from
    this machine: the python stand-in gets the host's CA bundle so pip reaches PyPI."""
    context = build_dir / name
    shutil.copytree(STANDINS / name, context)
    if name == "python":
        shutil.copyfile(_host_ca_bundle(), context / "ca-certificates.crt")
    return context


def _context_hash(context: Path, base_hash: str, tag: str) -> str:
    digest = hashlib.sha256(f"{base_hash}|{tag}".encode())
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(context)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_images() -> list[str]:
    """Make sure every official image the compose stack needs exists locally; return the tags.

    A present image without the stand-in label is a real one (pulled on a machine with a
    registry) and is used as it is. Otherwise the stand-in for the image's repository
    (tests/standins/python for python:..., tests/standins/mariadb for mariadb:...) is built
    and tagged with the official name, unless an up-to-date one is already there.
    Needs a daemon that answers (see start_daemon) and, to build stand-ins, debootstrap.
    """
    tags = official_images()
    with locked(cache_root() / "standin-images"):
        base_hash = None
        for tag in tags:
            current = _label(tag)
            if current == "":
                continue  # a real official image
            name = tag.split(":", 1)[0].rsplit("/", 1)[-1]
            if not (STANDINS / name / "Dockerfile").exists():
                raise RuntimeError(f"{tag} is not present and there is no stand-in for {name}")
            base_hash = base_hash or _ensure_debian_base()
            with tempfile.TemporaryDirectory(prefix="standin-") as build_dir:
                context = _standin_context(name, Path(build_dir))
                wanted = _context_hash(context, base_hash, tag)
                if current != wanted:
                    build = docker(
                        "build",
                        "--label",
                        f"{HASH_LABEL}={wanted}",
                        "-t",
                        tag,
                        str(context),
                        check=False,
                        timeout=1200,
                    )
                    if build.returncode != 0:
                        raise RuntimeError(
                            f"building the stand-in {tag} failed:\n"
                            f"{build.stdout[-3000:]}{build.stderr[-3000:]}"
                        )
    return tags
