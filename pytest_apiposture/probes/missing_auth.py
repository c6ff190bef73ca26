"""APS251: call the route anonymously and with an invalid credential."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from ..model import Auth, Finding, Kind, Route, Severity
from .base import ENFORCED, OPEN, Probe, Skip, inconclusive, verdict
from .client import ProbeRequest
from .context import ProbeContext
from .identities import Identity
from .run import ProbeRun
from .transcript import Exchange

INVALID = "apiposture-invalid-credential"
# body fields that name or prove an account: an anonymous request must never send the
# ones a probe (or an earlier anonymous request) used to create one
_ACCOUNT_FIELD = re.compile(
    r"pass(word|wd|phrase)?$|secret|^pin$|otp|^(user)?_?name$|login|e-?mail|^handle$", re.I
)


def stranger(request: ProbeRequest, route: Route, nonce: str = "") -> ProbeRequest:
    """``request`` with its account fields (name, e-mail, password) replaced by ones no
    probe ever created: unique to the route and the run (``nonce``), never the
    synthesised defaults that an identity's or another route's create request used.
    Otherwise an anonymous login sent the name and password a register probe had just
    created, got 200, and was reported as a broken guard; and an anonymous registration
    of the stranger an earlier run registered got 409, read as a refusal."""
    tag = hashlib.sha256(f"{nonce}{route.key}".encode()).hexdigest()[:8]

    def swap(key: str, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: swap(str(k), v) for k, v in value.items()}
        if not isinstance(value, str) or not _ACCOUNT_FIELD.search(key):
            return value
        if "@" in value:
            return f"stranger{tag}@example.com"
        if re.search(r"pass|secret|pin|otp", key, re.I):
            return f"Stranger-{tag}-Passw0rd!"
        return f"stranger{tag}"

    json_body = swap("", request.json) if isinstance(request.json, Mapping) else request.json
    form = {k: swap(k, v) for k, v in request.form.items()} if request.form else request.form
    if json_body == request.json and form == request.form:
        return request
    return ProbeRequest(
        request.method, request.path, request.query, json_body, form, request.headers
    )


def spoil(name: str, value: str) -> str:
    """The same kind of credential, but one no app would accept."""
    scheme, sep, _rest = value.partition(" ")
    if name.lower() == "cookie":
        cookie_name = value.split("=", 1)[0].strip() or "session"
        return f"{cookie_name}={INVALID}"
    if sep and scheme.lower() == "basic":
        return "Basic " + base64.b64encode(b"apiposture:invalid-credential").decode()
    if sep and scheme.isalpha():
        return f"{scheme} {INVALID}"
    return INVALID


def invalid_identity(people: tuple[Identity, ...]) -> Identity:
    if people and people[0].headers:
        headers = {k: spoil(k, v) for k, v in people[0].headers.items()}
    else:
        headers = {"Authorization": f"Bearer {INVALID}"}
    return Identity("invalid credential", headers)


class MissingAuthProbe(Probe):
    """## What it does
    Sends the route a valid request with no credential, then one with an invalid credential.
    A route that is not public must refuse both: 401/403, a redirect to a login page, or a
    2xx whose JSON body is only a refusal (`{"success": false, "error": "Login
    required"}`, `{"code": 401}`) count as enforced. A 2xx to the anonymous request is
    missing authentication; if the static analysis believed the route guarded, the guard
    is broken. A 2xx to the invalid credential means the guard checks that a credential
    is present, not that it is valid.

    ## Why is this bad?
    Anyone who finds the URL can call it: no account, no token, nothing to revoke. This is
    the confirmed form of APS201/APS202, observed on the running app.

    ## Known problems
    Only routes that are not public are probed; a 5xx or a hang cannot decide and is
    reported as skipped, not passed.
    """

    code = "APS251"
    name = "anonymous-access-probe"
    kind = Kind.MISSING_AUTH
    owasp = "API2:2023"
    severity = Severity.HIGH
    cwe = 306
    refutes = ("APS201", "APS202")
    summary = "anonymous / invalid-credential request to a route that is not public gets 2xx"
    remediation = (
        "Require authentication on the route: FastAPI `Depends(get_current_user)` (or "
        "`dependencies=[Depends(...)]` on the router), Flask `@login_required` or a "
        "`before_request` guard; make the guard validate the credential and raise 401. If "
        "the route is meant to be public, list it in `apiposture_public`."
    )

    def applies(self, route: Route, ctx: ProbeContext) -> bool:
        return (ctx.allowed(route) or ctx.deletable(route)) and not ctx.is_public(route)

    def check(self, route: Route, run: ProbeRun) -> list[Finding]:
        values = None
        if route.method == "DELETE":  # only ever an object this probe created
            people = run.ctx.people
            values = run.created(route, people[0] if people else None, variant=9)
            if values is None:
                raise Skip(
                    "DELETE is only sent to an object the probe created, and the create "
                    "route created none"
                )
        # one request, sent three ways: only the credential differs; its account fields
        # are a stranger's, never an account a probe created
        request = stranger(
            run.request(route, None, path_values=values), route, run.ctx.settings.nonce
        )
        anonymous = run.send(route, request, None)
        seen = verdict(anonymous)
        if seen is None:
            seen = self._explain(route, run, request, anonymous)
        if seen == OPEN:
            return [self.finding(route, self._open_message(route, anonymous), run)]
        fake = invalid_identity(run.ctx.people)
        spoofed = run.send(route, request, fake, fake.name)
        if verdict(spoofed) == OPEN:
            message = (
                f"{route.key} refused the anonymous request ({anonymous.status}) but answered "
                f"{spoofed.status} to an invalid credential: the guard checks that a credential "
                "is present, not that it is valid"
            )
            return [self.finding(route, message, run, Severity.CRITICAL)]
        run.notes.append(
            f"anonymous -> {_answer(anonymous)}, invalid credential -> {_answer(spoofed)}: enforced"
        )
        run.refutes.extend(self.refutes)
        return []

    def _explain(
        self, route: Route, run: ProbeRun, request: ProbeRequest, anonymous: Exchange
    ) -> str:
        """An anonymous answer that is neither 2xx nor a refusal: compare with an identity."""
        reason = inconclusive(anonymous)
        if reason:
            raise Skip(reason)
        if 300 <= (anonymous.status or 0) < 400:
            raise Skip(
                f"anonymous request was redirected to {anonymous.location or '(no Location)'}, "
                "not to a login page; cannot tell"
            )
        people = run.ctx.people
        if not people:
            raise Skip(
                f"anonymous request answered {anonymous.status} and no identity is configured "
                "to compare with (--apiposture-identity)"
            )
        known = run.send(route, request, people[0])
        if known.ok:
            # the same request succeeds with credentials: the anonymous refusal was auth
            run.notes.append(
                f"anonymous -> {anonymous.status}, {people[0].name} -> {known.status}: "
                "anonymous callers are refused"
            )
            return ENFORCED
        raise Skip(
            f"anonymous request answered {anonymous.status} and {people[0].name} "
            f"{known.status}: the probe could not build a request the route accepts"
        )

    @staticmethod
    def _open_message(route: Route, exchange: Exchange) -> str:
        got = f"{route.key} answered {exchange.status} to an anonymous request"
        guards = ", ".join(g.name.rsplit(".", 1)[-1] for g in route.auth_guards())
        if route.auth == Auth.AUTHENTICATED:
            return f"{got} although its guard ({guards or 'auth'}) should reject it: the guard is broken"
        if route.auth == Auth.OPTIONAL:
            return f"{got}: its only auth guard ({guards or 'optional auth'}) lets anonymous callers through"
        if route.auth == Auth.CONDITIONAL:
            return (
                f"{got}: its guard lets anonymous callers through under this configuration "
                f"({route.auth_reason})"
            )
        return f"{got}: the route has no authentication"


def _answer(exchange: Exchange) -> str:
    """The status, and when a 2xx counted as a refusal, that its body said so."""
    said = " (a refusal in its body)" if exchange.ok and verdict(exchange) == ENFORCED else ""
    return f"{exchange.status}{said}"
