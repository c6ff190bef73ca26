"""Flask apps mounted inside a FastAPI app, behind Starlette's WSGI adapter.

- ``/flask-api``: an APIFlask app; it generates a spec, with one route hidden from it.
- ``/legacy``: a plain Flask app; it publishes no schema at all.
"""

from __future__ import annotations

import warnings

from apiflask import APIFlask
from fastapi import FastAPI
from flask import Flask

with warnings.catch_warnings():  # deprecated in new Starlette, still the one everyone has
    warnings.simplefilter("ignore")
    from starlette.middleware.wsgi import WSGIMiddleware

documented = APIFlask(__name__, spec_path=None, docs_path=None)


@documented.get("/notes")
def list_notes() -> dict[str, str]:
    return {"note": "one"}


@documented.get("/internal")
@documented.doc(hide=True)
def internal_notes() -> dict[str, str]:
    return {"note": "hidden"}


legacy = Flask("legacy", static_folder=None)


@legacy.get("/runs")
def legacy_runs() -> dict[str, str]:
    return {"run": "one"}


@legacy.post("/runs")
def legacy_create_run() -> dict[str, str]:
    return {"run": "two"}


def top() -> dict[str, str]:
    return {"top": "yes"}


app = FastAPI()
app.add_api_route("/top", top)
app.mount("/flask-api", WSGIMiddleware(documented))
app.mount("/legacy", WSGIMiddleware(legacy))
