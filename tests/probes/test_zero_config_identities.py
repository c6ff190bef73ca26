"""No configured identity, open register and login: the probes sign two users up and BOLA runs."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_apiposture.cli import main

ROOT = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def fresh_app() -> Iterator[None]:
    sys.modules.pop("px_signup_app", None)
    yield
    sys.modules.pop("px_signup_app", None)


@pytest.mark.parametrize("target", ["px_signup_app:app", "px_signup_app:flask_app"])
def test_bola_confirmed_with_identities_registered_through_the_app(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["scan", "--app", target, "--root", str(ROOT), "--probe", "--json", "--no-audit"])
    out, err = capsys.readouterr()
    confirmed = {
        (f["code"], f["method"], f["path"], f["severity"])
        for f in json.loads(out)["findings"]
        if f["confidence"] == "confirmed"
    }
    assert confirmed == {("APS151", "GET", "/notes/{note_id}", "high")}
    accounts = sorted(sys.modules["px_signup_app"].ACCOUNTS)
    auto = [n for n in accounts if re.fullmatch(r"apiposture-[ab]-[0-9a-f]{8}", n)]
    assert [n.rsplit("-", 1)[0] for n in auto] == ["apiposture-a", "apiposture-b"]
    # the other accounts the probes' own requests registered carry the run's nonce (the
    # Flask twin declares no body: a probe's body-less request is filed under "None")
    others = [n for n in accounts if n not in auto and n != "None"]
    assert all(re.fullmatch(r"apiposture\d*-[0-9a-f]{10}", n) for n in others)
    assert bool(others) == target.endswith(":app")
    assert "identities:" not in err
