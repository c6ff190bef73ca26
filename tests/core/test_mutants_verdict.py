"""The verdict's and the suppression's decisions no other test pinned (issue 19).

Each test names the decision it pins (``module:line`` as the mutation harness prints it, at
the time of writing) and has a case on each side of it: one the decision lets through and
one it stops.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pytest_apiposture.model import Confidence, Finding, Kind, Location, Route, Severity
from pytest_apiposture.suppress import (
    Baseline,
    BaselineError,
    apply_inline,
    baseline_entry,
    definition_headers,
    inline_ignores,
    load_baseline,
    write_baseline,
)
from pytest_apiposture.verdict import (
    Judge,
    Observations,
    Verdict,
    below_threshold,
    fails_build,
    is_open_app_finding,
)

ROOT = "/srv/app"


def finding(code: str = "APS201", path: str = "/notes", **changes: object) -> Finding:
    values: dict[str, object] = {
        "kind": Kind.MISSING_AUTH,
        "owasp": "API2:2023",
        "severity": Severity.HIGH,
        "confidence": Confidence.LIKELY,
        "message": f"{code} on {path}",
        "remediation": "fix it",
        "method": "GET",
        "path": path,
        "location": Location(f"{ROOT}/app.py", 10, "handler"),
        **changes,
    }
    return Finding(code, **values)  # type: ignore[arg-type]


def judge(root: str = ROOT, **kw: object) -> Judge:
    routes = [Route("GET", "/notes", "flask", "app:notes")]
    return Judge(root=root, routes=routes, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the fail policy


def test_preview_findings_do_not_fail_by_default() -> None:
    # verdict.py:45/61: `include_preview: bool = False`, the defaults of both functions
    preview = finding(status="preview")
    stable = finding()
    assert (fails_build(preview), fails_build(stable)) == (False, True)
    assert (below_threshold(preview), below_threshold(stable)) == (True, False)


# ---------------------------------------------------------------- observations


def test_the_first_of_two_passive_sightings_stays_and_stays_passive() -> None:
    # verdict.py:94: `elif not passive and fingerprint in self.passive`
    first = finding("APS352", confidence=Confidence.CONFIRMED, message="seen by APS251")
    second = dataclasses.replace(first, message="seen by APS305")
    observed = Observations()
    observed.add_findings([first], passive=True)
    observed.add_findings([second], passive=True)
    assert list(observed.findings.values()) == [first]
    assert observed.passive == {first.fingerprint()}
    # a probe's own finding still replaces it afterwards
    own = dataclasses.replace(first, message="found by APS352 itself")
    observed.add_findings([own])
    assert (list(observed.findings.values()), observed.passive) == ([own], set())


def test_of_two_direct_sightings_the_first_stays() -> None:
    # verdict.py:94: a direct finding replaces only a passive one
    first = finding("APS352", confidence=Confidence.CONFIRMED, message="worker 1")
    second = dataclasses.replace(first, message="worker 2")
    observed = Observations()
    observed.add_findings([first])
    observed.add_findings([second])
    assert list(observed.findings.values()) == [first]


# ---------------------------------------------------------------- the judge


def test_the_app_level_finding_is_the_method_less_aps201_only() -> None:
    # verdict.py:139: `finding.code == 'APS201' and not finding.method`
    assert is_open_app_finding(finding("APS201", "", method=""))
    assert not is_open_app_finding(finding("APS201", "/notes"))
    assert not is_open_app_finding(finding("APS251", "", method=""))


def test_beside_the_app_level_finding_only_the_probes_per_route_aps251_drops() -> None:
    # verdict.py:176: `f.code == 'APS251'`: other findings of an open app keep their level
    confirmed = finding("APS251", confidence=Confidence.CONFIRMED)
    exposure = finding("APS352", confidence=Confidence.CONFIRMED)
    final = judge(open_app=True).final([confirmed, exposure], Observations())
    assert [(f.code, f.severity) for f in final] == [
        ("APS251", Severity.INFO),
        ("APS352", Severity.HIGH),
    ]


def test_a_refuted_shadow_is_lowered_to_low_not_to_medium() -> None:
    # verdict.py:193: `seen is None and ...`: a probe that refuted the APS901 itself wins
    # over the medium a refuted APS201 on the same route would give it
    observed = Observations()
    route = Route("GET", "/notes", "flask", "app:notes")
    observed.add_refutations("APS251", route, ["APS201", "APS901"], "anonymous got 401")
    text = "GET /notes is served but hidden (x) and has no authentication"
    (shadow,) = judge().final([finding("APS901", message=text)], observed)
    assert shadow.severity is Severity.LOW
    assert shadow.message == f"{text} (refuted at run time by APS251: anonymous got 401)"


def test_only_a_shadow_that_says_no_authentication_borrows_the_aps201_refutation() -> None:
    # verdict.py:193: `finding.code == 'APS901'` and `_NO_AUTH_TEXT in finding.message`
    observed = Observations()
    route = Route("GET", "/notes", "flask", "app:notes")
    observed.add_refutations("APS251", route, ["APS201"], "anonymous got 401")
    text = "GET /notes is served but hidden (x) and has no authentication"
    other_code = finding("APS902", message=text)
    other_text = finding("APS901", message="GET /notes is served but hidden (x)")
    shadow = finding("APS901", message=text)
    final = judge().final([other_code, other_text, shadow], observed)
    assert [f.severity for f in final] == [Severity.HIGH, Severity.HIGH, Severity.MEDIUM]
    assert final[:2] == [other_code, other_text]


def test_inline_ignores_are_read_only_from_the_projects_own_files(tmp_path: Path) -> None:
    # verdict.py:223: `inside and 'site-packages' not in path`
    root = tmp_path / "project"
    inside = root / "app.py"
    vendored = root / ".venv" / "lib" / "site-packages" / "lib.py"
    outside = tmp_path / "elsewhere.py"
    for path in (inside, vendored, outside):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1  # apiposture: ignore[APS201]\n")
    findings = [finding(location=Location(str(p), 1, "x")) for p in (inside, vendored, outside)]
    final = judge(root=str(root)).final(findings, Observations())
    assert [f.suppressed for f in final] == [True, False, False]


def test_the_verdict_cannot_be_changed_by_a_front_end() -> None:
    # verdict.py:237: `@dataclass(frozen=True)`: items, reports and the CLI read one verdict
    verdict = Verdict(posture=None, failing=[], fixed=[])  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.failing = [finding()]  # type: ignore[misc]


# ---------------------------------------------------------------- inline ignores


def test_a_one_line_file_with_an_ignore_is_read() -> None:
    # suppress.py:64: the shortcut skips files without the word, not files with it
    assert inline_ignores(["x = 1  # apiposture: ignore[APS301]"]) == {1: frozenset({"APS301"})}
    assert inline_ignores(["x = 1  # noqa: E501"]) == {}


def test_definition_headers_run_from_the_first_decorator_to_the_signature_end() -> None:
    # suppress.py:89: the header ends on the line before the body
    lines = ["@app.get('/x')", "def view(", "    a: int,", "):", "    return a"]
    assert definition_headers(lines) == [range(1, 5)]


def test_a_file_without_ignores_suppresses_nothing(tmp_path: Path) -> None:
    # suppress.py:113: `if not self.ignores: return False`
    plain = tmp_path / "plain.py"
    plain.write_text("def view():\n    return 1\n")
    flagged = finding(location=Location(str(plain), 2, "view"))
    (kept,) = apply_inline([flagged], read_lines=lambda p: Path(p).read_text().splitlines())
    assert not kept.suppressed


def _read(path: str) -> list[str]:
    return Path(path).read_text().splitlines()


def test_an_ignore_on_the_flagged_line_holds_whatever_the_handler_line_says(
    tmp_path: Path,
) -> None:
    # suppress.py:152: `not hit and handler_line is not None`: the handler is asked only
    # when the flagged line does not silence the finding
    module = tmp_path / "app.py"
    module.write_text("def view():\n    x = 1  # apiposture: ignore[APS301]\n    y = 2\n")
    on_line = finding("APS301", location=Location(str(module), 2, "view"))
    elsewhere = finding("APS301", location=Location(str(module), 3, "view"))
    final = apply_inline([on_line, elsewhere], read_lines=_read, handler_line=lambda f: 1)
    assert [f.suppressed for f in final] == [True, False]


def test_a_handler_line_needs_a_location_to_be_read_in(tmp_path: Path) -> None:
    # suppress.py:154: `isinstance(place, int) and location is not None`
    module = tmp_path / "app.py"
    module.write_text("def view():  # apiposture: ignore[APS201]\n    return 1\n")
    nowhere = finding(location=None)
    located = finding(location=Location(str(module), 2, "view"))
    final = apply_inline([nowhere, located], read_lines=_read, handler_line=lambda f: 1)
    assert [f.suppressed for f in final] == [False, True]


# ---------------------------------------------------------------- baselines


def _baseline_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "baseline.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"version": 1}', "expected an object with a 'findings' list"),
        ('{"version": 1, "findings": {}}', "expected an object with a 'findings' list"),
        ('{"version": 1, "findings": [{"fingerprint": 5}]}', "entry #0 has no 'fingerprint'"),
        ('{"version": 1, "findings": [{"fingerprint": ""}]}', "entry #0 has no 'fingerprint'"),
    ],
)
def test_a_malformed_baseline_is_refused_with_what_is_wrong(
    tmp_path: Path, text: str, says: str
) -> None:
    # suppress.py:186 and :195: each operand of the two shape checks
    with pytest.raises(BaselineError, match=says):
        load_baseline(_baseline_file(tmp_path, text))


def test_a_wellformed_baseline_loads(tmp_path: Path) -> None:
    text = '{"version": 1, "findings": [{"fingerprint": "abc"}]}'
    path = _baseline_file(tmp_path, text)
    assert load_baseline(path) == Baseline(frozenset({"abc"}), path)


def test_a_baseline_cannot_be_changed_once_loaded(tmp_path: Path) -> None:
    # suppress.py:165: `@dataclass(frozen=True)`: the judge holds it for the whole run
    baseline = load_baseline(tmp_path / "none.json")
    with pytest.raises(dataclasses.FrozenInstanceError):
        baseline.fingerprints = frozenset({"x"})  # type: ignore[misc]


def test_a_baseline_entry_of_a_finding_without_a_location(tmp_path: Path) -> None:
    # suppress.py:208/209: `... if location else ""`
    entry = baseline_entry(finding("APS201", "", method="", location=None), str(tmp_path))
    assert (entry["file"], entry["symbol"]) == ("", "")
    located = finding(location=Location(str(tmp_path / "pkg" / "app.py"), 3, "view"))
    entry = baseline_entry(located, str(tmp_path))
    assert (entry["file"], entry["symbol"]) == ("pkg/app.py", "view")


def test_a_baseline_is_written_into_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    # suppress.py:225: `mkdir(parents=True, ...)`
    path = tmp_path / "ci" / "security" / "baseline.json"
    write_baseline(path, [finding()], root=ROOT)
    assert load_baseline(path).fingerprints == {finding().fingerprint(ROOT)}
