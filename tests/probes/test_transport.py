"""The probe transport speaks ASGI or WSGI itself, picked by the protocol the adapter names."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from flask import Flask, jsonify, redirect, request
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from pytest_apiposture.adapters import Transport, select_adapter
from pytest_apiposture.probes import ProbeError, ProbeRequest, ProbeSettings, open_session
from pytest_apiposture.probes.appclient import AppClient
from pytest_apiposture.probes.asgi import ASGIProbeClient
from pytest_apiposture.probes.client import ProbeClient
from pytest_apiposture.probes.context import ProbeSession
from pytest_apiposture.probes.transcript import Exchange
from pytest_apiposture.probes.transport import make_client
from pytest_apiposture.probes.wsgi import WSGIProbeClient

SETTINGS = ProbeSettings(timeout=2.0)


def send(client: ProbeClient | ProbeSession, path: str, **headers: str) -> Exchange:
    target = client.client if isinstance(client, ProbeSession) else client
    return target.send(ProbeRequest("GET", path, headers=headers), label="x", route=f"GET {path}")


class Counts:
    def __init__(self) -> None:
        self.startups = self.shutdowns = 0
        self.hits: list[str] = []


def starlette_app(counts: Counts) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        counts.startups += 1
        yield {"db": "connected"}  # lifespan state, which every request sees
        counts.shutdowns += 1

    async def state(request: Request) -> Response:
        counts.hits.append(request.url.path)
        return JSONResponse({"db": request.state.db, "url": str(request.url)})

    async def boom(request: Request) -> Response:
        raise KeyError("missing-row")

    async def moved(request: Request) -> Response:
        return RedirectResponse("/state", status_code=307)

    async def login(request: Request) -> Response:
        body = await request.json() if request.method == "POST" else {}
        response = JSONResponse({"token": f"t-{body.get('name', request.query_params.get('n'))}"})
        response.set_cookie("session", "s1")
        return response

    routes = [
        Route("/state", state),
        Route("/boom", boom),
        Route("/moved", moved),
        Route("/login", login, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def flask_app(counts: Counts) -> Flask:
    app = Flask(__name__)

    @app.get("/state")
    def state() -> Any:
        counts.hits.append(request.path)
        return jsonify(url=request.url)

    @app.get("/boom")
    def boom() -> Any:
        raise KeyError("missing-row")

    @app.get("/moved")
    def moved() -> Any:
        return redirect("/state", code=307)

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        name = request.form.get("name") or (request.get_json(silent=True) or {}).get("name")
        return jsonify(token=f"t-{name or request.args.get('n')}")

    @app.errorhandler(500)
    def handled(error: Any) -> Any:  # Flask answers the 500 itself: no exception escapes
        return jsonify(error="internal"), 500

    return app


@pytest.mark.parametrize(
    ("make", "protocol", "client_class"),
    [
        (lambda: FastAPI(), "asgi", ASGIProbeClient),
        (lambda: Starlette(), "asgi", ASGIProbeClient),
        (lambda: Flask(__name__), "wsgi", WSGIProbeClient),
    ],
    ids=["fastapi", "starlette", "flask"],
)
def test_the_transport_is_picked_by_the_protocol_the_adapter_names(
    make: Any, protocol: str, client_class: type[ProbeClient]
) -> None:
    app = make()
    transport = select_adapter(app).transport(app)
    assert (transport.protocol, type(make_client(transport, 1.0))) == (protocol, client_class)
    assert transport.app is app


async def bare_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app without a framework and without lifespan support."""
    assert scope["type"] == "http"
    await receive()
    body = f"{scope['method']} {scope['path']} {scope['query_string'].decode()}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-bare", b"1")]})
    await send({"type": "http.response.body", "body": body})


def bare_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("201 Created", [("X-Bare", "1")])
    return [f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()]


@pytest.mark.parametrize(
    ("transport", "status"),
    [(Transport("asgi", bare_asgi), 200), (Transport("wsgi", bare_wsgi), 201)],
    ids=["asgi", "wsgi"],
)
def test_any_app_speaking_the_protocol_is_probed(transport: Transport, status: int) -> None:
    # The old picking needed a Starlette TestClient or a Werkzeug client object: a bare
    # callable named only by its protocol was "cannot probe through a ...".
    client = make_client(transport, 1.0)
    client.start()  # an app that does not speak the lifespan protocol is fine
    try:
        exchange = send(client, "/a%20b", **{"X-Y": "z"})
    finally:
        client.close()
    assert (exchange.status, exchange.error, exchange.header("x-bare")) == (status, None, "1")
    assert exchange.body.decode().startswith("GET /a b")


def test_an_unknown_protocol_is_a_clear_error() -> None:
    with pytest.raises(ProbeError, match=r"^cannot probe an app spoken to over 'grpc'"):
        make_client(Transport("grpc", bare_wsgi), 1.0)  # type: ignore[arg-type]


def test_no_test_client_is_built_to_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette import testclient

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the probes built a Starlette TestClient")

    monkeypatch.setattr(testclient.TestClient, "__init__", refuse)
    counts = Counts()
    app = starlette_app(counts)
    with open_session(app, select_adapter(app), SETTINGS) as session:
        assert send(session, "/state").status == 200
    assert counts.hits == ["/state"]


