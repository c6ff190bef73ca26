"""The Probe base and ``run_probe``: what a probe is, and how one item runs.

Every probe item calls ``run_probe(probe, route, ctx)``, which checks the safety limits,
runs the reset hook and turns whatever happens (a finding, an inconclusive answer, a
hang, a crash of the probe itself) into a ``ProbeOutcome``: the run always goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from ..checks import Check
from ..model import Confidence, Finding, Route, Severity
from . import exposure
from .client import RequestHung
from .context import ProbeContext
from .repro import command
from .run import ProbeRun
from .synth import name_tag
from .transcript import Exchange, format_transcript


@dataclass
class ProbeOutcome:
    findings: list[Finding] = field(default_factory=list)
    transcript: list[Exchange] = field(default_factory=list)
    skipped: str | None = None  # why the probe could not run or could not tell
    notes: list[str] = field(default_factory=list)  # what it observed when it passed
    refutes: tuple[str, ...] = ()  # static codes this run disproved for the route
    # APS352 findings from the 2xx JSON bodies this (other) probe received: reported, but
    # not the item's verdict, which rests on the item's own requests only
    exposures: list[Finding] = field(default_factory=list)


class Skip(Exception):
    """Raised inside a probe: it could not run or could not decide; message says why."""


class Probe(Check):
    """A runtime check of one route. Subclasses set the class attributes and ``run``.

    The catalogue facts are ``Check``'s; a probe's findings are confirmed by a request,
    and its docstring has at least "What it does" and "Why is this bad?".
    """

    producer: ClassVar[str] = "probe"
    confidence: ClassVar[Confidence] = Confidence.CONFIRMED
    # static codes a run of this probe can disprove on its route (ProbeRun.refutes)
    refutes: ClassVar[tuple[str, ...]] = ()

    def applies(self, route: Route, ctx: ProbeContext) -> bool:
        return ctx.allowed(route)

    def run(self, route: Route, ctx: ProbeContext) -> ProbeOutcome:
        """Never raises for what the app or the probe does: a Skip, a hang or a crash is
        reported in the outcome."""
        if ctx.session is None:
            return ProbeOutcome(skipped="no probe session is open (open_session)")
        run = ProbeRun(ctx, ctx.session, name_tag(ctx.settings.nonce, self.code, route.key))
        try:
            return ctx.session.client.supervise(lambda: self._run(route, run))
        except RequestHung as hung:  # the probe's thread is abandoned; report what we have
            transcript = [*run.transcript, hung.exchange]
            return ProbeOutcome(
                [], transcript, f"{hung.exchange.describe()}; cannot tell", list(run.notes)
            )

    def _run(self, route: Route, run: ProbeRun) -> ProbeOutcome:
        try:
            findings = self.check(route, run)
        except Skip as why:
            outcome = ProbeOutcome([], run.transcript, str(why), run.notes, tuple(run.refutes))
        except Exception as exc:  # a probe bug must not end the run; say what happened
            reason = f"probe {self.code} could not run on {route.key}: {type(exc).__name__}: {exc}"
            outcome = ProbeOutcome([], run.transcript, reason, run.notes)
        else:
            outcome = ProbeOutcome(findings, run.transcript, None, run.notes, tuple(run.refutes))
        if self.code != exposure.CODE:  # APS352 scans its own bodies as its verdict
            outcome.exposures = exposure.passive(run, f"{self.code} {route.key}")
        return outcome

    def check(self, route: Route, run: ProbeRun) -> list[Finding]:
        """The probe itself: findings, or ``Skip`` when it cannot run or cannot tell."""
        raise NotImplementedError

    def finding(
        self, route: Route, message: str, run: ProbeRun, severity: Severity | None = None
    ) -> Finding:
        return self.new_finding(
            message=message,
            method=route.method,
            path=route.path,
            location=route.location,
            evidence=format_transcript(run.transcript, run.ctx.knowledge),
            severity=severity,
            repro=command(run.transcript, run.ctx.credential_headers, route.key),
        )


_LOGIN = re.compile(r"log-?in|sign-?in|/auth|sso|oauth|session/new|/account/", re.IGNORECASE)
ENFORCED = "enforced"
OPEN = "open"


# A 2xx whose JSON object is only an outcome saying the caller was refused: apps that
# answer every call with 200 and put the outcome in the body ({"success": false, "error":
# "Login required"}, {"code": 401, "msg": "..."}). Every key must be an outcome key or
# empty: a record that merely has a status of 401 or a message mentioning "forbidden"
# (a webhook log, a ticket), or any data beside the refusal, is an answer, not a refusal.
_REFUSAL_WORDS = re.compile(
    r"\bnot (logged|signed) ?in\b|\blog ?in (is )?required|\blogin_required\b|"
    r"\bunauthori[sz]ed\b|\bunauthenticated\b|\bnot authenticated\b|"
    r"\bauthentication (is )?required\b|\baccess denied\b|\bpermission denied\b|"
    r"\bforbidden\b|\bsession (has )?expired\b|"
    r"\binvalid (api[ _-]?key|token|session|credentials?)\b|"
    r"\b(token|credentials?) (is |are )?(missing|expired|invalid|required)\b",
    re.IGNORECASE,
)
_TEXT_KEYS = frozenset(
    {"error", "errors", "message", "msg", "detail", "errormsg", "error_message", "reason",
     "description", "status"}
)  # fmt: skip
_CODE_KEYS = frozenset({"code", "status", "status_code", "statuscode", "error_code"})
_SUCCESS_KEYS = frozenset({"success", "ok"})
_REFUSAL_CODES = frozenset({401, 403, "401", "403"})


def refused_in_body(exchange: Exchange) -> bool:
    """A 2xx whose body is an outcome object refusing the caller, in words or by its own
    status code, with nothing else in it and no success claimed."""
    data = exchange.data
    if not isinstance(data, dict):
        return False
    lowered = {str(k).lower(): v for k, v in data.items()}
    outcome_keys = _TEXT_KEYS | _CODE_KEYS | _SUCCESS_KEYS
    if any(k not in outcome_keys and v not in (None, "", [], {}) for k, v in lowered.items()):
        return False  # data beside the outcome: an answer
    claimed = [lowered.get(k) for k in _SUCCESS_KEYS]
    if any(c not in (None, False, 0, "false") for c in claimed) or str(
        lowered.get("status", "")
    ).lower() in ("ok", "success", "succeeded"):
        return False  # the body says it succeeded
    codes = [lowered.get(k) for k in _CODE_KEYS]
    if any(isinstance(c, int | str) and c in _REFUSAL_CODES for c in codes):
        return True
    return any(
        isinstance(v, str) and _REFUSAL_WORDS.search(v) is not None
        for k, v in lowered.items()
        if k in _TEXT_KEYS
    )


def verdict(exchange: Exchange) -> str | None:
    """``open`` (2xx), ``enforced`` (401/403, redirect to a login page, a 2xx whose body
    is only a refusal), or None."""
    status = exchange.status
    if status is None:
        return None
    if 200 <= status < 300:
        return ENFORCED if refused_in_body(exchange) else OPEN
    if status in (401, 403):
        return ENFORCED
    if 300 <= status < 400 and _LOGIN.search(exchange.location):
        return ENFORCED
    return None


def inconclusive(exchange: Exchange) -> str | None:
    """Why an exchange cannot decide anything (raised, timed out, cut off), or None."""
    if exchange.status is None or exchange.status >= 500:
        return f"{exchange.describe()}; cannot tell"
    return None


def run_probe(probe: Probe, route: Route, ctx: ProbeContext) -> ProbeOutcome:
    """Check the safety limits, run the reset hook, run the probe; never raises."""
    if not (ctx.allowed(route) or ctx.deletable(route)):
        return ProbeOutcome(skipped=f"{route.key} is excluded or its method is not probed")
    if ctx.reset is not None:
        try:
            ctx.reset()
        except Exception as exc:
            return ProbeOutcome(skipped=f"apiposture_reset failed: {type(exc).__name__}: {exc}")
    return probe.run(route, ctx)
