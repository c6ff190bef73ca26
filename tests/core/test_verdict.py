"""The verdict stage: refutation, suppression, baseline and policy, applied in one place."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytest_apiposture.model import Confidence, Finding, Kind, Location, Route, Severity
from pytest_apiposture.suppress import Baseline
from pytest_apiposture.verdict import Judge, Observations

ROOT = "/srv/app"


def finding(code: str, path: str, severity: Severity = Severity.HIGH, **kw: object) -> Finding:
    values: dict[str, object] = {
        "kind": Kind.MISSING_AUTH,
        "owasp": "API2:2023",
        "severity": severity,
        "confidence": Confidence.LIKELY,
        "message": f"{code} on {path}",
        "remediation": "fix it",
        "method": "GET",
        "path": path,
        "location": Location(f"{ROOT}/app.py", 10, "handler"),
        **kw,
    }
    return Finding(code, **values)  # type: ignore[arg-type]


def route(path: str) -> Route:
    return Route("GET", path, "flask", f"app:{path.strip('/')}")


def judge(**kw: object) -> Judge:
    return Judge(root=ROOT, routes=[route("/notes"), route("/open")], **kw)  # type: ignore[arg-type]


def test_a_refuted_static_finding_is_lowered_on_its_own_route_only() -> None:
    observed = Observations()
    observed.add_refutations("APS251", route("/notes"), ["APS201"], "anonymous got 401")
    notes, other_code, other_route = (
        finding("APS201", "/notes"),
        finding("APS202", "/notes"),
        finding("APS201", "/open"),
    )
    final = judge().final([notes, other_code, other_route], observed)
    assert [(f.code, f.path, f.severity) for f in final] == [
        ("APS201", "/notes", Severity.LOW),
        ("APS202", "/notes", Severity.HIGH),
        ("APS201", "/open", Severity.HIGH),
    ]
    assert final[0].message == (
        "APS201 on /notes (refuted at run time by APS251: anonymous got 401)"
    )
    assert final[0].confidence is Confidence.LIKELY


def test_a_refutation_never_raises_a_finding() -> None:
    observed = Observations()
    observed.add_refutations("APS251", route("/notes"), ["APS201"], "")
    info = finding("APS201", "/notes", Severity.INFO)
    low = finding("APS201", "/notes", Severity.LOW)
    assert judge().final([info, low], observed) == [info, low]


def test_a_refutation_without_notes_says_so() -> None:
    observed = Observations()
    observed.add_refutations("APS251", route("/notes"), ["APS201"], "")
    (lowered,) = judge().final([finding("APS201", "/notes")], observed)
    assert lowered.message.endswith("(refuted at run time by APS251: disproved at run time)")


def test_judging_route_by_route_equals_judging_the_run(tmp_path: Path) -> None:
    """Every step works finding by finding: items and reports cannot disagree."""
    module = tmp_path / "app.py"
    module.write_text("x = 1\ny = 2  # apiposture: ignore[APS202]\n")
    where = Location(str(module), 2, "y")
    findings = [
        finding("APS201", "/notes"),
        finding("APS202", "/notes", location=where),
        finding("APS201", "/open"),
        finding("APS301", "/open", Severity.MEDIUM),
    ]
    baseline = Baseline(frozenset({findings[3].fingerprint(str(tmp_path))}), tmp_path / "b.json")
    observed = Observations()
    observed.add_refutations("APS251", route("/notes"), ["APS201"], "401")
    rules = Judge(root=str(tmp_path), routes=[route("/notes")], baseline=baseline)
    whole = rules.final(findings, observed)
    by_route = rules.final(findings[:2], observed) + rules.final(findings[2:], observed)
    assert whole == by_route
    assert [(f.severity, f.suppressed, f.baselined) for f in whole] == [
        (Severity.LOW, False, False),
        (Severity.HIGH, True, False),
        (Severity.HIGH, False, False),
        (Severity.MEDIUM, False, True),
    ]
    assert [f.code for f in whole if rules.fails(f)] == ["APS201"]
    assert rules.fixed(whole) == []
    assert rules.fixed(whole[:3]) == sorted(baseline.fingerprints)


def test_the_hook_sees_every_finding_and_may_rerank() -> None:
    seen: list[str] = []

    def rerank(findings: list[Finding]) -> None:
        seen.extend(f.code for f in findings)
        findings[:] = [replace(f, severity=Severity.LOW) for f in findings]

    final = judge(modify_findings=rerank).final([finding("APS201", "/open")], Observations())
    assert seen == ["APS201"]
    assert [f.severity for f in final] == [Severity.LOW]


def test_the_fail_policy_threshold_and_preview() -> None:
    strict = judge(fail_on=Severity.MEDIUM)
    medium = finding("APS301", "/open", Severity.MEDIUM)
    preview = finding("APS101", "/open", Severity.HIGH, status="preview")
    assert (strict.fails(medium), judge().fails(medium)) == (True, False)
    assert (judge().fails(preview), judge(include_preview=True).fails(preview)) == (False, True)
    assert not judge().fails(replace(finding("APS201", "/open"), suppressed=True))


def test_observations_travel_as_json_and_merge_once() -> None:
    first = Observations()
    probe = replace(finding("APS251", "/open"), confidence=Confidence.CONFIRMED)
    first.add_findings([probe])
    first.add_refutations("APS251", route("/notes"), ["APS201"], "401")
    second = Observations.from_json(first.to_json())
    assert second == first
    merged = Observations()
    merged.merge(first)
    merged.merge(second)  # the same observation from two workers counts once
    assert list(merged.findings.values()) == [probe]
    assert merged.refutations == {("APS201", "GET /notes"): "APS251: 401"}


def test_a_probes_own_finding_wins_over_the_same_one_seen_passively() -> None:
    direct = replace(finding("APS352", "/open"), confidence=Confidence.CONFIRMED)
    passive = replace(direct, message=f"{direct.message} (seen while probing APS251 GET /open)")
    for order in ([(passive, True), (direct, False)], [(direct, False), (passive, True)]):
        observed = Observations()
        for seen, is_passive in order:
            observed.add_findings([seen], passive=is_passive)
        assert list(observed.findings.values()) == [direct]
    # and across processes: a worker saw it passively, another directly
    worker_a, worker_b = Observations(), Observations()
    worker_a.add_findings([passive], passive=True)
    worker_b.add_findings([direct])
    controller = Observations()
    controller.merge(Observations.from_json(worker_a.to_json()))
    controller.merge(Observations.from_json(worker_b.to_json()))
    assert list(controller.findings.values()) == [direct]
    alone = Observations.from_json(worker_a.to_json())
    assert (list(alone.findings.values()), alone.passive) == ([passive], {passive.fingerprint()})


def test_a_shadow_does_not_repeat_a_refuted_no_authentication() -> None:
    """Issue 15: once a probe refuted APS201 on a route, its APS901 says what was seen."""
    observed = Observations()
    observed.add_refutations("APS251", route("/notes"), ["APS201"], "anonymous got 401")
    shadow = finding(
        "APS901", "/notes", message="GET /notes is served but hidden (x) and has no authentication"
    )
    (final,) = judge().final([shadow], observed)
    assert final.severity is Severity.MEDIUM
    assert final.message == (
        "GET /notes is served but hidden (x) (anonymous access refuted at run time by "
        "APS251: anonymous got 401)"
    )


def test_per_route_probe_findings_drop_to_info_beside_the_app_level_one() -> None:
    app_level = finding("APS201", "", method="")
    confirmed = finding("APS251", "/open", confidence=Confidence.CONFIRMED)
    # the analysis tells the judge the app authenticates no route (pipeline.analyse) ...
    final = judge(open_app=True).final([app_level, confirmed], Observations())
    assert [(f.code, f.path, f.severity) for f in final] == [
        ("APS201", "", Severity.HIGH),
        ("APS251", "/open", Severity.INFO),
    ]
    # ... so an endpoint item, judging its own finding alone, decides the same
    (alone,) = judge(open_app=True).final([confirmed], Observations())
    assert alone.severity is Severity.INFO
    (elsewhere,) = judge().final([confirmed], Observations())
    assert elsewhere.severity is Severity.HIGH


def test_decide_applies_what_the_probes_observed() -> None:
    """``decide(analysis, observed)``: the observations are used, not replaced by none; a
    probe's own finding joins the posture and fails; the refuted suspicion is lowered."""
    from types import SimpleNamespace

    from pytest_apiposture.model import Posture
    from pytest_apiposture.verdict import decide

    suspicion = finding("APS201", "/notes")
    analysis = SimpleNamespace(
        judge=judge(), posture=Posture("app:app", "flask", ROOT, findings=[suspicion])
    )
    confirmed = replace(finding("APS251", "/open"), confidence=Confidence.CONFIRMED)
    observed = Observations()
    observed.add_findings([confirmed])
    observed.add_refutations("APS251", route("/notes"), ["APS201"], "401")
    verdict = decide(analysis, observed)  # type: ignore[arg-type]
    assert [(f.code, f.path, f.severity) for f in verdict.posture.findings] == [
        ("APS201", "/notes", Severity.LOW),
        ("APS251", "/open", Severity.HIGH),
    ]
    assert [f.code for f in verdict.failing] == ["APS251"]
    # without observations the suspicion stands and fails
    alone = decide(analysis)  # type: ignore[arg-type]
    assert [(f.code, f.severity) for f in alone.posture.findings] == [("APS201", Severity.HIGH)]
    assert [f.code for f in alone.failing] == ["APS201"]
