"""pytest File / Collector / Item classes. Items only look results up or run their one probe.

Tree: ``ApipostureFile`` (anchored at the app's module file) -> ``RouteCollector`` per
route (``GET /users/{id}``) -> ``CheckItem`` / ``ProbeItem`` per check code. Findings
that belong to no route (project configuration, dependencies) get a collector named
after their ``path`` (``project``, ``deps/starlette``). Node names never contain ``::``.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from ..model import Finding, Route, Severity
from ..verdict import Observations

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from ..pipeline import Analysis
    from ..probes.runtime import Runtime

T = TypeVar("T")
# what an item's probe run observed (verdict.Observations as JSON): it travels in the
# report's user_properties, so the xdist controller's verdict sees every worker's probes
OBSERVED_PROPERTY = "apiposture_observed"
FUZZ_ITEM = "fuzz"  # one item per documented operation; its findings carry their own codes


class ApipostureWarning(pytest.PytestWarning):
    """A finding below the fail threshold (or a preview rule's finding)."""


class FindingError(Exception):
    """Raised by an item whose findings fail the build; printed without a traceback."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def item_key(finding: Finding) -> str:
    """The collector a finding belongs to: its route, its subject (``deps/x``) or ``project``."""
    return finding.route_key or finding.path or "project"


def format_finding(finding: Finding, root: str, route: Route | None = None) -> str:
    lines = [
        f"{finding.code} {finding.severity.value} ({finding.confidence.value}) "
        f"{finding.kind.value} · OWASP {finding.owasp}"
        + (f" · CWE-{finding.cwe}" if finding.cwe else "")
        + (" · preview" if finding.status == "preview" else "")
    ]
    where = finding.location.display(root) if finding.location else "(no source location)"
    if route is not None:
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
    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        analysis = self.analysis
        yield StatusItem.from_parent(self, name="apiposture-status")
        if analysis.settings.spec:
            yield SpecStatusItem.from_parent(self, name="apiposture-spec")
        by_key: dict[str, list[Finding]] = defaultdict(list)
        for finding in analysis.posture.findings:
            by_key[item_key(finding)].append(finding)
        static_only = analysis.settings.static_only
        for route in analysis.posture.routes:
            codes = [*analysis.rule_codes.get(route.key, ()), *analysis.drift_codes]
            findings = by_key.pop(route.key, [])
            codes += [f.code for f in findings if f.code not in codes]
            probes = (
                () if static_only or analysis.posture.error else _probe_codes(route, self.config)
            )
            fuzzable = route.in_schema and analysis.schema and not analysis.posture.error
            if analysis.settings.fuzz and not static_only and fuzzable:
                probes = (*probes, FUZZ_ITEM)
            yield RouteCollector.from_parent(
                self,
                name=route.key,
                route=route,
                codes=codes,
                probe_codes=probes,
                findings=findings,
            )
        if analysis.project_codes and analysis.loaded is not None:
            codes = list(analysis.project_codes)
            findings = by_key.pop("project", [])
            codes += [f.code for f in findings if f.code not in codes]
            yield RouteCollector.from_parent(
                self, name="project", route=None, codes=codes, probe_codes=(), findings=findings
            )
        for key in sorted(by_key):  # zombies, dependencies, anything else with a finding
            codes = list(dict.fromkeys(f.code for f in by_key[key]))
            yield RouteCollector.from_parent(
                self, name=key, route=None, codes=codes, probe_codes=(), findings=by_key[key]
            )


def _probe_codes(route: Route, config: pytest.Config) -> tuple[str, ...]:
    from .session import probe_catalogue

    return tuple(code for code, applies in probe_catalogue(config) if applies(route))


class RouteCollector(pytest.Collector, _ApipostureNode):
    def __init__(
        self,
        *,
        route: Route | None,
        codes: Sequence[str],
        probe_codes: Sequence[str],
        findings: Sequence[Finding],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.route = route
        self.codes = codes
        self.probe_codes = probe_codes
        self.findings = findings  # the analysis' findings of this route (or subject)

    def collect(self) -> Iterator[pytest.Item]:
        for code in self.codes:
            findings = [f for f in self.findings if f.code == code]
            yield CheckItem.from_parent(self, name=code, route=self.route, findings=findings)
        for code in self.probe_codes:
            kind = FuzzItem if code == FUZZ_ITEM else ProbeItem
            yield kind.from_parent(self, name=code, route=self.route)


class _CheckBase(pytest.Item, _ApipostureNode):
    def __init__(self, *, route: Route | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.route = route
        self.add_marker("apiposture")
        info = None
        try:
            info = self.analysis.posture.checks.get(self.name)
        except Exception:  # the catalogue is informational here
            info = None
        if info is not None:
            self.user_properties += [
                ("apiposture_code", info.code),
                ("apiposture_severity", info.severity.value),
                ("apiposture_owasp", info.owasp),
            ]

    @property
    def key(self) -> str:
        return self.parent.name if self.parent is not None else ""

    def _observed(self) -> Observations:
        """What this process's probes have seen (nothing in a static-only run)."""
        if self.analysis.settings.static_only:
            return Observations()
        from .session import runtime_of

        observed: Observations = runtime_of(self.config).observed
        return observed

    def _judge(self, findings: Sequence[Finding]) -> None:
        """Fail with the findings the verdict fails; the same judge the reports use."""
        judge = self.analysis.judge
        findings = judge.final(findings, self._observed())
        failing = [f for f in findings if judge.fails(f)]
        root = self.analysis.posture.root
        for finding in findings:
            if (
                finding not in failing
                and not (finding.suppressed or finding.baselined)
                and finding.severity is not Severity.INFO
            ):
                _warn(format_finding(finding, root, self.route))
        if failing:
            raise FindingError("\n\n".join(format_finding(f, root, self.route) for f in failing))

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, FindingError):
            return excinfo.value.text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        location = self.route.location if self.route else None
        if location is not None:
            return location.file, location.line - 1, f"{self.key}::{self.name}"
        return self.path, None, f"{self.key}::{self.name}"


