"""pytest File and Item classes: one item per endpoint, which runs its probes and judges.

Tree: ``ApipostureFile`` (anchored at the app's module file) -> ``apiposture-status``
(and ``apiposture-spec``) -> one ``EndpointItem`` per route (``GET /users/{id}``) and one
per subject that is not a route (``project``, ``deps/starlette``, a zombie spec entry).
An endpoint item runs the route's probes, then fails with every finding of the route the
verdict fails (verdict.Judge, the same rules the reports use). Codes are keywords and
markers (``-k APS201``, ``-m APS251``). Node names never contain ``::``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from ..model import Finding, Route
from ..report.section import subject
from ..verdict import Observations
from .session import ItemResult

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from ..pipeline import Analysis

T = TypeVar("T")
# What an item observed and decided travels in its report's user_properties, so the
# xdist controller's verdict and summary see every worker's items:
OBSERVED_PROPERTY = "apiposture_observed"  # verdict.Observations as JSON
RESULT_PROPERTY = "apiposture_result"  # ItemResult as JSON
FUZZ = "fuzz"  # schemathesis over the route's operation (--apiposture-fuzz)


class FindingError(Exception):
    """Raised by an item whose findings fail the build; printed without a traceback.

    ``text`` is what FAILURES shows; the exception's own message (``summary``) is what
    pytest's short summary line repeats, untrimmed when it runs in CI: one line, so a
    finding's text is printed once.
    """

    def __init__(self, text: str, summary: str | None = None) -> None:
        super().__init__(summary if summary is not None else text)
        self.text = text


def format_finding(finding: Finding, root: str, route: Route | None = None) -> str:
    lines = [
        f"{finding.code} {finding.severity.value} ({finding.confidence.value}) "
        f"{finding.kind.value} · OWASP {finding.owasp}"
        + (f" · CWE-{finding.cwe}" if finding.cwe else "")
        + (" · preview" if finding.status == "preview" else "")
    ]
    where = finding.location.display(root) if finding.location else "(no source location)"
    if route is not None and finding.route_key == route.key:
        lines.append(f"{route.key}  handled by {route.handler} at {where}")
    elif finding.route_key:
        lines.append(f"{finding.route_key}  at {where}")
    else:
        lines.append(f"at {where}")
    lines.append(f"  {finding.message}")
    lines.append(f"  fix: {finding.remediation}")
    if finding.evidence:
        lines.append("  evidence:")
        lines.extend(f"    {line}" for line in finding.evidence.splitlines())
    if finding.repro:
        lines.append("  repro:")
        lines.extend(f"    {line}" for line in finding.repro.splitlines())
    return "\n".join(lines)


class _ApipostureNode:
    """Shared look-ups for every node of the tree."""

    config: pytest.Config

    @property
    def analysis(self) -> Analysis:
        from .session import analysis_of

        analysis: Analysis = analysis_of(self.config)
        return analysis


class ApipostureFile(pytest.File, _ApipostureNode):
    def collect(self) -> Iterator[pytest.Item]:
        analysis = self.analysis
        yield StatusItem.from_parent(self, name="apiposture-status")
        if analysis.settings.spec:
            yield SpecStatusItem.from_parent(self, name="apiposture-spec")
        by_key: dict[str, list[Finding]] = defaultdict(list)
        for finding in analysis.posture.findings:
            by_key[subject(finding)].append(finding)
        probing = not analysis.settings.static_only and not analysis.posture.error
        from ..probes.discover import server_state_last

        # a first install or a settings write goes last: its effect must not blind the
        # probes of the other routes (across xdist workers: plugin/xdist_order.py)
        for route in server_state_last(analysis.posture.routes):
            probes: tuple[str, ...] = _probe_codes(route, self.config) if probing else ()
            if probing and analysis.settings.fuzz and route.in_schema and analysis.schema:
                probes = (*probes, FUZZ)
            checks = [*analysis.rule_codes.get(route.key, ()), *analysis.drift_codes]
            yield EndpointItem.from_parent(
                self,
                name=route.key,
                route=route,
                findings=by_key.pop(route.key, []),
                checks=checks,
                probes=probes,
            )
        if analysis.project_codes and analysis.loaded is not None:
            yield EndpointItem.from_parent(
                self,
                name="project",
                route=None,
                findings=by_key.pop("project", []),
                checks=analysis.project_codes,
                probes=(),
            )
        for key in sorted(by_key):  # zombies, dependencies, anything else with a finding
            yield EndpointItem.from_parent(
                self, name=key, route=None, findings=by_key[key], checks=(), probes=()
            )


def _probe_codes(route: Route, config: pytest.Config) -> tuple[str, ...]:
    from .session import probe_catalogue

    return tuple(code for code, applies in probe_catalogue(config) if applies(route))


class _ApipostureItem(pytest.Item, _ApipostureNode):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_marker("apiposture")

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, FindingError):
            # Shown as it is, no traceback; the crash message the short summary repeats is
            # the one-line summary (a plain string would be repeated whole when running in
            # CI). Native entries survive xdist's report serialisation.
            from _pytest._code.code import (
                ReprEntryNative,
                ReprExceptionInfo,
                ReprFileLocation,
                ReprTraceback,
            )

            lines = [f"{line}\n" for line in excinfo.value.text.splitlines()]
            path, line, _ = self.reportinfo()
            return ReprExceptionInfo(
                reprtraceback=ReprTraceback([ReprEntryNative(lines)], None, "native"),
                reprcrash=ReprFileLocation(str(path), (line or 0) + 1, str(excinfo.value)),
            )
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


class EndpointItem(_ApipostureItem):
    """Everything about one endpoint: what its code and schema say (computed at
    collection) and what its probes observe (sent when the item runs, so xdist spreads
    them). Fails with every finding of the endpoint the verdict fails."""

    def __init__(
        self,
        *,
        route: Route | None,
        findings: Sequence[Finding],
        checks: Sequence[str],
        probes: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.route = route
        self.findings = findings  # the analysis' findings of this endpoint or subject
        self.probes = probes
        codes = dict.fromkeys([*checks, *(f.code for f in findings), *probes])
        for code in codes:
            if code != FUZZ:  # registered in pytest_configure, so --strict-markers holds
                self.add_marker(code)
        self.extra_keyword_matches.update(codes)

    def runtest(self) -> None:
        result = ItemResult(self.name)
        probed: list[Finding] = []
        observed = Observations()
        if self.probes and self.route is not None:
            probed, observed = _discarding_output(self.config, lambda: self._probe(result))
            self.user_properties.append((OBSERVED_PROPERTY, observed.to_json()))
        judge = self.analysis.judge
        final = judge.final([*self.findings, *probed], self._seen(observed))
        failing = [f for f in final if judge.fails(f)]
        result.raised = [f.fingerprint() for f in failing]
        self.user_properties.append((RESULT_PROPERTY, result.to_json()))
        if failing:
            root = self.analysis.posture.root
            text = "\n\n".join(format_finding(f, root, self.route) for f in failing)
            codes = ", ".join(dict.fromkeys(f.code for f in failing))
            worst = max(failing, key=lambda f: f.severity.rank).severity.value
            summary = f"{len(failing)} finding(s) fail the build ({worst}): {codes}"
            raise FindingError(text, summary)
        if self.probes and not final and len(result.inconclusive) == len(self.probes):
            reasons = "; ".join(f"{code}: {why}" for code, why in result.inconclusive)
            pytest.skip(f"{self.name}: no probe could tell ({reasons})")

    def _seen(self, here: Observations) -> Observations:
        """What this process's probes saw, refutations of this endpoint included."""
        if self.analysis.settings.static_only:
            return here
        from .session import runtime_of

        seen: Observations = runtime_of(self.config).observed
        return seen

    def _probe(self, result: ItemResult) -> tuple[list[Finding], Observations]:
        from .session import runtime_of

        route, runtime = self.route, runtime_of(self.config)
        assert route is not None
        findings: list[Finding] = []
        observed = Observations()
        result.probed = len(self.probes)
        for code in self.probes:
            if code == FUZZ:
                fuzzed = self._fuzz(result)
                findings += fuzzed
                observed.add_findings(fuzzed)
                runtime.observed.add_findings(fuzzed)
                continue
            outcome = runtime.run_probe(code, route)
            observed.merge(outcome.observations(code, route))
            findings += outcome.findings
            result.blocked += outcome.blocked
            if outcome.skipped:
                result.inconclusive.append((code, outcome.skipped))
        return findings, observed

    def _fuzz(self, result: ItemResult) -> list[Finding]:
        from collections.abc import Mapping

        from ..openapi.fuzz import FuzzError, fuzz_operation
        from ..probes.netguard import loopback_only
        from .session import runtime_of

        route, analysis, runtime = self.route, self.analysis, runtime_of(self.config)
        assert route is not None and analysis.loaded is not None and analysis.schema is not None
        # identities that log in through the app need the probe client; fuzz without them
        identities = runtime.identities if isinstance(runtime.identities, Mapping) else {}
        try:
            with loopback_only(runtime.blocked):
                return fuzz_operation(
                    analysis.loaded.app,
                    analysis.schema,
                    route.method,
                    route.path,
                    identities=identities,
                    max_examples=analysis.settings.fuzz_examples,
                    location=route.location,
                )
        except FuzzError as exc:
            result.inconclusive.append((FUZZ, f"could not fuzz: {exc}"))
            return []

    def reportinfo(self) -> tuple[Any, int | None, str]:
        location = self.route.location if self.route else None
        if location is not None:
            return location.file, location.line - 1, self.name
        return self.path, None, self.name


