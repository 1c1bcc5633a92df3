"""Settings from environment variables: the same image runs on a laptop and in ECS.

Locally, compose passes DB_HOST, DB_NAME, DB_USER and DB_PASSWORD. In AWS, ECS injects the whole
Secrets Manager secret that Aurora generated as one variable, DB_SECRET, a JSON object with the
keys host, port, username, password and dbname. Anything missing stops start-up with a message
that names the variable, instead of failing later on the first request.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

APP_ENVS = ("local", "dev", "staging", "prod")


class SettingsError(Exception):
    """A required setting is missing or malformed; the message says which one."""


@dataclass(frozen=True)
class DatabaseSettings:
    host: str
    port: int
    name: str
    user: str
    password: str


@dataclass(frozen=True)
class Settings:
    app_env: str
    database: DatabaseSettings
    upload_bucket: str | None  # S3 bucket for attachments; None means the local UPLOAD_DIR
    upload_dir: Path
    aws_region: str | None
    db_wait_seconds: float  # how long start-up retries while the database is still starting


def _required(env: dict[str, str], name: str, hint: str = "") -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"missing required setting {name}{hint}")
    return value


def _port(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a port number, got {value!r}") from None


def _database_from_secret(raw: str, env: dict[str, str]) -> DatabaseSettings:
    try:
        secret = json.loads(raw)
    except json.JSONDecodeError as error:
        raise SettingsError(f"DB_SECRET is not valid JSON: {error}") from None
    if not isinstance(secret, dict):
        raise SettingsError("DB_SECRET must be a JSON object")
    missing = [key for key in ("host", "username", "password") if not secret.get(key)]
    if missing:
        raise SettingsError(f"DB_SECRET lacks the key(s) {', '.join(missing)}")
    # Aurora puts dbname in the secret only when the cluster has a default database name.
    name = secret.get("dbname") or env.get("DB_NAME", "").strip()
    if not name:
        raise SettingsError("missing required setting DB_NAME (DB_SECRET has no dbname key)")
    return DatabaseSettings(
        host=secret["host"],
        port=_port(str(secret.get("port", 3306)), "DB_SECRET port"),
        name=name,
        user=secret["username"],
        password=secret["password"],
    )


def _database_from_variables(env: dict[str, str]) -> DatabaseSettings:
    hint = " (or DB_SECRET with the database secret as JSON)"
    return DatabaseSettings(
        host=_required(env, "DB_HOST", hint),
        port=_port(env.get("DB_PORT", "3306"), "DB_PORT"),
        name=_required(env, "DB_NAME"),
        user=_required(env, "DB_USER"),
        password=_required(env, "DB_PASSWORD"),
    )


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read and check every setting at once; raise SettingsError naming what is wrong."""
    env = dict(os.environ if env is None else env)
    app_env = env.get("APP_ENV", "local").strip()
    if app_env not in APP_ENVS:
        raise SettingsError(f"APP_ENV must be one of {', '.join(APP_ENVS)}, got {app_env!r}")
    secret = env.get("DB_SECRET", "").strip()
    database = _database_from_secret(secret, env) if secret else _database_from_variables(env)
    try:
        db_wait_seconds = float(env.get("DB_WAIT_SECONDS", "60"))
    except ValueError:
        raise SettingsError("DB_WAIT_SECONDS must be a number of seconds") from None
    return Settings(
        app_env=app_env,
        database=database,
        upload_bucket=env.get("UPLOAD_BUCKET", "").strip() or None,
        upload_dir=Path(env.get("UPLOAD_DIR", "/data/uploads")),
        aws_region=env.get("AWS_REGION", "").strip() or None,
        db_wait_seconds=db_wait_seconds,
    )
