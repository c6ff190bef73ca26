"""The identity health check (``probes.health``), one decision at a time (issue 19): which
routes it tries, what it quotes of the app's answers and when an identity gets in. Each
case is a real FastAPI app written to its own folder and scanned with ``--probe``."""

from __future__ import annotations

import itertools
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_apiposture.cli import main

_NAMES = itertools.count()
HEAD = """
from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import PlainTextResponse, Response

app = FastAPI()


def caller(authorization):
    # the only valid credential: "Bearer good"; the identity under test sends a bad one
    if authorization != "Bearer good":
        return None
    return "alice"
"""


def problems(
    tmp_path: Path, routes: str, capsys: pytest.CaptureFixture[str], *, config: str = ""
) -> list[str]:
    """The identities line the scan prints for an identity ``mallory`` the app refuses."""
    name = f"px_health_{next(_NAMES)}"
    (tmp_path / f"{name}.py").write_text(HEAD + textwrap.dedent(routes))
    if config:
        (tmp_path / "pyproject.toml").write_text(f"[tool.apiposture]\n{config}\n")
    sys.path.insert(0, str(tmp_path))
    try:
        main(
            [
                "scan", "--app", f"{name}:app", "--root", str(tmp_path), "--probe",
                "--no-audit", "--json", "--identity=mallory=Authorization: Bearer bad",
            ]
        )  # fmt: skip
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)
    err = capsys.readouterr().err
    return [line for line in err.splitlines() if line.startswith("apiposture: identities:")]


def answers(line: str) -> str:
    """The part of the message that lists the app's answers."""
    return line.split("refuses anonymous callers: ", 1)[1].split(". It sent ", 1)[0]


def test_bodies_are_quoted_up_to_120_characters_and_an_empty_one_not_at_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exact, longer = "a" * 120, "b" * 121
    (line,) = problems(
        tmp_path,
        f'''
        @app.get("/exact")
        def exact(authorization: str | None = Header(None)):
            if caller(authorization) is None:
                return PlainTextResponse("{exact}", status_code=401)
            return {{}}


        @app.get("/longer")
        def longer(authorization: str | None = Header(None)):
            if caller(authorization) is None:
                return PlainTextResponse("{longer}", status_code=401)
            return {{}}


        @app.get("/empty")
        def empty(authorization: str | None = Header(None)):
            if caller(authorization) is None:
                return Response(status_code=401)
            return {{}}
        ''',
        capsys,
    )
    # three answers: all shown, no "(and 0 more)"
    assert answers(line) == (
        f"GET /exact -> 401 '{exact}'; GET /longer -> 401 '{longer[:120]}'…; GET /empty -> 401"
    )


def test_a_403_refuses_anonymous_callers_and_only_get_routes_are_tried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (line,) = problems(
        tmp_path,
        """
        @app.get("/vault")
        def vault(authorization: str | None = Header(None)):
            if caller(authorization) is None:
                raise HTTPException(status_code=403, detail="no")
            return {}


        @app.post("/vault")
        def put_in_vault(authorization: str | None = Header(None)):
            if caller(authorization) is None:
                raise HTTPException(status_code=403, detail="no")
            return {}
        """,
        capsys,
    )
    # the POST route is not tried (as a GET it would repeat GET /vault)
    assert answers(line) == 'GET /vault -> 403 \'{"detail":"no"}\''
    assert "It sent Authorization." in line


def test_eight_routes_are_tried_and_the_rest_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = "".join(
        f"""
        @app.get("/r{i}")
        def r{i}(authorization: str | None = Header(None)):
            if caller(authorization) is None:
                return Response(status_code=401)
            return {{}}

        """
        for i in range(10)
    )
    (line,) = problems(tmp_path, routes, capsys)
    assert answers(line) == "GET /r0 -> 401; GET /r1 -> 401; GET /r2 -> 401 (and 5 more)"


def test_a_route_the_probes_must_not_call_is_not_tried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (line,) = problems(
        tmp_path,
        """
        @app.get("/skip")
        def skip(authorization: str | None = Header(None)):
            if caller(authorization) is None:
                return Response(status_code=401)
            return {}


        @app.get("/tried")
        def tried(authorization: str | None = Header(None)):
            if caller(authorization) is None:
                return Response(status_code=401)
            return {}
        """,
        capsys,
        config='probe-exclude = ["GET /skip"]',
    )
    assert answers(line) == "GET /tried -> 401"


def test_an_identity_that_gets_in_somewhere_has_no_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # mallory is refused by /strict but /lenient lets any bearer token in: no problem
    assert (
        problems(
            tmp_path,
            """
            @app.get("/strict")
            def strict(authorization: str | None = Header(None)):
                if caller(authorization) is None:
                    return Response(status_code=401)
                return {}


            @app.get("/lenient")
            def lenient(authorization: str | None = Header(None)):
                if not authorization:
                    return Response(status_code=401)
                return {}
            """,
            capsys,
        )
        == []
    )
