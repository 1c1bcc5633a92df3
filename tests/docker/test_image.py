"""The app image on its own: build, configuration errors, health, readiness, user, layers."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from tests.support.docker_engine import docker

from .conftest import WEB_CONTEXT, build, published_port
from .webclient import request, wait_until

pytestmark = pytest.mark.docker


def run_web(image: str, *env: str) -> subprocess.CompletedProcess:
    """`docker run` the app image with only the given settings and no database."""
    args = [item for name in env for item in ("--env", name)]
    return docker("run", "--rm", *args, image, check=False, timeout=120)


def test_missing_setting_stops_startup_with_its_name(web_image):
    result = run_web(web_image)
    assert result.returncode != 0
    assert "missing required setting DB_HOST" in result.stderr


def test_incomplete_database_secret_is_named(web_image):
    secret = json.dumps({"host": "db", "username": "notes", "dbname": "notes"})
    result = run_web(web_image, f"DB_SECRET={secret}")
    assert result.returncode != 0
    assert "DB_SECRET lacks the key(s) password" in result.stderr


@pytest.fixture(scope="module")
def standalone(web_image, base_images, session_id, test_env):
    """The app container next to a MariaDB container on a private network, configured the way
    ECS configures it: the database secret as one JSON variable, DB_SECRET."""
    mariadb = next(tag for tag in base_images if tag.startswith("mariadb:"))
    network, db, web = (f"stackplan-test-{session_id}-{part}" for part in ("net", "db", "web"))
    docker("network", "create", network)
    try:
        docker(
            "run",
            "--detach",
            "--name",
            db,
            "--network",
            network,
            "--network-alias",
            "db",
            *(f"--env={name}={value}" for name, value in test_env.items()),
            mariadb,
        )
        secret = {
            "engine": "mysql",
            "host": "db",
            "port": 3306,
            "username": test_env["MARIADB_USER"],
            "password": test_env["MARIADB_PASSWORD"],
            "dbname": test_env["MARIADB_DATABASE"],
        }
        docker(
            "run",
            "--detach",
            "--name",
            web,
            "--network",
            network,
            "--publish",
            "127.0.0.1::8000",
            "--env",
            f"DB_SECRET={json.dumps(secret)}",
            "--env",
            "APP_ENV=dev",
            web_image,
        )
        url = f"http://127.0.0.1:{published_port(web)}"
        wait_until(f"{url}/ready")
        yield {"url": url, "db": db, "web": web}
    finally:
        docker("rm", "--force", "--volumes", web, db, check=False)
        docker("network", "rm", network, check=False)


def test_health_answers_without_dependencies(standalone):
    reply = request("GET", f"{standalone['url']}/health")
    assert (reply.status, reply.json()) == (200, {"status": "ok"})


def test_ready_when_the_database_answers(standalone):
    reply = request("GET", f"{standalone['url']}/ready")
    assert (reply.status, reply.json()["status"]) == (200, "ready")


def test_container_runs_as_non_root(standalone, web_image):
    configured = docker("image", "inspect", "--format", "{{.Config.User}}", web_image)
    assert configured.stdout.strip() == "10001:10001"
    uid = docker("exec", standalone["web"], "id", "-u").stdout.strip()
    assert uid == "10001"
    # Every process of the container, gunicorn's master and workers included.
    processes = docker("top", standalone["web"], "-o", "pid,uid,comm").stdout.splitlines()[1:]
    assert processes and all(line.split()[1] == "10001" for line in processes), processes


def test_image_healthcheck_reports_healthy(standalone):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = docker("inspect", "--format", "{{.State.Health.Status}}", standalone["web"]).stdout.strip()
        if status == "healthy":
            return
        time.sleep(1)
    pytest.fail(f"the image's HEALTHCHECK still says {status!r} after 60 s")


def test_ready_reports_a_database_outage_while_health_stays_up(standalone):
    docker("stop", standalone["db"])
    assert request("GET", f"{standalone['url']}/ready").status == 503
    assert request("GET", f"{standalone['url']}/health").status == 200


def test_code_only_change_reuses_the_dependency_layers(web_image, session_id, tmp_path, figures):
    """Change one source file and rebuild: every layer but the code layer is reused."""
    context = tmp_path / "web"
    shutil.copytree(WEB_CONTEXT, context, ignore=shutil.ignore_patterns("__pycache__"))
    with open(context / "notes" / "__init__.py", "a") as source:
        source.write("# a code-only change\n")
    changed = f"stackplan-web:test-{session_id}-changed"
    started = time.monotonic()
    output = build(changed, context).stdout
    figures["rebuild after a code change"] = f"{time.monotonic() - started:.1f} s"
    try:
        before, after = (
            json.loads(docker("image", "inspect", "--format", "{{json .RootFS.Layers}}", tag).stdout)
            for tag in (web_image, changed)
        )
        assert len(before) == len(after)
        assert before[:-1] == after[:-1], "a layer below the code layer was rebuilt"
        assert before[-1] != after[-1], "the code layer should hold the change"
        if "Step " in output:  # the classic builder's log names each step and its cache use
            pip_step = next(step for step in output.split("Step ") if "pip install" in step)
            assert "Using cache" in pip_step
    finally:
        docker("image", "rm", "--force", changed, check=False)


def test_image_size(web_image, base_images, figures):
    python = next(tag for tag in base_images if tag.startswith("python:"))
    size = {
        tag: int(docker("image", "inspect", "--format", "{{.Size}}", tag).stdout)
        for tag in (web_image, python)
    }
    added = size[web_image] - size[python]
    figures["app image size"] = (
        f"{size[web_image] / 1e6:.1f} MB, of which {added / 1e6:.1f} MB added over {python}"
    )
    assert added < 100e6, "the layers over the base should stay small (venv + code)"
