"""The entry point gunicorn loads (``notes.wsgi:app``).

gunicorn.conf.py sets preload_app, so this module runs once in the master process before the
workers fork: a bad setting or an unreachable database stops the container here, with a
message and a non-zero exit, instead of every worker failing on its own.
"""

from __future__ import annotations

import logging
import sys

from . import create_app, database
from .config import SettingsError, load_settings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

try:
    settings = load_settings()
except SettingsError as error:
    print(f"notes: configuration error: {error}", file=sys.stderr, flush=True)
    sys.exit(2)

try:
    database.prepare(settings.database, settings.db_wait_seconds)
except RuntimeError as error:
    print(f"notes: {error}", file=sys.stderr, flush=True)
    sys.exit(3)

app = create_app(settings)
