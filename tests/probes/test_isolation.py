"""Anonymous requests never send an account a probe created (register, then login)."""

from __future__ import annotations

import json

from pytest_apiposture.model import Confidence, Severity

from .fixtures import px_accounts_app
from .harness import probe_all


def test_register_then_login_is_no_broken_guard() -> None:
    px_accounts_app.reset()
    probed = probe_all(px_accounts_app.app)
    findings = [f for outcome in probed.outcomes.values() for f in outcome.findings]
    assert [(f.code, f.route_key, f.severity, f.confidence) for f in findings] == [
        ("APS251", "POST /users", Severity.HIGH, Confidence.CONFIRMED),
    ]
    login = probed.outcomes[("APS251", "POST /sessions")]
    assert login.skipped is None
    assert tuple(login.refutes) == ("APS201", "APS202")
    # the probes created accounts (anonymously too); the login sent none of them
    created = px_accounts_app.ACCOUNTS
    assert "strangerf73482dc" in created  # POST /users' own anonymous stranger
    sent = [json.loads(ex.request_body) for ex in login.transcript]
    assert sent and all(body["username"] not in created for body in sent)
    assert all(body["password"] not in created.values() for body in sent)
