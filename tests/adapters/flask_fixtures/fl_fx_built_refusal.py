"""App-wide before_request hooks that answer through response-building helpers.

MLflow's auth app has this shape: the hook's own code never says 401 or 403; it returns
``make_forbidden_response()``, a helper that sets ``res.status_code = 403``, and what the
pluggable authentication function returns (resolved at run time, out of static reach).

- ``app``: the refusal is built by a helper: every route is authenticated.
- ``banner_app``: the hook returns a helper's response with status 200 (a maintenance
  banner): it refuses nothing, so its routes are not.
"""

from __future__ import annotations

import importlib
from typing import Any

from fl_fx_wrapped_hook import catch_errors  # functools.wraps around the hook, as MLflow's
from flask import Flask, Response, g, make_response, request

PUBLIC_PATHS = ("/health",)
AUTH_FUNCTION = "fl_fx_built_refusal:basic_auth"  # configurable in MLflow


def make_forbidden_response() -> Response:
    res = make_response("Permission denied")
    res.status_code = 403
    return res


def authenticate_request() -> Any:
    module, name = AUTH_FUNCTION.split(":")
    return getattr(importlib.import_module(module), name)()


def basic_auth() -> Any:
    return request.authorization or make_forbidden_response()


def sender_may(path: str) -> bool:
    return path.startswith("/runs") and g.user == "admin"


@catch_errors
def before_request() -> Response | None:  # mark: hook
    if request.path in PUBLIC_PATHS:
        return None
    authorization = authenticate_request()
    if isinstance(authorization, Response):
        return authorization
    g.user = authorization.username
    if not sender_may(request.path):
        return make_forbidden_response()
    return None


app = Flask(__name__, static_folder=None)
app.before_request(before_request)


@app.get("/runs")
def list_runs() -> dict[str, list[str]]:
    return {"runs": []}


@app.get("/health")
def health() -> str:
    return "ok"


def make_banner_response() -> Response:
    res = make_response("maintenance tonight")
    res.status_code = 200
    return res


def show_banner() -> Response | None:
    if request.args.get("banner"):
        return make_banner_response()
    return None


banner_app = Flask("banner", static_folder=None)
banner_app.before_request(show_banner)


@banner_app.get("/runs")
def banner_runs() -> dict[str, list[str]]:
    return {"runs": []}
