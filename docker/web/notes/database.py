"""MySQL access with PyMySQL: MariaDB in the compose stack, Aurora MySQL in AWS.

One short-lived connection per request keeps the example simple and safe across gunicorn's
worker processes (a connection must never be shared between forked processes).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

import pymysql
import pymysql.cursors

from .config import DatabaseSettings

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
    title VARCHAR(200) NOT NULL,
    body TEXT NOT NULL,
    attachment_name VARCHAR(255) NULL,
    attachment_key VARCHAR(512) NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
"""


def connect(db: DatabaseSettings, *, timeout: float = 5) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=db.host,
        port=db.port,
        user=db.user,
        password=db.password,
        database=db.name,
        connect_timeout=timeout,
        charset="utf8mb4",
        cursorclass=pymysql.cursors.DictCursor,
        autocommit=True,
    )


def prepare(db: DatabaseSettings, wait_seconds: float) -> None:
    """Wait (bounded) until the database accepts connections, then create the schema.

    CREATE TABLE IF NOT EXISTS makes this idempotent: every start of every container runs it.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            connection = connect(db, timeout=3)
            break
        except pymysql.err.OperationalError as error:
            if time.monotonic() >= deadline:
                raise RuntimeError(
                    f"database {db.host}:{db.port} not reachable after {wait_seconds:.0f} s: {error}"
                ) from error
            log.info("waiting for the database at %s:%s (%s)", db.host, db.port, error.args[-1])
            time.sleep(1)
    with connection, connection.cursor() as cursor:
        cursor.execute(SCHEMA)


def ping(db: DatabaseSettings) -> None:
    """Raise if the database does not answer a trivial query within two seconds."""
    with connect(db, timeout=2) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    created: datetime = row["created_at"]
    return {
        "id": row["id"],
        "title": row["title"],
        "body": row["body"],
        "attachment": row["attachment_name"],
        "created_at": created.isoformat(timespec="seconds") + "Z",
    }


def list_notes(connection: pymysql.connections.Connection) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notes ORDER BY id DESC LIMIT 100")
        return [_public(row) for row in cursor.fetchall()]


def get_note(connection: pymysql.connections.Connection, note_id: int) -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notes WHERE id = %s", (note_id,))
        row = cursor.fetchone()
    return row and {**_public(row), "attachment_key": row["attachment_key"]}


def add_note(
    connection: pymysql.connections.Connection,
    title: str,
    body: str,
    attachment: tuple[str, str] | None,
) -> int:
    """Insert a note; ``attachment`` is (file name, storage key) of an already stored file."""
    name, key = attachment or (None, None)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notes (title, body, attachment_name, attachment_key) VALUES (%s, %s, %s, %s)",
            (title, body, name, key),
        )
        return cursor.lastrowid
