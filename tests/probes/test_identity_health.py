"""An identity that cannot get in is one clear setup error, not a run of silent skips."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_apiposture.cli import main
from pytest_apiposture.plugin.session import ItemResult, RunRecord
from pytest_apiposture.report.section import mostly_blind

ROOT = Path(__file__).resolve().parent / "fixtures"
ARGS = ["scan", "--app", "px_lifetime_app:app", "--root", str(ROOT), "--probe", "--no-audit"]


@pytest.fixture(autouse=True)
def fresh_app() -> Iterator[None]:
    sys.modules.pop("px_lifetime_app", None)
    yield
    sys.modules.pop("px_lifetime_app", None)


def test_an_identity_refused_everywhere_is_named_with_what_the_app_answered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(
        [
            *ARGS,
            "--json",
            "--identity=alice=Authorization: Bearer t-alice",
            "--identity=mallory=Authorization: Bearer expired",
        ]
    )
    out, err = capsys.readouterr()
    problems = [line for line in err.splitlines() if line.startswith("apiposture: identities:")]
    assert problems == [
        "apiposture: identities: identity 'mallory' got no 2xx from any route that refuses "
        'anonymous callers: GET /notes -> 401 \'{"detail":"Not authenticated"}\'. It sent '
        "Authorization. Every probe acting as 'mallory' would see only refusals. Fix: give a "
        'credential the app accepts now (--apiposture-identity mallory="Authorization: '
        'Bearer <valid token>"), or make the apiposture_identities fixture log in through '
        "the app the probes call (the same database and secret key)"
    ]
    assert "alice" not in problems[0].partition("mallory")[0]
    assert json.loads(out)["findings"]  # the report is still printed
    assert status == 2


def test_working_identities_pass_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    main([*ARGS, "--identity=alice=Authorization: Bearer t-alice",
          "--identity=bob=Authorization: Bearer t-bob"])  # fmt: skip
    assert "identities:" not in capsys.readouterr().err


def result(probed: int, inconclusive: int) -> ItemResult:
    item = ItemResult(f"GET /{probed}-{inconclusive}")
    item.probed = probed
    item.inconclusive = [("APS151", "-> 401")] * inconclusive
    return item


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([result(2, 2), result(2, 1)], (3, 4)),  # 3 of 4: most
        ([result(2, 2), result(2, 0)], None),  # half is not most
        ([result(2, 2)], None),  # two probes say too little to call a run blind
        ([result(4, 3), result(2, 0)], None),  # 3 of 6
    ],
)
def test_most_probes_inconclusive_fails_the_run(
    items: list[ItemResult], expected: tuple[int, int] | None
) -> None:
    record = RunRecord(results={r.key: r for r in items})
    assert mostly_blind(record) == expected


def test_flask_an_identity_refused_everywhere_is_a_setup_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sys.modules.pop("px_slash_app", None)
    status = main(
        [
            "scan", "--app", "px_slash_app:flask_app", "--root", str(ROOT), "--probe",
            "--no-audit", "--identity=mallory=Authorization: Bearer expired",
        ]
    )  # fmt: skip
    problems = [
        line
        for line in capsys.readouterr().err.splitlines()
        if line.startswith("apiposture: identities:")
    ]
    assert len(problems) == 1
    assert problems[0].startswith(
        "apiposture: identities: identity 'mallory' got no 2xx from any route that refuses "
        "anonymous callers: GET /api/v1/docs/ -> 401 "
    )
    assert status == 2
