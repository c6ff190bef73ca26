"""The `apiposture` command: exit codes 0/1/2, JSON-only stdout, one-line errors."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_apiposture.cli import main

APP = """
    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.security import OAuth2PasswordBearer

    oauth2 = OAuth2PasswordBearer(tokenUrl="token")


    def current_user(token: str = Depends(oauth2)) -> str:
        if token != "t":
            raise HTTPException(status_code=401)
        return "alice"


    app = FastAPI()


    @app.get("/me")
    def me(user: str = Depends(current_user)) -> dict[str, str]:
        return {"name": user}
"""
OPEN_WRITE = """

    @app.post("/notes")
    def add_note(text: str) -> dict[str, str]:
        return {"text": text}
"""


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, str]]:
    """A one-module app with a unique module name (sys.modules outlives each test)."""
    name = f"clifx_{request.node.name.replace('[', '_').replace(']', '').replace('-', '_')}"
    yield tmp_path, name
    sys.modules.pop(name, None)
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


def write(project: tuple[Path, str], text: str) -> str:
    root, name = project
    (root / f"{name}.py").write_text(textwrap.dedent(text))
    return f"{name}:app"


def test_routes_json_is_the_inventory(
    project: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    target = write(project, APP)
    assert main(["routes", "--root", str(project[0]), "--app", target, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)  # nothing but JSON on stdout
    me = next(e for e in report["endpoints"] if e["path"] == "/me")
    assert (me["method"], me["auth"], me["guards"]) == (
        "GET",
        "authenticated",
        [f"{project[1]}.current_user"],
    )


def test_scan_exit_codes(project: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root = str(project[0])
    clean = write(project, APP)
    assert main(["scan", "--root", root, "--app", clean, "--no-audit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    sys.modules.pop(project[1], None)
    open_write = write(project, APP + OPEN_WRITE)
    assert main(["scan", "--root", root, "--app", open_write, "--no-audit", "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {(f["code"], f["method"], f["path"]) for f in findings if f["severity"] == "high"} == {
        ("APS201", "POST", "/notes")
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan", "--app", "clifx_nope.main:app"], "cannot import 'clifx_nope.main'"),
        (["routes", "--app", "clifx_bad target"], "must look like 'pkg.module:app'"),
        (["explain", "APS000"], "unknown check 'APS000'; `apiposture rules` lists them"),
    ],
)
def test_setup_errors_exit_2_with_one_line(
    tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if argv[0] != "explain":
        argv = [*argv, "--root", str(tmp_path)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    codes = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    assert {"APS201", "APS251", "APS901", "APS001"} <= codes
    assert main(["explain", "aps201"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("APS201 missing-auth") and "## Why is this bad?" in out


def test_diff_new_and_fixed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def report(*fingerprints: str) -> Path:
        path = tmp_path / f"r{len(list(tmp_path.iterdir()))}.json"
        findings = [
            {
                "code": "APS201",
                "method": "GET",
                "path": f"/{fp}",
                "severity": "high",
                "message": "m",
                "fingerprint": fp,
            }
            for fp in fingerprints
        ]
        path.write_text(json.dumps({"version": 1, "findings": findings}))
        return path

    old, new = report("a", "b"), report("b", "c")
    assert main(["diff", str(old), str(new)]) == 1  # something new
    out = capsys.readouterr().out
    assert "/c" in out and "/a" in out
    assert main(["diff", str(new), str(new)]) == 0


PURPOSE = """

    @app.post("/api/v1/auth/token")
    def token(username: str, password: str) -> dict[str, str]:
        if password != "pw":
            raise HTTPException(status_code=401)
        return {"access_token": "t"}


    @app.get("/status/healthz")
    def healthz() -> dict[str, str]:
        return {"ok": "yes"}
"""


def test_routes_table_gives_the_reason_of_every_auth_class(
    project: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15: `apiposture routes` shows why each route has its auth class."""
    target = write(project, APP + PURPOSE + OPEN_WRITE)
    assert main(["routes", "--root", str(project[0]), "--app", target]) == 0
    lines = {
        line.split()[1]: line for line in capsys.readouterr().out.splitlines()[1:] if line.strip()
    }
    assert lines["/me"].split()[5] == "authenticated"
    assert f"guard {project[1]}.current_user at {project[1]}.py:" in lines["/me"]
    assert "public" in lines["/api/v1/auth/token"].split()
    assert "token endpoint (path segment 'token')" in lines["/api/v1/auth/token"]
    assert "health or version probe" in lines["/status/healthz"]
    assert lines["/notes"].split()[5] == "none"
    assert "no guard rejects anonymous callers" in lines["/notes"]
    assert "API docs and schema (served by the framework)" in lines["/openapi.json"]
