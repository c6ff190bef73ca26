from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.probes import (
    ProbeError,
    ProbeRequest,
    ProbeSettings,
    format_transcript,
    open_session,
)
from pytest_apiposture.probes.context import ProbeSession
from pytest_apiposture.probes.transcript import NOT_JSON, Exchange

from .fixtures import px_broken_app, px_fastapi_app, px_flask_app

TIMEOUT = 0.3


@pytest.fixture(params=["fastapi", "flask", "flask-testing"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def session(kind: str) -> Iterator[ProbeSession]:
    app: Any = (
        px_fastapi_app.app
        if kind == "fastapi"
        else px_flask_app.create_app(kind == "flask-testing")
    )
    px_fastapi_app.RELEASE.clear()
    px_flask_app.RELEASE.clear()
    try:
        with open_session(app, select_adapter(app), ProbeSettings(timeout=TIMEOUT)) as opened:
            yield opened
    finally:  # let the abandoned handler threads finish
        px_fastapi_app.RELEASE.set()
        px_flask_app.RELEASE.set()


def get(session: ProbeSession, path: str, **headers: str) -> Exchange:
    return session.client.send(
        ProbeRequest("GET", path, headers=headers), label="anonymous", route=f"GET {path}"
    )


def test_a_raising_endpoint_answers_500_with_the_real_exception(
    session: ProbeSession, kind: str
) -> None:
    exchange = get(session, "/edge/boom")
    assert exchange.status == 500
    # the user's file, relative to where pytest runs (the repository root)
    module = "tests/probes/fixtures/" + (
        "px_fastapi_app.py" if kind == "fastapi" else "px_flask_app.py"
    )
    assert exchange.error is not None
    assert re.fullmatch(
        rf"raised ZeroDivisionError: division by zero \(at {module}:\d+ in (boom)\)", exchange.error
    ), exchange.error
    assert get(session, "/edge/text").status == 200  # and the next request works


def test_a_hanging_endpoint_times_out_and_the_next_request_works(
    session: ProbeSession, kind: str
) -> None:
    paths = ["/edge/slow-async", "/edge/slow-sync"] if kind == "fastapi" else ["/edge/slow"]
    for path in paths:
        exchange = get(session, path)
        assert (exchange.status, exchange.error) == (None, f"timed out after {TIMEOUT:g}s")
        assert exchange.describe() == f"anonymous: GET {path} -> timed out after {TIMEOUT:g}s"
        follow_up = get(session, "/edge/text")
        assert (follow_up.status, follow_up.body) == (200, b"plain words")


def test_non_json_stream_and_redirect(session: ProbeSession) -> None:
    text = get(session, "/edge/text")
    assert (text.status, text.data, text.is_json) == (200, NOT_JSON, False)
    stream = get(session, "/edge/stream")
    assert (stream.status, stream.truncated, stream.is_json) == (200, True, False)
    assert stream.error == "streamed more than 1024 KiB; the rest was not read"
    redirect = get(session, "/edge/redirect")
    assert (redirect.status, redirect.location.rsplit("/", 1)[-1]) == (302, "elsewhere")


def test_lifespan_runs_once_for_the_session() -> None:
    app = px_fastapi_app.app
    with open_session(app, select_adapter(app), ProbeSettings(timeout=TIMEOUT)) as session:
        assert get(session, "/edge/ready").data == {"ready": True}
    assert app.state.ready is False  # shutdown ran when the session closed


def test_cookies_are_never_carried_between_requests() -> None:
    app = px_fastapi_app.app
    with open_session(app, select_adapter(app), ProbeSettings(timeout=TIMEOUT)) as session:
        assert "session=" in (get(session, "/edge/set-cookie").header("set-cookie") or "")
        assert get(session, "/edge/cookies").data == {"cookie": None}


def test_a_failing_startup_is_one_clear_error() -> None:
    app = px_broken_app.app
    with pytest.raises(ProbeError) as info, open_session(app, select_adapter(app), ProbeSettings()):
        pass
    assert str(info.value).startswith(
        "the app's startup (lifespan) failed: RuntimeError: database unreachable "
        "(at tests/probes/fixtures/px_broken_app.py:"
    )


def test_transcript_redacts_credentials_and_secrets() -> None:
    exchange = Exchange(
        label="alice",
        route="GET /me",
        method="GET",
        url="/me?x=1",
        request_headers=(
            ("Authorization", "Bearer t-alice-secret"),
            ("Accept", "application/json"),
        ),
        request_body='{"password": "hunter22", "name": "a"}',
        status=200,
        response_headers=(("content-type", "application/json"),),
        data={
            "echo": "t-alice-secret",
            "password_hash": "pbkdf2:sha256:1$ab$cd",
            "jwt": "eyJhbGciOiJI.eyJzdWIiOiJh.c2ln",
        },
    )
    assert format_transcript([exchange]) == "\n".join(
        [
            "[1] alice: GET /me?x=1",
            "      Authorization: Bearer ***",
            "      Accept: application/json",
            '      {"password": "***", "name": "a"}',
            "    <- 200  application/json",
            '      {"echo": "***", "password_hash": "pbkdf2...(redacted)", "jwt": "eyJhbG...(redacted)"}',
        ]
    )
