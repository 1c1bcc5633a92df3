"""Fixtures of the Docker tier: a daemon, the official (or stand-in) images, the app image.

Every test here talks to containers only through ports published on 127.0.0.1, and everything
a session creates carries a unique name and is removed at its end.
"""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.docker_engine import (
    DOCKERD,
    REPO,
    daemon_answers,
    docker,
    ensure_images,
    start_daemon,
    stop_daemon,
)
from tests.support.tiers import require_root, require_tool, unavailable

WEB_CONTEXT = REPO / "docker" / "web"
HOW = "apt-get install docker.io docker-compose debootstrap, then run as root (make test-docker)"


@pytest.fixture(scope="session")
def figures(request) -> dict[str, str]:
    """Measurements printed at the end of the run (image size, rebuild and start-up times)."""
    request.config._docker_figures = {}
    return request.config._docker_figures


def pytest_terminal_summary(terminalreporter, config) -> None:
    measured = getattr(config, "_docker_figures", None)
    if measured:
        terminalreporter.section("docker tier figures")
        for name, value in measured.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def docker_engine(figures):
    """A Docker daemon that answers: the running one, or one started (and later stopped) here."""
    require_tool("docker", HOW)
    if daemon_answers():
        yield
        return
    if not Path(DOCKERD).exists():
        unavailable("no Docker daemon answers and dockerd is not installed", HOW)
    require_root(HOW)
    started = time.monotonic()
    process = start_daemon()
    figures["dockerd start"] = f"{time.monotonic() - started:.1f} s"
    yield
    stop_daemon(process)


@pytest.fixture(scope="session")
def session_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def base_images(docker_engine, figures) -> list[str]:
    """The official images the project names, real or stand-in (built on first use)."""
    started = time.monotonic()
    try:
        tags = ensure_images()
    except FileNotFoundError as error:  # debootstrap, needed only when a stand-in is built
        unavailable(f"'{error.filename}' is not installed", HOW)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        pytest.fail(f"could not provide the base images: {error}", pytrace=False)
    figures["base images ready"] = f"{time.monotonic() - started:.1f} s ({', '.join(tags)})"
    return tags


def build(tag: str, context: Path) -> subprocess.CompletedProcess:
    result = docker("build", "-t", tag, str(context), check=False, timeout=900)
    assert result.returncode == 0, f"docker build failed:\n{result.stdout[-3000:]}{result.stderr}"
    return result


@pytest.fixture(scope="session")
def web_image(base_images, session_id, figures) -> Iterator[str]:
    """The app image built from docker/web, tagged for this session and removed after it."""
    tag = f"stackplan-web:test-{session_id}"
    started = time.monotonic()
    build(tag, WEB_CONTEXT)
    figures["app image build"] = f"{time.monotonic() - started:.1f} s"
    yield tag
    docker("image", "rm", "--force", tag, check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def published_port(container: str, port: int = 8000) -> int:
    """The host port on 127.0.0.1 that docker published for ``port`` of a container."""
    mapping = docker("port", container, str(port)).stdout.split()[0]
    host, _, host_port = mapping.rpartition(":")
    assert host == "127.0.0.1", f"{container} publishes {port} on {host}, not only on loopback"
    return int(host_port)


@pytest.fixture(scope="session")
def test_env() -> dict[str, str]:
    """Database settings for test stacks (never the values of a developer's .env)."""
    return {
        "MARIADB_DATABASE": "notes",
        "MARIADB_USER": "notes",
        "MARIADB_PASSWORD": "test-notes-password",
        "MARIADB_ROOT_PASSWORD": "test-root-password",
    }
