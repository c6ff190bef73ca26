"""APS352: scan every 2xx JSON body for sensitive keys, secret-shaped values, undeclared fields.

The scanner itself is ``exposure.py``, shared with the passive scan every probe run does.
"""

from __future__ import annotations

from ..model import Finding, Route
from . import exposure
from .base import Probe, Skip, inconclusive
from .context import ProbeContext
from .exposure import Exposure
from .identities import Identity
from .run import ProbeRun
from .transcript import Exchange


class DataExposureProbe(Probe):
    """## What it does
    Calls the route as anonymous and as each identity and scans what comes back. Every
    2xx JSON body (its own, and any other probe received for the route in this session)
    is searched for keys that name secrets (password, token, api_key...),
    for values shaped like secrets (bcrypt/argon2/pbkdf2/scrypt hashes, JWTs, private keys,
    cloud keys, card numbers passing Luhn, SSNs) and, when the route declares a response
    model, for fields the model does not have. Routes that issue credentials may return
    tokens: a login, token or registration path, a write that sent a password, or a
    write whose handler reads one from a body nothing declares (a Flask view's
    ``request.form["password"]``); hashes and keys are reported there too.

    ## Why is this bad?
    Whatever the response carries, the client has: password hashes can be cracked
    offline, tokens and keys replayed, personal data leaked, even when the UI never shows
    them.
    """

    facts = exposure.ExposureFacts  # shared with the passive scan of other probes' bodies
    code, name, kind, owasp = facts.code, facts.name, facts.kind, facts.owasp
    severity, cwe, summary, remediation = (
        facts.severity,
        facts.cwe,
        facts.summary,
        facts.remediation,
    )

    def applies(self, route: Route, ctx: ProbeContext) -> bool:
        return ctx.allowed(route)

    def check(self, route: Route, run: ProbeRun) -> list[Finding]:
        people = run.ctx.people
        callers: list[Identity | None]
        callers = [None, *people[:3]] if route.method == "GET" else [people[0] if people else None]
        own: list[Exchange] = []
        for who in callers:
            own.append(run.call(route, who))
            if own[-1].status is None:  # timed out: the others would wait as long
                break
        # the verdict rests on this item's own requests only, so it cannot depend on
        # which items ran before it (or in which pytest-xdist worker)
        bodies = [ex for ex in own if ex.ok and ex.is_json]
        if not bodies:
            raise Skip(self._nothing(own))
        found = self.exposures(route, run, bodies)
        if not found:
            run.notes.append(f"scanned {len(bodies)} JSON response(s): nothing sensitive")
            return []
        return [self._report(route, run, found)]

    def exposures(self, route: Route, run: ProbeRun, bodies: list[Exchange]) -> set[Exposure]:
        return exposure.exposures(route, run, bodies)

    def _report(self, route: Route, run: ProbeRun, found: set[Exposure]) -> Finding:
        return exposure.report(route, run, found)

    def passive(self, run: ProbeRun, by: str) -> list[Finding]:
        """What another probe's 2xx JSON responses expose, one finding per route."""
        return exposure.passive(run, by)

    @staticmethod
    def _nothing(exchanges: list[Exchange]) -> str:
        for exchange in exchanges:
            reason = inconclusive(exchange)
            if reason:
                return reason
        for exchange in exchanges:
            if exchange.ok and not exchange.is_json:
                kind = exchange.content_type or "no content type"
                return f"{exchange.describe()} ({kind}), not JSON: nothing to scan"
        statuses = ", ".join(f"{e.label} -> {e.status}" for e in exchanges)
        return f"no 2xx JSON response to scan ({statuses})"
