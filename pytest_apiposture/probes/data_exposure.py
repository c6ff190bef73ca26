"""APS352: scan every 2xx JSON body for sensitive keys, secret-shaped values, undeclared fields."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..knowledge import Knowledge, normalise
from ..model import Finding, Kind, Route, Severity
from .base import Probe, Skip, inconclusive
from .context import ProbeContext
from .discover import records
from .identities import Identity
from .run import ProbeRun
from .secrets import secret_shape, walk
from .shape import Shape, resolve
from .transcript import Exchange

# Routes whose job is to hand out a credential (login, token refresh, API-key creation):
# a token there is the answer, not a leak. Hashes and keys are still reported.
_ISSUER = re.compile(
    r"(?:^|/)(?:token|tokens|login|signin|sign-in|oauth|oauth2|refresh|session|sessions|"
    r"api[-_]?keys?|keys|credentials)/?$",
    re.IGNORECASE,
)
_TOKEN_KEYS = re.compile(r"token|api_?key|^key$|secret", re.IGNORECASE)
_CRITICAL = (
    "private key",
    "bcrypt hash",
    "argon2 hash",
    "pbkdf2 hash",
    "scrypt hash",
    "sha-crypt hash",
    "AWS access key",
    "Stripe secret key",
    "GitHub token",
)
_LISTED = 6


@dataclass(frozen=True)
class Exposure:
    path: str  # $.users[].password_hash
    what: str  # "sensitive field", "bcrypt hash", "undeclared field"

    @property
    def severity(self) -> Severity:
        if self.what in _CRITICAL:
            return Severity.CRITICAL
        return Severity.MEDIUM if self.what == "undeclared field" else Severity.HIGH


def declared_fields(route: Route, shape: Shape) -> set[str] | None:
    """Field names the declared response model allows; None when nothing is declared."""
    if route.response_fields:
        names = {f.name for f in route.response_fields}
        return names | {f.alias for f in route.response_fields if f.alias}
    spec = resolve(shape.root, shape.response) if shape.response else {}
    if spec.get("type") == "array" or "items" in spec:
        spec = resolve(shape.root, spec.get("items"))
    properties = spec.get("properties")
    if not properties or spec.get("additionalProperties") not in (None, False):
        return None
    return set(properties)


@lru_cache(maxsize=4096)
def _sensitive(knowledge: Knowledge, key: str) -> bool:
    return knowledge.is_sensitive_field(key)


def scan(doc: Any, knowledge: Knowledge, declared: set[str] | None, issuer: bool) -> list[Exposure]:
    found: list[Exposure] = []
    for hit in walk(doc):
        value = hit.value
        filled = (isinstance(value, str) and value.strip() != "") or (
            isinstance(value, int) and not isinstance(value, bool)
        )
        if not filled:
            continue
        shape = secret_shape(value) if isinstance(value, str) else None
        if issuer and (shape == "JWT" or _TOKEN_KEYS.search(hit.key)) and shape not in _CRITICAL:
            continue
        if shape is not None:
            found.append(Exposure(hit.path, shape))
        elif _sensitive(knowledge, hit.key):
            found.append(Exposure(hit.path, "sensitive field"))
    if declared is not None:
        allowed = {normalise(n) for n in declared}
        for record in records(doc):
            for key in record:
                if normalise(str(key)) not in allowed:
                    found.append(Exposure(f"$.{key}", "undeclared field"))
    return found


def _describe(exposures: Iterable[Exposure]) -> str:
    items = sorted(set(exposures), key=lambda e: (e.what == "undeclared field", e.path))
    parts = [f"{e.path} ({e.what})" for e in items[:_LISTED]]
    more = len(items) - _LISTED
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


class DataExposureProbe(Probe):
    """## What it does
    Calls the route as anonymous and as each identity and scans what comes back. Every
    2xx JSON body (its own, and any other probe received for the route in this session)
    is searched for keys that name secrets (password, token, api_key...),
    for values shaped like secrets (bcrypt/argon2/pbkdf2/scrypt hashes, JWTs, private keys,
    cloud keys, card numbers passing Luhn, SSNs) and, when the route declares a response
    model, for fields the model does not have. Routes that issue credentials (login, token)
    may return tokens; hashes and keys are reported there too.

    ## Why is this bad?
    Whatever the response carries, the client has: password hashes can be cracked
    offline, tokens and keys replayed, personal data leaked, even when the UI never shows
    them.
    """

    code = "APS352"
    name = "sensitive-data-probe"
    kind = Kind.DATA_EXPOSURE
    owasp = "API3:2023"
    severity = Severity.HIGH
    cwe = 213
    summary = "response body carries sensitive keys, secret-shaped values or undeclared fields"
    remediation = (
        "Return an explicit output schema: FastAPI `response_model=UserOut` without the "
        "secret fields (never the ORM object or `__dict__`); Flask: serialise with a schema "
        "(`UserOut().dump(user)`) or build the dict field by field. Never send hashes, tokens "
        "or keys back."
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
        declared = declared_fields(route, run.ctx.shape(route))
        issuer = bool(_ISSUER.search(route.path))
        found: set[Exposure] = set()
        memo = run.session.scanned  # the same listing comes back to many probes
        for exchange in bodies:
            key = (route.key, exchange.body)
            if key not in memo:
                memo[key] = frozenset(scan(exchange.data, run.ctx.knowledge, declared, issuer))
            found.update(memo[key])
        return found

    def _report(self, route: Route, run: ProbeRun, found: set[Exposure], via: str = "") -> Finding:
        worst = max(found, key=lambda e: e.severity.rank).severity
        return self.finding(route, f"{route.key} returned {_describe(found)}{via}", run, worst)

    def passive(self, run: ProbeRun, by: str) -> list[Finding]:
        """What another probe's 2xx JSON responses expose, one finding per route."""
        routes = run.ctx.table.by_key
        grouped: dict[str, list[Exchange]] = {}
        for exchange in run.transcript:
            if exchange.ok and exchange.is_json and exchange.route in routes:
                grouped.setdefault(exchange.route, []).append(exchange)
        findings = []
        for key, bodies in grouped.items():
            found = self.exposures(routes[key], run, bodies)
            if found:
                findings.append(
                    self._report(routes[key], run, found, f" (seen while probing {by})")
                )
        return findings

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