class CheckItem(_CheckBase):
    """A static check (rule or drift): the result was computed at collection time.

    When a probe of this route can disprove the code (the route refused anonymous and
    invalid credentials, say), that probe runs first, so the verdict can lower a
    disproved finding to low, with what the probe saw, instead of failing the build.
    """

    def __init__(self, *, findings: Sequence[Finding], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.findings = findings

    def runtest(self) -> None:
        self._run_refuting_probe()
        self._judge(self.findings)

    def _run_refuting_probe(self) -> None:
        from ..probes import REFUTED_BY
        from ..verdict import Observations
        from .session import runtime_of

        probe = REFUTED_BY.get(self.name)
        route = self.route
        if route is None or probe is None or probe not in getattr(self.parent, "probe_codes", ()):
            return
        if all(f.severity.rank <= Severity.LOW.rank for f in self.findings):
            return  # nothing a refutation could lower
        result = _discarding_output(
            self.config, lambda: runtime_of(self.config).run_probe(probe, route)
        )
        # only the refutation travels from here: the probe's findings are its own item's
        refuted = Observations()
        refuted.add_refutations(probe, route, result.refutes, "; ".join(result.notes))
        if refuted.refutations:
            self.user_properties.append((OBSERVED_PROPERTY, refuted.to_json()))


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


class ProbeItem(_CheckBase):
    """A runtime probe: sends its requests when the item runs (so xdist spreads them)."""

    def runtest(self) -> None:
        from .session import runtime_of

        assert self.route is not None
        runtime: Runtime = runtime_of(self.config)
        result = runtime.run_probe(self.name, self.route)
        observed = result.observations(self.name, self.route)
        self.user_properties.append((OBSERVED_PROPERTY, observed.to_json()))
        for address in result.blocked:
            _warn(
                f"{self.key}: the app tried to connect to {address} during the probe; "
                "apiposture blocked it (probes never leave this machine)"
            )
        if result.skipped:
            pytest.skip(result.skipped)
        self._judge(result.findings)  # a probe finding's evidence is its (redacted) transcript


class FuzzItem(_CheckBase):
    """schemathesis over this route's operation, in-process (``--apiposture-fuzz``)."""

    def runtest(self) -> None:
        from collections.abc import Mapping

        from ..openapi.fuzz import FuzzError, fuzz_operation
        from ..probes.netguard import loopback_only
        from .session import runtime_of

        assert self.route is not None
        analysis, runtime = self.analysis, runtime_of(self.config)
        assert analysis.loaded is not None and analysis.schema is not None
        # identities that log in through the app need the probe client; fuzz without them
        identities = runtime.identities if isinstance(runtime.identities, Mapping) else {}
        try:
            with loopback_only(runtime.blocked):
                findings = fuzz_operation(
                    analysis.loaded.app,
                    analysis.schema,
                    self.route.method,
                    self.route.path,
                    identities=identities,
                    max_examples=analysis.settings.fuzz_examples,
                    location=self.route.location,
                )
        except FuzzError as exc:
            raise FindingError(f"apiposture could not fuzz {self.key}: {exc}") from None
        observed = Observations()
        observed.add_findings(findings)
        runtime.observed.merge(observed)
        self.user_properties.append((OBSERVED_PROPERTY, observed.to_json()))
        self._judge(findings)


def _warn(text: str) -> None:
    # recorded as a warning even under -W error / filterwarnings=error: a finding below
    # the threshold must not turn into a failure by the back door
    with warnings.catch_warnings():
        warnings.simplefilter("always", ApipostureWarning)
        warnings.warn(ApipostureWarning(text), stacklevel=2)


class StatusItem(_CheckBase):
    """Fails when the app could not be loaded or enumerated, so a broken setup can't pass."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(route=None, **kwargs)

    def runtest(self) -> None:
        posture = self.analysis.posture
        if posture.error:
            raise FindingError(f"apiposture could not check the app: {posture.error}")
        if self.analysis.setup_errors:
            raise FindingError("apiposture setup: " + "\n".join(self.analysis.setup_errors))
        if not self.analysis.settings.static_only and posture.routes:
            from .session import runtime_of

            startup_error = runtime_of(self.config).start()
            if startup_error:
                raise FindingError(
                    f"apiposture could not start the app for the probes: {startup_error}"
                )
        # posture.notes are printed once in the apiposture summary section


class SpecStatusItem(StatusItem):
    def runtest(self) -> None:
        error = self.analysis.spec_error
        if error:
            raise FindingError(f"apiposture could not read the committed spec: {error}")
