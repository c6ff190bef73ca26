"""The ``pytest_apiposture_rules`` hook: a conftest's own rule runs like a built-in one and
lands in the catalogue every report reads (SARIF rule metadata here)."""

from __future__ import annotations

import json

import pytest

CONFTEST = '''
from pytest_apiposture.model import Kind, Severity
from pytest_apiposture.rules.base import Rule


class ItemsAreReadOnly(Rule):
    """## What it does
    Flags a write route under /items (the team's own convention).

    ## Why is this bad?
    Items are read-only in this service.
    """

    code = "APS891"
    name = "items-are-read-only"
    kind = Kind.MISCONFIGURATION
    owasp = "API8:2023"
    severity = Severity.HIGH
    message = "{route} writes items"
    remediation = "Remove the route (`@app.post`)."

    def check(self, ctx):
        if ctx.route.is_write and ctx.route.path == "/items":
            finding = self.at_handler(ctx)
            if finding is not None:
                yield finding


def pytest_apiposture_rules():
    return [ItemsAreReadOnly]
'''


def test_a_conftest_rule_runs_and_is_catalogued(shop: pytest.Pytester) -> None:
    shop.makeconftest(CONFTEST)
    result = shop.runpytest_subprocess(
        "--apiposture",
        "--apiposture-static-only",
        "-p",
        "no:cacheprovider",
        "--apiposture-sarif=out/report.sarif",
    )
    sarif = json.loads((shop.path / "out" / "report.sarif").read_text())
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["APS891"]["name"] == "items-are-read-only"
    assert rules["APS891"]["shortDescription"]["text"] == (
        "Flags a write route under /items (the team's own convention)."
    )
    assert "## Why is this bad?" in rules["APS891"]["help"]["markdown"]
    hits = [r for r in run["results"] if r["ruleId"] == "APS891"]
    assert [h["message"]["text"].splitlines()[0] for h in hits] == [
        "POST /items: POST /items writes items"
    ]
    assert "APS891" in result.stdout.str()
