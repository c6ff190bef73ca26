"""Before the probes that need identities: does each identity get in at all?

An identity whose token expired, whose header is misspelt or whose login fixture logged
in against another database gets 401 everywhere; every BOLA, mass-assignment and
exposure probe would then skip on its own, and nobody would read why. One check instead:
each identity must get a 2xx from some GET route that refuses an anonymous caller
(401/403). The answer is one message for the status item, or None.
"""

from __future__ import annotations

from ..model import Route
from .client import ProbeRequest
from .context import ANONYMOUS, ProbeContext
from .identities import Identity
from .transcript import Exchange

_CANDIDATES = 8  # GET routes tried; each identity stops at its first 2xx
_BODY = 120  # characters of the app's answer quoted in the message


def identity_problem(ctx: ProbeContext) -> str | None:
    """The status item's message when an identity cannot authenticate, else None."""
    session = ctx.session
    if session is None:
        return None
    try:
        people = ctx.people
    except Exception as exc:  # a login fixture that raised, a malformed identity
        return f"the identities could not be resolved: {type(exc).__name__}: {exc}"
    if not people:
        return None
    guarded: list[tuple[Route, ProbeRequest]] = []
    for route in ctx.routes:
        if len(guarded) >= _CANDIDATES:
            break
        if route.method != "GET" or "{" in route.path or not ctx.allowed(route):
            continue
        if ctx.is_public(route):
            continue
        request = ProbeRequest("GET", route.path)
        if session.send(route, request, None, ANONYMOUS).status in (401, 403):
            guarded.append((route, request))
    if not guarded:
        return None  # no route that refuses anonymous callers: nothing to check against
    failing = [_failure(ctx, who, guarded) for who in people]
    problems = [text for text in failing if text]
    return "\n".join(problems) if problems else None


def _failure(
    ctx: ProbeContext, who: Identity, guarded: list[tuple[Route, ProbeRequest]]
) -> str | None:
    assert ctx.session is not None
    answers: list[Exchange] = []
    for route, request in guarded:
        exchange = ctx.session.send(route, request, who, who.name)
        if exchange.ok:
            return None
        answers.append(exchange)
    shown = "; ".join(f"GET {a.url} -> {_answer(a)}" for a in answers[:3])
    more = f" (and {len(answers) - 3} more)" if len(answers) > 3 else ""
    sent = ", ".join(sorted(who.headers)) or "no headers (dependency overrides only)"
    return (
        f"identity {who.name!r} got no 2xx from any route that refuses anonymous callers: "
        f"{shown}{more}. It sent {sent}. Every probe acting as {who.name!r} would see "
        f"only refusals. Fix: give a credential the app accepts now "
        f'(--apiposture-identity {who.name}="Authorization: Bearer <valid token>"), or '
        "make the apiposture_identities fixture log in through the app the probes call "
        "(the same database and secret key)"
    )


def _answer(exchange: Exchange) -> str:
    status = str(exchange.status) if exchange.status is not None else "no response"
    if exchange.error:
        status += f" ({exchange.error})"
    text = exchange.body.decode("utf-8", "replace").strip().replace("\n", " ")
    if text:
        status += f" {text[:_BODY]!r}" if len(text) <= _BODY else f" {text[:_BODY]!r}…"
    return status
