"""The one place findings become the final posture.

The analysis (static rules, drift, audit: nothing decided yet) and what the probes
observed go in; the final posture comes out:

    static findings ─┬─ refutations (a probe disproved it: lowered to low, with why)
    probe findings ──┘─► inline ignores ─► modify_findings hook ─► baseline ─► fail policy

pytest items, the terminal section, every report and ``apiposture scan`` read what this
module returns and decide nothing themselves. Every step but the last works finding by
finding, so judging a route's findings alone (an item) gives the same result as judging
the whole run (the reports): the two cannot tell different stories.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .model import Finding, Location, Posture, Route, Severity
from .suppress import Baseline, IgnoreCache, apply_baseline, apply_inline

if TYPE_CHECKING:
    from .pipeline import Analysis

DEFAULT_FAIL_ON = Severity.HIGH


# ---------------------------------------------------------------- the fail policy


def is_open(finding: Finding) -> bool:
    """Neither suppressed inline nor accepted in the baseline."""
    return not (finding.suppressed or finding.baselined)


def is_preview(finding: Finding) -> bool:
    return finding.status == "preview"


def fails_build(
    finding: Finding, *, fail_on: Severity = DEFAULT_FAIL_ON, include_preview: bool = False
) -> bool:
    """True when ``finding`` fails the build.

    Suppressed and baselined findings never fail. Preview (heuristic) rules fail only
    with ``include_preview``; stable rules and probe-confirmed findings fail when
    their severity reaches ``fail_on``.
    """
    if not is_open(finding):
        return False
    if is_preview(finding) and not include_preview:
        return False
    return finding.severity.rank >= fail_on.rank


def below_threshold(
    finding: Finding, *, fail_on: Severity = DEFAULT_FAIL_ON, include_preview: bool = False
) -> bool:
    """An open finding that is reported as a warning only (too low, or preview)."""
    return is_open(finding) and not fails_build(
        finding, fail_on=fail_on, include_preview=include_preview
    )


# ---------------------------------------------------------------- what the probes saw


@dataclass
class Observations:
    """What the probes observed, merged from every process that ran one.

    ``findings``: probe findings by fingerprint (the same exposure seen by two probes or
    two xdist workers is one finding). A finding a probe made on its own requests wins
    over the same one seen passively in another probe's responses (``passive``), so
    which of them arrived first does not change the report. ``refutations``: (static
    code, route key) -> what the probe that disproved that static finding saw.
    """

    findings: dict[str, Finding] = field(default_factory=dict)
    passive: set[str] = field(default_factory=set)
    refutations: dict[tuple[str, str], str] = field(default_factory=dict)

    def add_findings(self, findings: Iterable[Finding], *, passive: bool = False) -> None:
        for finding in findings:
            fingerprint = finding.fingerprint()
            if fingerprint not in self.findings:
                self.findings[fingerprint] = finding
                if passive:
                    self.passive.add(fingerprint)
            elif not passive and fingerprint in self.passive:
                self.findings[fingerprint] = finding
                self.passive.discard(fingerprint)

    def add_refutations(self, probe: str, route: Route, codes: Sequence[str], notes: str) -> None:
        seen = f"{probe}: {notes or 'disproved at run time'}"
        for code in codes:
            self.refutations.setdefault((code, route.key), seen)

    def merge(self, other: Observations) -> None:
        for fingerprint, finding in other.findings.items():
            self.add_findings([finding], passive=fingerprint in other.passive)
        for key, seen in other.refutations.items():
            self.refutations.setdefault(key, seen)

    def to_json(self) -> str:
        """Plain data, to carry a worker's observations to the xdist controller."""
        return json.dumps(
            {
                "findings": [
                    [f.to_dict(), fingerprint in self.passive]
                    for fingerprint, f in self.findings.items()
                ],
                "refutations": [[c, k, s] for (c, k), s in self.refutations.items()],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Observations:
        data = json.loads(text)
        observed = cls()
        for finding, passive in data["findings"]:
            observed.add_findings([Finding.from_dict(finding)], passive=passive)
        observed.refutations = {(c, k): s for c, k, s in data["refutations"]}
        return observed


# ---------------------------------------------------------------- the judge


_NO_AUTH_TEXT = "and has no authentication"


def is_open_app_finding(finding: Finding) -> bool:
    """The app-level APS201: this API authenticates no route (it has no method)."""
    return finding.code == "APS201" and not finding.method


class Judge:
    """The session's verdict rules, fixed once: inline ignores, the ``modify_findings``
    hook, the baseline and the fail policy."""

    def __init__(
        self,
        *,
        root: str,
        routes: Sequence[Route],
        baseline: Baseline | None = None,
        modify_findings: Callable[[list[Finding]], None] | None = None,
        fail_on: Severity = DEFAULT_FAIL_ON,
        include_preview: bool = False,
        open_app: bool = False,
    ) -> None:
        self.root = root
        # set from the analysis, so that judging one item's findings alone decides as
        # judging the whole run does: every step stays finding by finding
        self.open_app = open_app
        self.baseline = baseline
        self.modify_findings = modify_findings
        self.fail_on = fail_on
        self.include_preview = include_preview
        # the handler's Location, not just its line: a field finding sits in another file
        self._handlers = {r.key: r.location for r in routes if r.location}
        self._ignores: IgnoreCache = {}  # each file's inline ignores, parsed once a run

    def final(self, findings: Iterable[Finding], observed: Observations) -> list[Finding]:
        """``findings`` as the run reports them; works finding by finding."""
        judged = [self.refuted(f, observed) for f in findings]
        if self.open_app:
            # the app-level APS201 says it once: a probe's anonymous 2xx on each route
            # (APS251, always a route's) repeats it and drops to info beside it
            judged = [
                replace(f, severity=Severity.INFO) if f.code == "APS251" else f for f in judged
            ]
        judged = apply_inline(
            judged, read_lines=self._project_lines, handler_line=self._handler, cache=self._ignores
        )
        if self.modify_findings is not None:
            self.modify_findings(judged)
        if self.baseline is not None:
            judged, _ = apply_baseline(judged, self.baseline, root=self.root)
        return judged

    def refuted(self, finding: Finding, observed: Observations) -> Finding:
        """A static suspicion a probe disproved on its route is lowered, not dropped."""
        if finding.severity.rank <= Severity.LOW.rank:
            return finding  # nothing to lower
        seen = observed.refutations.get((finding.code, finding.route_key))
        if seen is None and finding.code == "APS901" and _NO_AUTH_TEXT in finding.message:
            # the shadow finding repeats APS201's "no authentication": once a probe refuted
            # that on this route, the shadow is an authenticated one (medium), said so
            refuted = observed.refutations.get(("APS201", finding.route_key))
            if refuted is not None:
                text = finding.message.replace(
                    _NO_AUTH_TEXT, f"(anonymous access refuted at run time by {refuted})"
                )
                return replace(finding, severity=Severity.MEDIUM, message=text)
        if seen is None:
            return finding
        message = f"{finding.message} (refuted at run time by {seen})"
        return replace(finding, severity=Severity.LOW, message=message)

    def fails(self, finding: Finding) -> bool:
        return fails_build(finding, fail_on=self.fail_on, include_preview=self.include_preview)

    def fixed(self, findings: Sequence[Finding]) -> list[str]:
        """Baseline fingerprints that no finding of the run has any more."""
        if self.baseline is None:
            return []
        present = {f.fingerprint(self.root) for f in findings}
        return sorted(self.baseline.fingerprints - present)

    def _handler(self, finding: Finding) -> Location | None:
        return self._handlers.get(finding.route_key)

    def _project_lines(self, path: str) -> list[str] | None:
        # suppressions live in the project's own files, not in site-packages metadata
        inside = os.path.abspath(path).startswith(self.root + os.sep)
        return read_lines(path) if inside and "site-packages" not in path else None


def read_lines(path: str) -> list[str] | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return None


# ---------------------------------------------------------------- the verdict


@dataclass(frozen=True)
class Verdict:
    """The final posture of one run and what fails the build."""

    posture: Posture  # every finding, judged: suppressed/baselined/preview ones marked
    failing: list[Finding]
    fixed: list[str]  # baseline entries no finding matches any more


def decide(analysis: Analysis, observed: Observations | None = None) -> Verdict:
    """The final posture: the analysis' findings and the probes' observations, judged."""
    judge = analysis.judge
    observed = observed or Observations()
    probed = sorted(observed.findings.values(), key=_probe_order)
    findings = judge.final([*analysis.posture.findings, *probed], observed)
    posture = replace(analysis.posture, findings=findings)
    return Verdict(posture, [f for f in findings if judge.fails(f)], judge.fixed(findings))


def _probe_order(finding: Finding) -> tuple[str, str, str, str]:
    # arrival order depends on scheduling (xdist); the verdict must not
    return (finding.path, finding.method, finding.code, finding.fingerprint())
