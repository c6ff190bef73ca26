"""APS451: ask for an absurd page size; a refusal proves the bound the static side missed."""

from __future__ import annotations

from dataclasses import replace

from ..model import Finding, Kind, Route, Severity
from .base import Probe, Skip, inconclusive
from .context import ProbeContext
from .run import ProbeRun

HUGE_PAGE = 10_000_000


class PageSizeProbe(Probe):
    """## What it does
    Sends the route's valid request twice: as is, then with each page-size query
    parameter (``limit``, ``page_size``, ``max_results``...) set to ten million. When the
    first answer is 2xx and the second a 4xx, the app bounds the value somewhere (the
    handler, a dependency, the data layer) and the static APS401 finding on the route is
    lowered, with the answer as evidence. A 2xx cannot tell: the
    app may clamp the value silently, so this probe never fails a route on its own.

    ## Why is this bad?
    An unbounded page size lets one request read the whole table: memory and database load
    grow with the data (API4, unrestricted resource consumption). This probe only lowers
    the static APS401 finding when the app proves the bound.
    """

    code = "APS451"
    name = "page-size-probe"
    kind = Kind.RESOURCE_CONSUMPTION
    owasp = "API4:2023"
    severity = Severity.MEDIUM
    cwe = 770
    refutes = ("APS401",)
    summary = "an absurd page size is refused (refutes APS401); never fails on its own"
    remediation = "Bound the page size: `limit: int = Query(50, ge=1, le=100)`."

    def applies(self, route: Route, ctx: ProbeContext) -> bool:
        return ctx.allowed(route) and bool(_page_params(route, ctx))

    def check(self, route: Route, run: ProbeRun) -> list[Finding]:
        names = _page_params(route, run.ctx)
        who = run.ctx.people[0] if run.ctx.people else None
        request = run.request(route, who)
        first = run.send(route, request, who)
        if reason := inconclusive(first):
            raise Skip(reason)
        if not first.ok:
            raise Skip(f"the valid request got {first.status}; cannot tell")
        query = tuple((k, v) for k, v in request.query if k not in names)
        huge = replace(request, query=query + tuple((n, str(HUGE_PAGE)) for n in names))
        answer = run.send(route, huge, who)
        asked = ", ".join(f"{n}={HUGE_PAGE}" for n in names)
        if (
            answer.status is not None
            and 400 <= answer.status < 500
            and answer.status not in (401, 403)
        ):
            run.notes.append(f"{asked} -> {answer.status}: the app bounds it")
            run.refutes.extend(self.refutes)
            return []
        raise Skip(
            f"{asked} -> {answer.status}: accepted; a silent clamp cannot be told from outside"
        )


def _page_params(route: Route, ctx: ProbeContext) -> list[str]:
    return [name for name in route.query_params if ctx.knowledge.limit_name_re.match(name)]
