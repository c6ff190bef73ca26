"""Run every probe over a real app the way the plugin does: adapter, classification, session."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE, Knowledge
from pytest_apiposture.model import Auth, Route
from pytest_apiposture.probes import (
    PROBES,
    ProbeContext,
    ProbeOutcome,
    ProbeSettings,
    open_session,
    run_probe,
)


def mark_public(routes: Sequence[Route], knowledge: Knowledge) -> list[Route]:
    """Set ``auth=public`` from the public patterns; everything else stays unclassified.

    The probes decide from what the app answers, not from the static classification
    (auth.py), which only changes the wording of a message; so it is left out here.
    """
    from pytest_apiposture.probes import route_matches

    return [
        replace(r, auth=Auth.PUBLIC)
        if any(route_matches(p, r) for p in knowledge.public_routes)
        else r
        for r in routes
    ]


@dataclass
class Probed:
    routes: list[Route]
    outcomes: dict[tuple[str, str], ProbeOutcome]  # (code, "METHOD /path") -> outcome

    def confirmed(self) -> set[tuple[str, str]]:
        return {
            (f.code, f.route_key) for outcome in self.outcomes.values() for f in outcome.findings
        }

    def skipped(self) -> dict[tuple[str, str], str]:
        return {k: o.skipped for k, o in self.outcomes.items() if o.skipped}


@contextmanager
def context(
    app: Any,
    *,
    identities: Mapping[str, Any] | None = None,
    reset: Callable[[], None] | None = None,
    public: Sequence[str] = (),
    settings: ProbeSettings | None = None,
    schema: dict[str, Any] | None = None,
) -> Iterator[ProbeContext]:
    adapter = select_adapter(app)
    knowledge = DEFAULT_KNOWLEDGE.extended(extra_public=tuple(public))
    routes = mark_public(adapter.routes(app), knowledge)
    settings = settings or ProbeSettings(timeout=2.0)
    with open_session(app, adapter, settings) as session:
        yield ProbeContext(
            app=app,
            adapter=adapter,
            routes=routes,
            identities=identities or {},
            schema=schema if schema is not None else adapter.openapi(app),
            knowledge=knowledge,
            settings=settings,
            reset=reset,
            session=session,
        )


def probe_all(app: Any, **kwargs: Any) -> Probed:
    with context(app, **kwargs) as ctx:
        outcomes: dict[tuple[str, str], ProbeOutcome] = {}
        for route in ctx.routes:
            for cls in PROBES:
                probe = cls()
                if probe.applies(route, ctx):
                    outcomes[(probe.code, route.key)] = run_probe(probe, route, ctx)
        return Probed(list(ctx.routes), outcomes)
