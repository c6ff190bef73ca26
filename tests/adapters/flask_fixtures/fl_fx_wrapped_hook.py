"""An app-wide before_request hook behind an exception-catching decorator.

The shape MLflow's auth app has: ``@catch_errors`` (functools.wraps) around the hook, so
the function Flask holds is the generic wrapper, and the credential check is inside.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, request


def catch_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValueError:
            return "bad request", 400

    return wrapper


@catch_errors
def require_login() -> None:  # mark: hook
    if request.authorization is None:
        abort(401)


app = Flask(__name__)
app.before_request(require_login)


@app.get("/runs")
def list_runs() -> dict[str, list[str]]:
    return {"runs": []}
