"""The APS352 scanner: sensitive keys, secret-shaped values, undeclared fields in JSON bodies.

A module of its own so that both users point at it: the APS352 probe
(``data_exposure.py``) scans its own responses, and every other probe's run
(``base.py``) scans the 2xx JSON bodies it received, passively.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..checks import Check
from ..knowledge import Knowledge, normalise
from ..model import Confidence, Finding, Kind, Route, Severity
from .discover import records
from .repro import command
from .run import ProbeRun
from .secrets import secret_shape, walk
from .shape import Shape, resolve
from .transcript import Exchange, format_transcript

# Routes whose job is to hand out a credential (login, registration, first install, token
# refresh, API-key creation): a token there is the answer, not a leak. Hashes and keys
# are still reported. Besides the path, a write whose request carried a secret (a
# password, a client secret), or whose handler reads one from a body nothing declares
# (``Route.body_reads``: a Flask login), answers with the caller's credential wherever
# it lives.
_ISSUER = re.compile(
    r"(?:^|/)(?:token|tokens|login|signin|sign-in|oauth|oauth2|refresh|session|sessions|"
    r"api[-_]?keys?|keys|credentials|register|registration|signup|sign-up|install|setup|"
    r"authenticate|auth)/?$",
    re.IGNORECASE,
)
_SECRET_SENT = re.compile(
    r"""(?:^|[{,&\s"'])(?:password|passwd|passphrase|client_secret|secret)["']?\s*[:=]""",
    re.IGNORECASE,
)
_SECRET_FIELD = re.compile(r"(?:^|_)(?:password|passwd|passphrase|secret)$", re.IGNORECASE)
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


class ExposureFacts(Check):
    """APS352's facts, in one place for the probe (data_exposure.py, whose docstring is the
    check's documentation) and for the passive scan of every other probe's responses."""

    code = "APS352"
    name = "sensitive-data-probe"
    kind = Kind.DATA_EXPOSURE
    owasp = "API3:2023"
    severity = Severity.HIGH
    confidence = Confidence.CONFIRMED
    cwe = 213
    summary = "response body carries sensitive keys, secret-shaped values or undeclared fields"
    remediation = (
        "Return an explicit output schema: FastAPI `response_model=UserOut` without the "
        "secret fields (never the ORM object or `__dict__`); Flask: serialise with a schema "
        "(`UserOut().dump(user)`) or build the dict field by field. Never send hashes, "
        "tokens or keys back."
    )


CODE = ExposureFacts.code


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


def scan(
    doc: Any,
    knowledge: Knowledge,
    declared: set[str] | None,
    issuer: bool,
    own: frozenset[str] = frozenset(),
) -> list[Exposure]:
    """What ``doc`` exposes. ``issuer``: the answer of a route that issues credentials
    (tokens there are the answer); ``own``: credentials the request itself carried."""
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
        if isinstance(value, str) and value in own:  # the caller's own credential, echoed
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


def exposures(route: Route, run: ProbeRun, bodies: list[Exchange]) -> set[Exposure]:
    """What ``bodies`` (2xx JSON answers of ``route``) expose; scans memoised per session."""
    declared = declared_fields(route, run.ctx.shape(route))
    found: set[Exposure] = set()
    memo = run.session.scanned  # the same listing comes back to many probes
    for exchange in bodies:
        issuer, own = issues_credentials(route, exchange), _carried(exchange)
        key = (route.key, exchange.body + (b"\0issuer" if issuer else b"") + repr(own).encode())
        if key not in memo:
            memo[key] = frozenset(scan(exchange.data, run.ctx.knowledge, declared, issuer, own))
        found.update(memo[key])
    return found


def issues_credentials(route: Route, exchange: Exchange) -> bool:
    """Does this answer hand the caller a credential: a route whose path says it issues
    them, or a write whose request carried a secret or whose handler reads one (a login
    or a registration by any name, a first install)?"""
    if _ISSUER.search(route.path):
        return True
    if exchange.method in ("GET", "HEAD"):
        return False
    return bool(_SECRET_SENT.search(exchange.request_body)) or any(
        _SECRET_FIELD.search(name) for name in route.body_reads
    )


def _carried(exchange: Exchange) -> frozenset[str]:
    """The credentials the request sent in its headers (a token, with or without scheme)."""
    values: set[str] = set()
    for _name, value in exchange.request_headers:
        values.add(value)
        scheme, _sep, rest = value.partition(" ")
        if rest and scheme.isalpha():
            values.add(rest.strip())
    return frozenset(v for v in values if len(v) >= 8)


def report(route: Route, run: ProbeRun, found: set[Exposure], via: str = "") -> Finding:
    """The APS352 finding for what ``route`` exposed (the worst exposure's severity)."""
    worst = max(found, key=lambda e: e.severity.rank).severity
    return ExposureFacts.new_finding(
        message=f"{route.key} returned {_describe(found)}{via}",
        method=route.method,
        path=route.path,
        location=route.location,
        evidence=format_transcript(run.transcript, run.ctx.knowledge),
        severity=worst,
        repro=command(run.transcript, run.ctx.credential_headers, route.key),
    )


def passive(run: ProbeRun, by: str) -> list[Finding]:
    """What another probe's 2xx JSON responses expose, one finding per route."""
    routes = run.ctx.table.by_key
    grouped: dict[str, list[Exchange]] = {}
    for exchange in run.transcript:
        if exchange.ok and exchange.is_json and exchange.route in routes:
            grouped.setdefault(exchange.route, []).append(exchange)
    findings = []
    for key, bodies in grouped.items():
        found = exposures(routes[key], run, bodies)
        if found:
            findings.append(report(routes[key], run, found, f" (seen while probing {by})"))
    return findings
