"""The compose stack (docker/compose.yaml) as a user runs it: up, use, down, up, crash."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time

import pytest

from tests.support.docker_engine import COMPOSE_FILE, compose_command, docker
from tests.support.tiers import unavailable

from .conftest import HOW, free_port
from .webclient import multipart, request, wait_until

pytestmark = pytest.mark.docker

ATTACHMENT = b"%PDF-1.4 pretend attachment\n" * 100


class Stack:
    """One compose project with a unique name, driven through the compose CLI."""

    def __init__(self, command: list[str], project: str, env: dict[str, str]) -> None:
        self.command = [*command, "--project-name", project, "--file", str(COMPOSE_FILE)]
        self.project = project
        self.env = {**os.environ, **env}
        self.url = f"http://127.0.0.1:{env['WEB_PORT']}"

    def __call__(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*self.command, *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, f"compose {' '.join(args)} failed:\n{result.stderr[-3000:]}"
        return result

    def up(self) -> float:
        """`up --detach` and wait until the app is ready; return the seconds it took."""
        started = time.monotonic()
        self("up", "--detach", "--build")
        wait_until(f"{self.url}/ready")
        return time.monotonic() - started

    def container(self, service: str) -> str:
        return self("ps", "--quiet", service).stdout.strip()

    def inspect(self, service: str) -> dict:
        return json.loads(docker("inspect", self.container(service)).stdout)[0]


@pytest.fixture(scope="module")
def stack(base_images, session_id, test_env, figures):
    """The stack up on a free loopback port; at the end `down -v`: containers, networks and
    volumes go. The built image (stackplan/web:local) stays, as build cache for the next run
    and for the VM tier, which saves it into the VM."""
    command = compose_command()
    if command is None:
        unavailable("neither `docker compose` nor `docker-compose` is installed", HOW)
    stack = Stack(command, f"stackplan-test-{session_id}", {**test_env, "WEB_PORT": str(free_port())})
    figures["compose"] = " ".join(command)
    try:
        figures["compose up (build from cache, db initialised)"] = f"{stack.up():.1f} s"
        yield stack
    finally:
        stack("down", "--volumes", "--remove-orphans")


def test_write_through_the_api_and_read_back(stack):
    created = request("POST", f"{stack.url}/api/notes", json_body={"title": "Hello", "body": "World"})
    assert created.status == 201, created.body
    note = created.json()
    assert (note["title"], note["body"]) == ("Hello", "World")
    fetched = request("GET", f"{stack.url}/api/notes/{note['id']}")
    assert fetched.status == 200 and fetched.json() == note
    listing = request("GET", f"{stack.url}/api/notes").json()["notes"]
    assert note in listing
    page = request("GET", f"{stack.url}/")
    assert page.status == 200 and b"Hello" in page.body


def test_attachment_round_trip(stack):
    body, content_type = multipart({"title": "With a file"}, {"attachment": ("plan.pdf", ATTACHMENT)})
    created = request("POST", f"{stack.url}/api/notes", data=body, content_type=content_type)
    assert created.status == 201, created.body
    assert created.json()["attachment"] == "plan.pdf"
    download = request("GET", f"{stack.url}/api/notes/{created.json()['id']}/attachment")
    assert download.status == 200 and download.body == ATTACHMENT


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"body": "no title"}, "title is required"),
        ({"title": "   "}, "title is required"),
        ({"title": "x" * 201}, "title is longer than 200 characters"),
        ({"title": "ok", "body": "y" * 10_001}, "body is longer than 10000 characters"),
        ({"title": "ok", "body": 42}, "body must be a string"),
        (["not", "an", "object"], "the body must be a JSON object"),
    ],
)
def test_bad_input_gets_400_with_a_message(stack, payload, message):
    reply = request("POST", f"{stack.url}/api/notes", json_body=payload)
    assert (reply.status, reply.json()) == (400, {"error": message})


def test_unsupported_body_gets_400(stack):
    reply = request("POST", f"{stack.url}/api/notes", data=b"title=x", content_type="text/plain")
    assert reply.status == 400 and "send JSON" in reply.json()["error"]


def test_oversized_request_gets_413_before_its_body_is_read(stack):
    """The server answers from the announced Content-Length alone, so the test sends only the
    headers (a client that kept sending the body would hit a closed connection)."""
    connection = http.client.HTTPConnection("127.0.0.1", int(stack.env["WEB_PORT"]), timeout=10)
    connection.putrequest("POST", "/api/notes")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(6 * 1024 * 1024))
    connection.endheaders()
    reply = connection.getresponse()
    assert reply.status == 413 and "error" in json.loads(reply.read())
    connection.close()


def test_unknown_note_gets_404(stack):
    assert request("GET", f"{stack.url}/api/notes/999999").status == 404


def test_database_is_only_on_the_internal_network(stack):
    db = stack.inspect("db")
    assert not any(db["NetworkSettings"]["Ports"].values()), "the database must not be published"
    networks = list(db["NetworkSettings"]["Networks"])
    assert len(networks) == 1
    assert json.loads(docker("network", "inspect", networks[0]).stdout)[0]["Internal"] is True


def test_data_survives_down_and_up(stack, figures):
    body, content_type = multipart({"title": "Keep me"}, {"attachment": ("keep.bin", ATTACHMENT)})
    note = request("POST", f"{stack.url}/api/notes", data=body, content_type=content_type).json()
    stack("down")  # without --volumes: the named volumes stay
    figures["compose up again (existing volumes)"] = f"{stack.up():.1f} s"
    fetched = request("GET", f"{stack.url}/api/notes/{note['id']}")
    assert fetched.status == 200 and fetched.json()["title"] == "Keep me"
    download = request("GET", f"{stack.url}/api/notes/{note['id']}/attachment")
    assert download.body == ATTACHMENT


def test_crashed_web_container_is_restarted(stack):
    """SIGKILL the container's main process from the host, as the kernel's OOM killer would.

    `docker kill` or `docker stop` would not do: the engine counts those as a deliberate stop,
    and `restart: unless-stopped` leaves such a container stopped.
    """
    web = stack.inspect("web")
    assert web["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
    try:
        os.kill(web["State"]["Pid"], signal.SIGKILL)
    except PermissionError:
        unavailable("killing the container's process needs root on the Docker host", HOW)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = stack.inspect("web")
        if state["RestartCount"] > web["RestartCount"] and state["State"]["Running"]:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the web container was not restarted within 60 s")
    assert state["State"]["Pid"] != web["State"]["Pid"]
    wait_until(f"{stack.url}/ready")
