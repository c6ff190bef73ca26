"""What users hit on a bad day: the app reaches out, a fixture raises, a report path is
unwritable, warnings are errors, the app prints. Each a clear message; the run goes on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from e2e_helpers import failed_ids, write_project

FETCHER = {
    "e2e_fetch.py": """
        import socket
        from urllib.parse import urlparse

        from fastapi import FastAPI
        from pydantic import BaseModel

        from pytest_apiposture import public

        app = FastAPI()
        print("app module imported")  # an app that prints must not spoil --json


        class Source(BaseModel):
            url: str


        @app.post("/fetch")
        @public
        def fetch(source: Source) -> dict[str, str]:
            # AF_UNIX: were the guard ever missing, connect() with an IP tuple fails locally
            with socket.socket(socket.AF_UNIX) as sock:
                try:
                    sock.connect((urlparse(source.url).hostname or "", 80))
                except OSError as exc:
                    return {"error": type(exc).__name__}
            return {"ok": "yes"}
    """,
}
PROBE = ("--apiposture", "--apiposture-app=e2e_fetch:app", "-p", "no:cacheprovider", "-rf")


def test_the_app_cannot_reach_out_during_probes(pytester: pytest.Pytester) -> None:
    write_project(pytester, FETCHER)
    result = pytester.runpytest_subprocess(*PROBE, "-k", "fetch")
    result.stdout.fnmatch_lines(
        [
            "*while probing POST /fetch* the app tried to connect to ('apiposture.invalid', 80); probes never leave this machine*"
        ]
    )


def test_warnings_as_errors_do_not_fail_passing_items(pytester: pytest.Pytester) -> None:
    write_project(pytester, FETCHER)
    result = pytester.runpytest_subprocess(*PROBE, "--apiposture-static-only", "-W", "error")
    assert failed_ids(result) == set()


def test_raising_identities_fixture_fails_the_status_item_only(pytester: pytest.Pytester) -> None:
    write_project(pytester, FETCHER)
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture\ndef apiposture_identities():\n    raise RuntimeError('no token server')\n"
    )
    result = pytester.runpytest_subprocess(*PROBE)
    assert failed_ids(result) == {"e2e_fetch.py::apiposture-status"}
    result.stdout.fnmatch_lines(["*apiposture_identities: RuntimeError: no token server*"])
    assert result.parseoutcomes()["passed"] > 0


def test_unwritable_report_is_one_error_line_and_a_failing_exit(pytester: pytest.Pytester) -> None:
    write_project(pytester, FETCHER)
    (pytester.path / "blocker").write_text("a file, not a directory")
    result = pytester.runpytest_subprocess(
        *PROBE, "--apiposture-static-only", "--apiposture-json=blocker/r.json"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["apiposture: ERROR cannot write */blocker/r.json: *"])
    assert "Traceback" not in result.stdout.str()


def test_cli_json_stdout_is_only_json_even_when_the_app_prints(pytester: pytest.Pytester) -> None:
    write_project(pytester, FETCHER)
    for command in (["routes", "--json"], ["scan", "--json", "--no-audit", "--probe"]):
        proc = subprocess.run(
            [sys.executable, "-m", "pytest_apiposture.cli", *command, "--app", "e2e_fetch:app"],
            cwd=pytester.path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode in (0, 1), proc.stderr
        json.loads(proc.stdout)
        assert "app module imported" in proc.stderr


def test_cli_unreadable_spec_is_a_setup_error(pytester: pytest.Pytester) -> None:
    write_project(pytester, FETCHER)
    (pytester.path / "bad.json").write_text("{not json")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest_apiposture.cli",
            "scan",
            "--app",
            "e2e_fetch:app",
            "--spec",
            "bad.json",
            "--no-audit",
        ],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "committed spec:" in proc.stderr


def test_fuzz_runs_schemathesis_in_process_as_items(pytester: pytest.Pytester) -> None:
    pytest.importorskip("schemathesis")
    write_project(
        pytester,
        {
            "e2e_fuzz.py": """
            from fastapi import FastAPI

            app = FastAPI()


            @app.get("/divide")
            def divide(a: int, b: int) -> dict[str, float]:
                return {"q": a / b}  # b == 0 -> ZeroDivisionError -> 500
        """,
        },
    )
    result = pytester.runpytest_subprocess(
        "--apiposture",
        "--apiposture-app=e2e_fuzz:app",
        "--apiposture-fuzz",
        "--apiposture-fuzz-examples=50",
        "-p",
        "no:cacheprovider",
        "-rf",
        "-k",
        "fuzz",
        "--apiposture-public=GET /divide",
        "--apiposture-fail-on=medium",
    )
    assert failed_ids(result) == {"e2e_fuzz.py::GET /divide"}
    result.stdout.fnmatch_lines(["*APS851*"])
