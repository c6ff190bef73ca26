"""A credential handed back by the route that issues it is the answer, not a leak (APS352)."""

from __future__ import annotations

from pytest_apiposture.model import Confidence, Severity

from .fixtures import px_issuer_app
from .harness import probe_all

ALICE = {"alice": {"Authorization": "Bearer t-alice-0123456789"}}


def test_login_register_and_own_token_are_no_exposure_a_stranger_token_is() -> None:
    probed = probe_all(px_issuer_app.app, identities=ALICE)
    exposures = [
        (f.route_key, f.severity, f.confidence, f.message)
        for outcome in probed.outcomes.values()
        for f in outcome.findings
        if f.code == "APS352"
    ]
    assert exposures == [
        (
            "GET /audit/last-login",
            Severity.HIGH,
            Confidence.CONFIRMED,
            "GET /audit/last-login returned $.session_token (JWT)",
        )
    ]
    for key in ("POST /people/enter", "POST /people/new", "GET /whoami"):
        outcome = probed.outcomes[("APS352", key)]
        assert (outcome.findings, outcome.skipped) == ([], None)
