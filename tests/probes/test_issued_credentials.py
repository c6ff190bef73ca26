"""A credential handed back by the route that issues it is the answer, not a leak (APS352).

The FastAPI login and registration declare a body with a password (the probe sends
one); their Flask twins declare nothing and read ``password`` from the request
themselves (``Route.body_reads``): both are issuers. The same four routes, the same
one leak, in both frameworks.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_apiposture.model import Confidence, Severity

from .fixtures import px_issuer_app
from .harness import probe_all

ALICE = {"alice": {"Authorization": "Bearer t-alice-0123456789"}}


@pytest.mark.parametrize(
    "app", [px_issuer_app.app, px_issuer_app.flask_app], ids=["fastapi", "flask"]
)
def test_login_register_and_own_token_are_no_exposure_a_stranger_token_is(app: Any) -> None:
    probed = probe_all(app, identities=ALICE)
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


def test_the_flask_twin_issues_only_because_its_handlers_read_a_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Flask login's path names no login and the probe sends it no password: what
    the handler reads is all that tells it issues credentials. Without that fact, its
    token and the registration's are reported as exposures."""
    probed = probe_all(px_issuer_app.flask_app, identities=ALICE)
    reads = {r.key: r.body_reads for r in probed.routes if r.method == "POST"}
    assert reads == {
        "POST /people/enter": ("username", "password"),
        "POST /people/new": ("username", "password"),
    }
    monkeypatch.setattr("pytest_apiposture.adapters._decorator_chain.body_reads", lambda *_: ())
    blind = probe_all(px_issuer_app.flask_app, identities=ALICE)
    assert sorted(
        f.message
        for outcome in blind.outcomes.values()
        for f in outcome.findings
        if f.code == "APS352"
    ) == [
        "GET /audit/last-login returned $.session_token (JWT)",
        "POST /people/enter returned $.access_token (JWT)",
        "POST /people/new returned $.token (JWT)",
    ]
