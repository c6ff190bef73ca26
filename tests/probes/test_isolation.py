"""Anonymous requests never send an account a probe created (register, then login)."""

from __future__ import annotations

import json

from pytest_apiposture.model import Confidence, Severity
from pytest_apiposture.probes import ProbeSettings

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


def open_registration(nonce: str) -> tuple[list[str], str | None]:
    """APS251 on ``POST /users`` in a run with ``nonce``, the accounts kept from before."""
    outcome = probe_all(px_accounts_app.app, settings=ProbeSettings(timeout=2.0, nonce=nonce))
    found = outcome.outcomes[("APS251", "POST /users")]
    return [f.message for f in found.findings], found.skipped


def test_a_second_run_on_the_same_data_still_confirms_the_open_registration() -> None:
    """The stranger of the anonymous request carries the run's nonce: the next run
    registers a new one, where a name fixed across runs answers 409 (taken), which reads
    as a refusal and would hide the open registration from the second run on."""
    confirmed = [
        "POST /users answered 201 to an anonymous request: the route has no authentication"
    ]
    px_accounts_app.reset()
    assert open_registration("a1b2c3") == (confirmed, None)
    assert open_registration("d4e5f6") == (confirmed, None)  # same accounts, new run
    # the control: the same stranger twice (no nonce) is refused as taken the second time
    px_accounts_app.reset()
    assert open_registration("") == (confirmed, None)
    assert open_registration("")[0] == []
