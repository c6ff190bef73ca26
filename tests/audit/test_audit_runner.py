"""run_audit as a whole: strict mode, notes, sources; the check catalogue; the typosquat
list; the online (pip-audit) path without a network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from audit_helpers import AuditFixture, advisory_keys

from pytest_apiposture.audit import AUDIT_CHECKS, AuditSettings, run_audit
from pytest_apiposture.audit.advisories import load_bundled
from pytest_apiposture.audit.pip_audit import parse_pip_audit_json, run_pip_audit
from pytest_apiposture.audit.records import Dependency, Source
from pytest_apiposture.audit.typosquat import load_popular, one_edit_apart
from pytest_apiposture.audit.vulns import OnlineResults, vulnerability_findings
from pytest_apiposture.model import Confidence, Kind, Severity


def test_strict_mode_makes_unaudited_and_unreadable_fail(
    audit_fixture: AuditFixture,
) -> None:
    lenient, _ = audit_fixture("malformed")
    strict, _ = audit_fixture("malformed", strict=True)
    pick = ("APS008", "APS009")
    assert {(f.path, f.severity) for f in lenient.findings if f.code == "APS009"} == {
        ("deps/itsdangerous", Severity.LOW),
        ("deps/starlette", Severity.LOW),
    }
    assert {f.severity for f in lenient.findings if f.code == "APS008"} == {Severity.MEDIUM}
    assert {f.severity for f in strict.findings if f.code in pick} == {Severity.HIGH}
    assert [(f.code, f.path) for f in strict.findings] == [
        (f.code, f.path) for f in lenient.findings
    ]


def test_notes_say_how_old_the_data_is_and_what_was_not_checked(
    audit_fixture: AuditFixture,
) -> None:
    result, _ = audit_fixture("reqs")
    assert result.notes == [
        "advisory data as of 2024-10-10 (PyPA Advisory Database snapshot 3ccb612573e2 of 2024-10-10); "
        "advisories published after that date are not known to this audit",
        "project kind: application (requirements files, no package metadata)",
        "local path dependencies are first-party code and not audited: ./libs/shared",
        "6 package(s) could not be audited (APS009): flask, internal-lib, mylib, pydantic, reqeusts, uvicorn",
    ]
    for f in result.findings:
        assert "no known vulnerabilities" not in f.message.lower()


def test_an_empty_directory(tmp_path: Path) -> None:
    result = run_audit(AuditSettings(root=tmp_path, include_installed=False))
    assert (result.findings, result.audited, result.unaudited, result.sources) == ([], [], [], [])
    assert result.notes[-1] == f"no dependency files found under {tmp_path.resolve()}"


def test_the_audited_project_is_not_its_own_dependency(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "My_Service"\ndependencies = ["flask==3.0.3"]\n', encoding="utf-8"
    )
    (tmp_path / "uv.lock").write_text(
        '[[package]]\nname = "my-service"\nversion = "0.1.0"\nsource = { registry = "https://pypi.org/simple" }\n',
        encoding="utf-8",
    )
    result = run_audit(AuditSettings(root=tmp_path, include_installed=False))
    assert (result.audited, result.unaudited) == (["flask"], [])


def test_check_catalogue() -> None:
    assert [c.code for c in AUDIT_CHECKS] == [f"APS00{i}" for i in range(1, 10)]
    assert len({c.name for c in AUDIT_CHECKS}) == 9
    for check in AUDIT_CHECKS:
        assert (check.kind, check.owasp) == (Kind.DEPENDENCY, "API8:2023")
        for section in ("**What it does**", "**Why is this bad?**", "**Example**", "**Use instead**",
                        "**Known problems**", "**References**"):  # fmt: skip
            assert section in check.docs, (check.code, section)
    confidence = {c.code: c.confidence for c in AUDIT_CHECKS}
    assert confidence["APS001"] is Confidence.CONFIRMED
    assert confidence["APS006"] is Confidence.POSSIBLE


def test_popular_names_and_edit_distance() -> None:
    popular = load_popular()
    assert popular.date == "2026-11-29"
    assert {"requests", "fastapi", "starlette", "werkzeug"} <= popular.names
    assert popular.lookalike("reqeusts") == "requests"  # swap
    assert popular.lookalike("fastapl") == "fastapi"  # substitution
    assert popular.lookalike("starlete") == "starlette"  # deletion
    assert popular.lookalike("requests") is None  # the real one
    assert popular.lookalike("boto33") is None  # only a trailing digit added
    assert popular.lookalike("my-internal-service") is None
    assert [one_edit_apart(a, b) for a, b in [("abc", "abd"), ("abc", "acb"), ("abc", "abcd"),
                                              ("abc", "abc"), ("abc", "cab"), ("abc", "a")]] == [
        True, True, True, False, False, False,
    ]  # fmt: skip


PIP_AUDIT_OUTPUT = {
    "dependencies": [
        {"name": "humanize", "version": "4.0.0", "vulns": []},
        {"name": "pillow", "version": "9.5.0", "vulns": [
            {"id": "PYSEC-2023-175", "fix_versions": ["10.0.1"], "aliases": ["GHSA-j7hp-h8jx-5ppr"],
             "description": "libwebp bundled in wheels is vulnerable"},
            {"id": "GHSA-3f63-hfp8-52jq", "fix_versions": ["10.3.0", "10.2.1"], "aliases": ["CVE-2024-28219"],
             "description": "buffer overflow"},
        ]},
        {"name": "werkzeug", "version": "2.2.2", "vulns": [
            {"id": "GHSA-xg9f-g7g7-2323", "fix_versions": ["2.2.3"], "aliases": ["PYSEC-2023-58", "CVE-2023-25577"]},
        ]},
        {"name": "internal", "skip_reason": "Dependency not found on PyPI"},
    ],
    "fixes": [],
}  # fmt: skip


def test_pip_audit_output_is_merged_without_duplicates(tmp_path: Path) -> None:
    online = parse_pip_audit_json(json.dumps(PIP_AUDIT_OUTPUT))
    assert online.checked == {("humanize", "4.0.0"), ("pillow", "9.5.0"), ("werkzeug", "2.2.2")}
    assert online.skipped == {"internal": "Dependency not found on PyPI"}
    deps = [
        Dependency(name, Source.REQUIREMENTS, tmp_path / "requirements.txt", line, f"{name}=={version}", version=version)
        for line, (name, version) in enumerate(
            [("humanize", "4.0.0"), ("pillow", "9.5.0"), ("werkzeug", "2.2.2"), ("internal", "1.0")], start=1
        )
    ]  # fmt: skip
    table, _ = load_bundled()
    report = vulnerability_findings(tmp_path, deps, table, strict=False, online=online)
    assert report.audited == ["humanize", "pillow", "werkzeug"]
    assert report.unaudited == ["internal"]  # pip-audit skipped it
    assert advisory_keys(report.findings) == {
        ("deps/pillow", "PYSEC-2023-175", "10.0.1"),
        ("deps/pillow", "GHSA-3f63-hfp8-52jq", "10.2.1"),  # the lowest fix
        # pip-audit's GHSA-xg9f-g7g7-2323 is PYSEC-2023-58 from the table: once only
        ("deps/werkzeug", "PYSEC-2023-57", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-58", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-221", "2.3.8"),
    }


def test_pip_audit_failures_leave_the_offline_result() -> None:
    failing = [
        sys.executable,
        "-c",
        "import sys; print('no network', file=sys.stderr); sys.exit(1)",
    ]
    online, notes = run_pip_audit([("flask", "3.0.3")], command=failing)
    assert (online.checked, online.hits) == (set(), {})
    assert notes == ["pip-audit failed (exit 1: no network); offline data only"]
    missing, notes = run_pip_audit([("flask", "3.0.3")], command=["/nonexistent/pip-audit"])
    assert missing.checked == set() and notes[0].startswith("pip-audit could not run (")
    with pytest.raises(ValueError):
        parse_pip_audit_json('{"something": "else"}')


def test_pip_audit_receives_exact_pins_only() -> None:
    echo = [sys.executable, "-c", (
        "import json, sys; lines = open(sys.argv[sys.argv.index('-r') + 1]).read().split();"
        "print(json.dumps({'dependencies': [dict(zip(('name', 'version'), l.split('=='))) | {'vulns': []}"
        " for l in lines], 'fixes': []}))"
    )]  # fmt: skip
    online, notes = run_pip_audit(
        [("flask", "3.0.3"), ("jinja2", "3.1.4"), ("flask", "3.0.3")], command=echo
    )
    assert notes == []
    assert online == OnlineResults(checked={("flask", "3.0.3"), ("jinja2", "3.1.4")}, hits={})


def test_pip_audit_skips_are_noted_and_stay_unaudited() -> None:
    # what pip-audit prints when its vulnerability service cannot be reached for a package
    output = {
        "dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI"}],
        "fixes": [],
    }
    command = [sys.executable, "-c", f"print({json.dumps(json.dumps(output))})"]
    online, notes = run_pip_audit([("flask", "2.2.2")], command=command)
    assert online.checked == set()
    assert notes == [
        "pip-audit could not check 1 of 1 package(s), which stay unaudited (e.g. Dependency not found on PyPI)"
    ]
