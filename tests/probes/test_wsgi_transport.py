"""The lean WSGI transport hands the app the environ Flask's own test client would build."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import Flask, jsonify, request
from flask.testing import FlaskClient

from pytest_apiposture.adapters.flask import FlaskAdapter
from pytest_apiposture.probes import ProbeRequest
from pytest_apiposture.probes.client import base_url
from pytest_apiposture.probes.wsgi import WSGIProbeClient

REQUESTS = [
    ProbeRequest("GET", "/plain"),
    ProbeRequest("GET", "/files/a%20b/%C3%A9t%C3%A9%2Fx", (("q", "a b&c=d"), ("w", "é/?"))),
    ProbeRequest("GET", "/raw/é", headers={"Accept": "application/json", "X-Api-Key": "k1"}),
    ProbeRequest("POST", "/items", json={"name": "lamp", "tags": ["a", "ü"]}),
    ProbeRequest("PUT", "/items/1", json=None, headers={"Content-Type": "text/plain"}),
    ProbeRequest("POST", "/login", form={"user": "a b", "next": "/x?y=1"}),
    ProbeRequest("POST", "/login", form={}),
    ProbeRequest("GET", "/who", headers={"User-Agent": "probe", "Host": "other.test:81"}),
    ProbeRequest("GET", "/who", headers={"Content-Type": "application/xml"}),
    ProbeRequest("GET", "/twice", headers={"X-Token": "one", "x-token": "two"}),
]


class Recorder:
    """WSGI middleware that keeps a comparable copy of each environ the app receives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read()
        environ["wsgi.input"].seek(0)
        assert environ["wsgi.errors"] is sys.stderr  # the current one, as the builder takes
        kept = {k: v for k, v in environ.items() if k not in ("wsgi.input", "wsgi.errors")}
        if kept.get("CONTENT_TYPE") == "application/x-www-form-urlencoded":
            # the two quote different characters; the length is right, the form the same
            assert kept.pop("CONTENT_LENGTH") == str(len(body))
            body = sorted(parse_qsl(body.decode()))
        kept["QUERY_STRING"] = sorted(parse_qsl(kept["QUERY_STRING"]))
        kept["body"] = body
        self.seen.append(kept)
        return self.app(environ, start_response)


def make_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)

    @app.route("/<path:anything>", methods=["GET", "POST", "PUT"])
    def echo(anything: str) -> Any:
        return jsonify(path=anything, args=request.args, host=request.host)

    return app


CONFIGS = [
    pytest.param({}, None, id="defaults"),
    pytest.param(
        {
            "SERVER_NAME": "api.test:8443",
            "APPLICATION_ROOT": "/root",
            "PREFERRED_URL_SCHEME": "https",
        },
        None,
        id="server-name-root-https",
    ),
    pytest.param({}, "tenant.example.com:8080", id="host-setting"),
]


def environs(app: Flask, host: str | None, lean: bool) -> list[dict[str, Any]]:
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder  # type: ignore[method-assign]
    client = WSGIProbeClient(FlaskAdapter().transport(app), 5.0, host)
    try:
        for probe_request in REQUESTS:
            if lean:
                assert client.send(probe_request, label="x", route="-").error is None
            else:  # the reference: every request through FlaskClient.open
                through_flask_client(app, probe_request, host)  # any status: a 404 too
    finally:
        client.close()
        app.wsgi_app = recorder.app  # type: ignore[method-assign]
    return recorder.seen


def through_flask_client(app: Flask, request: ProbeRequest, host: str | None) -> int:
    """``request`` sent as the transport did before it spoke WSGI itself."""
    kwargs: dict[str, Any] = {"method": request.method, "headers": dict(request.headers)}
    if request.query:
        kwargs["query_string"] = list(request.query)
    if host:
        kwargs["base_url"] = base_url(host)
    payload = request.json_bytes()
    if payload is not None:
        kwargs["data"], kwargs["content_type"] = payload, "application/json"
    elif request.form is not None:
        kwargs["data"] = dict(request.form)
    client = app.test_client(use_cookies=False)
    return client.open(request.path, follow_redirects=False, **kwargs).status_code


@pytest.mark.parametrize(("config", "host"), CONFIGS)
def test_the_environ_is_the_one_flasks_test_client_builds(
    config: dict[str, Any], host: str | None
) -> None:
    app = make_app(**config)
    lean, reference = environs(app, host, True), environs(app, host, False)
    assert len(lean) == len(reference) == len(REQUESTS)
    for sent, ours, theirs in zip(REQUESTS, lean, reference, strict=True):
        # the one intended difference: the request URI carries the query, as servers send it
        url = sent.url.encode().decode("latin1")
        assert (ours.pop("REQUEST_URI"), ours.pop("RAW_URI")) == (url, url)
        path = sent.path.encode().decode("latin1")
        assert (theirs.pop("REQUEST_URI"), theirs.pop("RAW_URI")) == (path, path)
        # the client wraps the environ in a Request first; Flask makes its own in any case
        assert "werkzeug.request" not in ours
        assert type(theirs.pop("werkzeug.request")).__name__ == "Request"
        assert ours == theirs, sent


def test_the_environ_keeps_decoded_paths_latin1_and_the_settings() -> None:
    app = make_app(SERVER_NAME="api.test:8443", APPLICATION_ROOT="/root")
    seen = environs(app, None, True)
    assert seen[1]["PATH_INFO"] == "/files/a b/été/x".encode().decode("latin1")
    assert (seen[1]["SCRIPT_NAME"], seen[1]["HTTP_HOST"], seen[1]["SERVER_PORT"]) == (
        "/root",
        "api.test:8443",
        "8443",
    )
    assert seen[3]["body"] == b'{"name": "lamp", "tags": ["a", "\\u00fc"]}'
    assert (seen[3]["CONTENT_TYPE"], seen[3]["CONTENT_LENGTH"]) == ("application/json", "41")
    assert seen[9]["HTTP_X_TOKEN"] == "one, two"


class HeaderAddingClient(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("headers", {})["X-From-Client"] = "yes"
        return super().open(*args, **kwargs)


@pytest.fixture
def custom_client_app() -> Iterator[Flask]:
    app = make_app()
    app.test_client_class = HeaderAddingClient
    yield app


def test_a_client_class_that_overrides_open_is_used_as_it_is(custom_client_app: Flask) -> None:
    client = WSGIProbeClient(FlaskAdapter().transport(custom_client_app), 5.0, None)
    seen = Recorder(custom_client_app.wsgi_app)
    custom_client_app.wsgi_app = seen  # type: ignore[method-assign]
    try:
        exchange = client.send(ProbeRequest("GET", "/x", (("a", "1"),)), label="x", route="-")
    finally:
        client.close()
    assert client._template is None
    assert (exchange.status, exchange.data) == (
        200,
        {"path": "x", "args": {"a": "1"}, "host": "localhost"},
    )
    assert seen.seen[0]["HTTP_X_FROM_CLIENT"] == "yes"
