"""The notes service: an HTML page, a JSON API, attachments, and health endpoints.

create_app() builds a Flask application from already-checked Settings; notes.wsgi is what the
production server (gunicorn) loads.
"""

from __future__ import annotations

from typing import Any

import pymysql
from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException
from werkzeug.utils import secure_filename

from . import database
from .config import Settings
from .storage import LocalStorage, S3Storage, new_key

TITLE_MAX = 200
BODY_MAX = 10_000
ATTACHMENT_MAX = 5 * 1024 * 1024


class InvalidNote(ValueError):
    """User input that the API refuses with 400 and this message."""


def validate(form: dict[str, Any], attachment: FileStorage | None) -> tuple[str, str]:
    title = form.get("title")
    body = form.get("body", "")
    if not isinstance(title, str) or not title.strip():
        raise InvalidNote("title is required")
    if not isinstance(body, str):
        raise InvalidNote("body must be a string")
    title, body = title.strip(), body.strip()
    if len(title) > TITLE_MAX:
        raise InvalidNote(f"title is longer than {TITLE_MAX} characters")
    if len(body) > BODY_MAX:
        raise InvalidNote(f"body is longer than {BODY_MAX} characters")
    if attachment is not None and not secure_filename(attachment.filename or ""):
        raise InvalidNote("the attachment needs a file name")
    return title, body


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__)
    # Werkzeug refuses bigger request bodies with 413 before the view runs; the slack leaves
    # room for the form fields next to a maximum-size attachment.
    app.config["MAX_CONTENT_LENGTH"] = ATTACHMENT_MAX + 64 * 1024
    storage = (
        S3Storage(settings.upload_bucket, settings.aws_region)
        if settings.upload_bucket
        else LocalStorage(settings.upload_dir)
    )

    def db() -> pymysql.connections.Connection:
        if "db" not in g:
            g.db = database.connect(settings.database)
        return g.db

    @app.teardown_appcontext
    def close_db(_error: BaseException | None) -> None:
        connection = g.pop("db", None)
        if connection is not None:
            connection.close()

    def create_note(form: dict[str, Any], attachment: FileStorage | None) -> int:
        title, body = validate(form, attachment)
        stored = None
        if attachment is not None:
            name = secure_filename(attachment.filename or "")
            key = new_key(name)
            storage.save(key, attachment.stream, attachment.mimetype or "application/octet-stream")
            stored = (name, key)
        return database.add_note(db(), title, body, stored)

    def posted_attachment() -> FileStorage | None:
        attachment = request.files.get("attachment")
        return attachment if attachment and attachment.filename else None

    @app.errorhandler(InvalidNote)
    def invalid_note(error: InvalidNote):
        return jsonify(error=str(error)), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify(error=error.description), error.code
        return error

    # Liveness: answers as long as the process serves requests; no dependency is checked, so a
    # database outage never makes the orchestrator kill healthy web containers.
    @app.get("/health")
    def health():
        return jsonify(status="ok")

    # Readiness: can this instance do useful work right now?
    @app.get("/ready")
    def ready():
        try:
            database.ping(settings.database)
        except pymysql.MySQLError as error:
            # The reason goes to the log, not to the (public) answer: it names internal hosts.
            app.logger.warning("not ready: %s", error)
            return jsonify(status="unavailable"), 503
        return jsonify(status="ready")

    @app.get("/")
    def index():
        return render_template("index.html", notes=database.list_notes(db()), error=None)

    @app.post("/")
    def index_submit():
        try:
            create_note(request.form, posted_attachment())
        except InvalidNote as error:
            notes = database.list_notes(db())
            return render_template("index.html", notes=notes, error=str(error)), 400
        return redirect(url_for("index"), code=303)

    @app.get("/api/notes")
    def api_list():
        return jsonify(notes=database.list_notes(db()))

    @app.post("/api/notes")
    def api_create():
        if request.is_json:
            form = request.get_json(silent=True)
            if not isinstance(form, dict):
                raise InvalidNote("the body must be a JSON object")
            note_id = create_note(form, None)
        elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            note_id = create_note(request.form, posted_attachment())
        else:
            raise InvalidNote("send JSON, or a form (multipart/form-data with an attachment)")
        note = database.get_note(db(), note_id)
        note.pop("attachment_key")
        return jsonify(note), 201, {"Location": url_for("api_get", note_id=note_id)}

    @app.get("/api/notes/<int:note_id>")
    def api_get(note_id: int):
        note = database.get_note(db(), note_id)
        if note is None:
            return jsonify(error=f"no note {note_id}"), 404
        note.pop("attachment_key")
        return jsonify(note)

    @app.get("/api/notes/<int:note_id>/attachment")
    def api_attachment(note_id: int):
        note = database.get_note(db(), note_id)
        if note is None or note["attachment_key"] is None:
            return jsonify(error=f"note {note_id} has no attachment"), 404
        return storage.download(note["attachment_key"], note["attachment"])

    return app