def test_the_lifespan_is_entered_once_for_many_requests_and_left_at_close() -> None:
    counts = Counts()
    app = starlette_app(counts)
    with open_session(app, select_adapter(app), SETTINGS) as session:
        assert (counts.startups, counts.shutdowns) == (1, 0)
        answers = [send(session, "/state") for _ in range(25)]
        assert (counts.startups, counts.shutdowns) == (1, 0)
    assert (counts.startups, counts.shutdowns) == (1, 1)
    assert {a.status for a in answers} == {200}
    assert answers[-1].data == {"db": "connected", "url": "http://testserver/state"}


def test_the_event_loop_thread_cannot_keep_the_process_alive() -> None:
    app = starlette_app(Counts())
    with open_session(app, select_adapter(app), SETTINGS):
        loops = [t for t in threading.enumerate() if t.name == "apiposture-asgi"]
        assert loops and all(t.daemon for t in loops)


@pytest.fixture(params=["asgi", "wsgi"])
def session(request: pytest.FixtureRequest) -> Iterator[tuple[ProbeSession, Counts]]:
    counts = Counts()
    app: Any = starlette_app(counts) if request.param == "asgi" else flask_app(counts)
    with open_session(app, select_adapter(app), ProbeSettings(host="api.test:8443")) as opened:
        yield opened, counts


def test_the_exception_behind_a_500_is_captured(session: tuple[ProbeSession, Counts]) -> None:
    exchange = send(session[0], "/boom")
    assert exchange.status == 500
    assert exchange.error is not None
    assert exchange.error.startswith(
        "raised KeyError: 'missing-row' (at tests/probes/test_transport.py:"
    )


def test_the_flask_exception_is_captured_without_signals(monkeypatch: pytest.MonkeyPatch) -> None:
    # Flask < 2.3 works without blinker; its signals then cannot be connected to.
    from flask import signals

    def unavailable(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("signalling support is unavailable because blinker is not installed")

    monkeypatch.setattr(signals.got_request_exception, "connect", unavailable)
    app = flask_app(Counts())
    with open_session(app, select_adapter(app), SETTINGS) as opened:
        exchange = send(opened, "/boom")
        other = send(opened, "/state")
    assert (exchange.status, exchange.data) == (500, {"error": "internal"})
    assert exchange.error is not None and exchange.error.startswith("raised KeyError:")
    assert (other.status, other.error) == (200, None)
    assert app.teardown_request_funcs.get(None) == []  # the session left nothing behind


def test_redirects_are_answers_never_followed(session: tuple[ProbeSession, Counts]) -> None:
    opened, counts = session
    exchange = send(opened, "/moved")
    assert (exchange.status, exchange.location.rsplit("/", 1)[-1]) == (307, "state")
    assert counts.hits == []  # the target was never requested


def test_the_host_setting_names_the_server(session: tuple[ProbeSession, Counts]) -> None:
    exchange = send(session[0], "/state")
    assert exchange.data["url"] == "http://api.test:8443/state"


def test_identity_callables_get_a_small_client_over_the_transport(
    session: tuple[ProbeSession, Counts],
) -> None:
    opened, _ = session
    client = AppClient(opened.client)
    assert isinstance(client, AppClient)
    by_json = client.post("/login", json={"name": "alice"})
    assert (by_json.status_code, by_json.json(), by_json.get_json()) == (
        200,
        {"token": "t-alice"},
        {"token": "t-alice"},
    )
    assert by_json.headers["Content-Type"] == "application/json"
    assert client.get("/login?n=bob").json() == {"token": "t-bob"}
    assert client.get("/login", params={"n": "carol"}).text.replace(" ", "").strip() == (
        '{"token":"t-carol"}'
    )
    with pytest.raises(
        RuntimeError, match=r"^logging in through the app: identities: GET /boom -> 500"
    ):
        client.get("/boom")


def test_identity_forms_and_the_asgi_cookie_never_comes_back() -> None:
    counts = Counts()
    app = flask_app(counts)
    with open_session(app, select_adapter(app), SETTINGS) as opened:
        form = AppClient(opened.client).post("/login", data={"name": "dora"})
        assert (form.status_code, form.json()) == (200, {"token": "t-dora"})
    asgi = starlette_app(counts)
    with open_session(asgi, select_adapter(asgi), SETTINGS) as opened:
        client = AppClient(opened.client)
        first = client.get("/login?n=x")
        assert first.headers.get_list("set-cookie")[0].startswith("session=s1")
        assert "session=s1" not in str(client.get("/state").json())


def test_an_app_that_fails_its_lifespan_startup_is_one_clear_error() -> None:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        raise ConnectionError("no database")
        yield

    app = Starlette(lifespan=lifespan)
    expected = (
        r"^the app's startup \(lifespan\) failed: "
        r"ConnectionError: no database \(at tests/probes/test_transport\.py:"
    )
    with (
        pytest.raises(ProbeError, match=expected),
        open_session(app, select_adapter(app), SETTINGS),
    ):
        pass
