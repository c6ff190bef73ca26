"""SafeNotes: a notes and projects API.

``flask --app safenotes run`` serves the module-level ``app``; tests may build their
own with ``create_app({...})``. The hardened twin of ``vulnnotes``: same API, flaws
fixed. Lines a naive scanner might flag but must not carry an ``ok`` marker comment; see
../EXPECTED.md.
"""

from typing import Any

from flask import Flask, Response, jsonify
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from . import db
from .api import api
from .config import CORS_ORIGINS, DEBUG, SECRET_KEY


def health() -> Response:
    return jsonify(status="ok")


def _json_error(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.description), error.code or 500


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config["SECRET_KEY"] = SECRET_KEY
    app.config["DEBUG"] = DEBUG  # ok: APS801
    app.config["DATABASE_URL"] = db.DEFAULT_DATABASE_URL
    app.config.from_mapping(config or {})
    CORS(app, origins=CORS_ORIGINS, supports_credentials=True)  # ok: APS802
    db.init_app(app)
    app.register_blueprint(api, url_prefix="/api")
    app.add_url_rule("/health", view_func=health)
    app.register_error_handler(HTTPException, _json_error)
    return app


app = create_app()
