"""The report header says where zero-config identities came from; BOLA fails its item."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "probes" / "fixtures" / "px_signup_app.py"


def test_header_names_the_registration_and_bola_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(px_signup_app=FIXTURE.read_text())
    result = pytester.runpytest_subprocess(
        "--apiposture", "--apiposture-app=px_signup_app:app", "--apiposture-no-audit",
        "-p", "no:cacheprovider", "-rf",
    )  # fmt: skip
    result.stdout.fnmatch_lines(
        [
            "apiposture: app=px_signup_app:app framework=fastapi routes=* rules=* "
            "mode=static+probes identities=2 (registered through POST /register, logged in "
            "through POST /login)",
        ]
    )
    failed = [line.split(" - ")[0] for line in result.outlines if line.startswith("FAILED ")]
    assert "FAILED px_signup_app.py::GET /notes/{note_id}" in failed
    assert "bob" not in result.stdout.str()
    assert "apiposture-b" in result.stdout.str()  # BOLA's message names the second account