def _discarding_output(config: pytest.Config, call: Callable[[], T]) -> T:
    """``call()``, dropping what the app printed and logged meanwhile: a static item's
    report shows the finding and what the probe saw, not the app's logs of that probe."""
    result = call()
    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is not None and capture.is_globally_capturing():
        capture.read_global_capture()  # reads and empties this item's captured out/err
    logging_plugin = config.pluginmanager.get_plugin("logging-plugin")
    for name in ("report_handler", "caplog_handler"):
        handler = getattr(logging_plugin, name, None)
        if handler is not None and hasattr(handler, "reset"):
            handler.reset()
    return result


class StatusItem(_ApipostureItem):
    """Fails when the app could not be loaded or enumerated, so a broken setup can't pass."""

    def runtest(self) -> None:
        posture = self.analysis.posture
        if posture.error:
            raise FindingError(f"apiposture could not check the app: {posture.error}")
        if self.analysis.setup_errors:
            raise FindingError("apiposture setup: " + "\n".join(self.analysis.setup_errors))
        if not self.analysis.settings.static_only and posture.routes:
            from .session import runtime_of

            runtime = runtime_of(self.config)
            startup_error = runtime.start()
            if startup_error:
                raise FindingError(
                    f"apiposture could not start the app for the probes: {startup_error}"
                )
            if runtime.identity_error:
                raise FindingError(f"apiposture identities: {runtime.identity_error}")
        # posture.notes are printed once in the apiposture summary section


class SpecStatusItem(StatusItem):
    def runtest(self) -> None:
        error = self.analysis.spec_error
        if error:
            raise FindingError(f"apiposture could not read the committed spec: {error}")
