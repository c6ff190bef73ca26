"""``Route.body_reads``: the body fields a Flask view reads itself, by name, exactly."""

from __future__ import annotations

from typing import Any

import flask
from flask import Flask, jsonify, request
from flask import request as req
from flask.views import MethodView

from pytest_apiposture.adapters.flask import FlaskAdapter

app = Flask(__name__)


@app.post("/login")
def login() -> Any:
    data = request.get_json(silent=True) or {}
    user = data["username"]
    return jsonify(user=user, ok=bool(data.get("password")))


@app.post("/form")
def form() -> Any:
    tags = request.values.getlist("tag")
    return jsonify(email=request.form["email"], tags=tags)


@app.post("/aliased")
def aliased() -> Any:
    return jsonify(pin=req.form.get("pin"))


@app.post("/copied")
def copied() -> Any:
    fields = request.form.to_dict()
    same = fields
    return jsonify(secret=same.pop("client_secret", None))


@app.post("/qualified")
def qualified() -> Any:
    return jsonify(name=flask.request.json["name"])  # type: ignore[index]


@app.post("/nothing")
def nothing() -> Any:
    other = {"password": 1}
    query = request.args.get("q")
    return jsonify(q=query, token=request.headers["X-Token"], other=other["password"])


class Notes(MethodView):
    def post(self) -> Any:
        return jsonify(title=request.get_json()["title"])

    def get(self) -> Any:
        return jsonify([])


app.add_url_rule("/notes", view_func=Notes.as_view("notes"))


def test_each_view_reads_exactly_these_body_fields() -> None:
    routes = FlaskAdapter().routes(app)
    assert {r.key: r.body_reads for r in routes if r.path != "/static/{filename}"} == {
        "POST /login": ("username", "password"),
        "POST /form": ("tag", "email"),  # in the order the source reads them
        "POST /aliased": ("pin",),  # `from flask import request as req`
        "POST /copied": ("client_secret",),  # through to_dict() and a second name
        "POST /qualified": ("name",),
        "POST /nothing": (),  # the query string, a header, a dict of its own
        "POST /notes": ("title",),
        "GET /notes": (),
    }
