"""The probe side of a session: identities, the in-process client session, one probe run.

Opened lazily by the first probe item (or by ``apiposture scan --probe``) and closed at
session end, so a run with ``--apiposture-static-only`` never starts the app's lifespan.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import Finding, Route
from ..verdict import Observations

if TYPE_CHECKING:
    from ..pipeline import Analysis


_NEED_IDENTITIES = ("APS151", "APS351", "APS352")  # probes that act as an identity


@dataclass
class ProbeResult:
    findings: list[Finding] = field(default_factory=list)
    # APS352 exposures seen in bodies other probes received: reported, never failing
    # the item that happened to see them
    exposures: list[Finding] = field(default_factory=list)
    transcript: str = ""
    skipped: str | None = None
    blocked: list[str] = field(default_factory=list)
    refutes: tuple[str, ...] = ()  # static codes this probe disproved on the route
    notes: list[str] = field(default_factory=list)

    def observations(self, probe: str, route: Route) -> Observations:
        """What this run adds to the verdict's input: its findings and refutations."""
        observed = Observations()
        observed.add_findings(self.findings)
        observed.add_findings(self.exposures, passive=True)
        observed.add_refutations(probe, route, self.refutes, "; ".join(self.notes))
        return observed


class Runtime:
    def __init__(
        self,
        analysis: Analysis,
        *,
        extra_identities: Mapping[str, Mapping[str, str]] | None = None,
        identities_fixture: Any = None,
        reset: Callable[[], Any] | None = None,
    ) -> None:
        from ..config import parse_identity
        from . import PROBES, ProbeSettings

        self.analysis = analysis
        settings = analysis.settings
        static: dict[str, dict[str, str]] = {}
        for text in settings.identities:  # validated when the settings were built
            name, headers = parse_identity(text)
            static.setdefault(name, {}).update(headers)  # a repeated name adds headers
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
        self.auto: Any = None  # autoidentity.AutoIdentities: zero-config identities
        if not static and fixture is None and not settings.static_only:
            from .autoidentity import find

            self.auto = find(analysis.posture.routes, analysis.schema)
            if self.auto is not None:
                self.identities = self.auto
        self.reset = reset
        self.probe_settings = ProbeSettings(
            probe_methods=settings.probe_methods,
            exclude=settings.probe_exclude,
            timeout=settings.probe_timeout,
            replay_writes=settings.replay_writes,
            host=settings.host,
            nonce=settings.probe_nonce,
        )
        self.probes = {cls.code: cls() for cls in PROBES if settings.code_enabled(cls.code)}
        self._stack = contextlib.ExitStack()
        self._context: Any = None
        self.startup_error: str | None = None
        self.identity_error: str | None = None  # an identity that cannot authenticate
        self.blocked: list[str] = []  # outbound connections the app tried during probes
        self._exposures_seen: set[str] = set()
        # one run per (probe, route) per process: a static item asking for a refutation
        # and the probe's own item share it
        self._results: dict[tuple[str, str], ProbeResult] = {}
        self.observed = Observations()  # everything this process's probes saw

    def catalogue(self) -> Iterator[tuple[str, Callable[[Route], bool]]]:
        """(code, applies) for every enabled probe; ``applies`` needs no open session."""
        for code, probe in self.probes.items():
            yield code, self._applies(probe)

    def _applies(self, probe: Any) -> Callable[[Route], bool]:
        def applies(route: Route) -> bool:
            return bool(probe.applies(route, self.context(open_session=False)))

        return applies

    def context(self, *, open_session: bool = True) -> Any:
        from . import ProbeContext
        from . import open_session as open_probe_session

        analysis = self.analysis
        assert analysis.loaded is not None
        if self._context is None or (open_session and self._context.session is None):
            session = None
            if open_session:
                session = self._stack.enter_context(
                    open_probe_session(
                        analysis.loaded.app,
                        analysis.adapter,
                        self.probe_settings,
                        analysis.served,
                    )
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

    def start(self) -> str | None:
        """Open the probe session (the app's startup); the error text when it fails."""
        from . import ProbeError
        from .netguard import loopback_only

        if self.startup_error is None and (self._context is None or self._context.session is None):
            try:
                with loopback_only(self.blocked):
                    context = self.context()
                    self._check_identities(context)
            except ProbeError as exc:
                self.startup_error = str(exc)
        return self.startup_error

    def _check_identities(self, context: Any) -> None:
        """Each identity must get in somewhere before the probes act as it (health.py)."""
        from .health import identity_problem

        if any(code in self.probes for code in _NEED_IDENTITIES):
            self.identity_error = identity_problem(context)
        if self.auto is not None and self.auto.problem:  # nobody asked for them: a note
            self.analysis.posture.notes.append(
                f"{self.auto.problem}; configure identities (--apiposture-identity) for "
                "the probes that need two"
            )

    def describe_identities(self) -> str:
        """For the report header: how many identities, and where they come from."""
        if self.auto is not None:
            return f"identities=2 ({self.auto.describe()})"
        if callable(self.identities) and not isinstance(self.identities, Mapping):
            return "identities=fixture"
        return f"identities={len(self.identities)}"

    def run_probe(self, code: str, route: Route) -> ProbeResult:
        """Run one probe on one route (once per process); never raises for the app's or
        the probe's failures."""
        key = (code, route.key)
        if key not in self._results:
            result = self._results[key] = self._run_probe(code, route)
            self.observed.merge(result.observations(code, route))
        return self._results[key]

    def _run_probe(self, code: str, route: Route) -> ProbeResult:
        from . import format_transcript, run_probe
        from .netguard import loopback_only

        if self.start() is not None:
            return ProbeResult(
                skipped=f"the app could not start, see apiposture-status: {self.startup_error}"
            )
        blocked_before = len(self.blocked)
        # the app may react to a probe by calling out (SSRF, webhooks): never off this machine
        with loopback_only(self.blocked):
            outcome = run_probe(self.probes[code], route, self.context())
        exposures = [f for f in outcome.exposures if f.fingerprint() not in self._exposures_seen]
        self._exposures_seen.update(f.fingerprint() for f in exposures)
        exposures = [self._rerun(f) for f in exposures]
        return ProbeResult(
            findings=[self._rerun(f) for f in outcome.findings],
            exposures=exposures,
            transcript=format_transcript(outcome.transcript),
            skipped=outcome.skipped,
            blocked=self.blocked[blocked_before:],
            refutes=tuple(outcome.refutes),
            notes=list(outcome.notes),
        )

    def _rerun(self, finding: Finding) -> Finding:
        """The finding's repro with the pytest node id of its endpoint's item added."""
        import dataclasses
        import os

        from .repro import rerun

        if not finding.repro:
            return finding
        root, app_file = self.analysis.settings.root, self.analysis.app_file
        anchor = os.path.relpath(app_file, root) if app_file else "apiposture"
        line = rerun(anchor.replace(os.sep, "/"), finding.route_key)
        return dataclasses.replace(finding, repro=f"{finding.repro}\n{line}")

    def close(self) -> None:
        """End the probe session, then the app's one lifetime the analysis kept for it."""
        self._stack.close()
        self.analysis.close()
