"""The probe side of a session: identities, the in-process client session, one probe run.

Opened lazily by the first probe item (or by ``apiposture scan --probe``) and closed at
session end, so a run with ``--apiposture-static-only`` never starts the app's lifespan.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .model import Finding, Route
from .pipeline import Analysis, suppress_findings


class Runtime:
    def __init__(
        self,
        analysis: Analysis,
        *,
        extra_identities: Mapping[str, Mapping[str, str]] | None = None,
        identities_fixture: Any = None,
        reset: Callable[[], Any] | None = None,
    ) -> None:
        from .config import parse_identity
        from .probes import PROBES, ProbeSettings

        self.analysis = analysis
        settings = analysis.settings
        static: dict[str, dict[str, str]] = {}
        for text in settings.identities:  # validated when the settings were built
            name, headers = parse_identity(text)
            static[name] = headers
        for name, extra in (extra_identities or {}).items():
            static[name] = dict(extra)
        fixture = identities_fixture
        # What probes.resolve_identities takes: a mapping, or a callable that gets the
        # in-process client and logs in through the app (so it runs inside the session).
        self.identities: Mapping[str, Any] | Callable[[Any], Any] = static
        if callable(fixture) and not isinstance(fixture, Mapping):
            self.identities = lambda client: {**static, **dict(fixture(client))}
        elif fixture is not None:
            self.identities = {**static, **dict(fixture)}
        self.reset = reset
        self.probe_settings = ProbeSettings(
            probe_methods=settings.probe_methods,
            exclude=settings.probe_exclude,
            timeout=settings.probe_timeout,
            replay_writes=settings.replay_writes,
            host=settings.host,
        )
        self.probes = {cls.code: cls() for cls in PROBES if settings.code_enabled(cls.code)}
        self._stack = contextlib.ExitStack()
        self._context: Any = None

    def catalogue(self) -> Iterator[tuple[str, Callable[[Route], bool]]]:
        """(code, applies) for every enabled probe; ``applies`` needs no open session."""
        for code, probe in self.probes.items():
            yield code, self._applies(probe)

    def _applies(self, probe: Any) -> Callable[[Route], bool]:
        def applies(route: Route) -> bool:
            return bool(probe.applies(route, self.context(open_session=False)))

        return applies

    def context(self, *, open_session: bool = True) -> Any:
        from .probes import ProbeContext
        from .probes import open_session as open_probe_session

        analysis = self.analysis
        assert analysis.loaded is not None
        if self._context is None or (open_session and self._context.session is None):
            session = None
            if open_session:
                session = self._stack.enter_context(
                    open_probe_session(analysis.loaded.app, analysis.adapter, self.probe_settings)
                )
            self._context = ProbeContext(
                app=analysis.loaded.app,
                adapter=analysis.adapter,
                routes=analysis.posture.routes,
                identities=self.identities,
                schema=analysis.schema,
                knowledge=analysis.settings.knowledge,
                settings=self.probe_settings,
                reset=self.reset,
                session=session,
            )
        return self._context

    def run_probe(self, code: str, route: Route) -> tuple[list[Finding], str, str | None]:
        """(findings, transcript text, skip reason) for one probe on one route."""
        from .probes import format_transcript

        probe = self.probes[code]
        if self.reset is not None:
            self.reset()
        outcome = probe.run(route, self.context())
        findings = suppress_findings(self.analysis, outcome.findings, baseline=True)
        return findings, format_transcript(outcome.transcript), outcome.skipped

    def close(self) -> None:
        self._stack.close()
