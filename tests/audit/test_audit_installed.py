"""Installed distributions: the versions of the project's declared and locked packages,
compared with the declarations (APS007); a package that is only installed (pip, this
plugin's own dependencies) is not the project's and is counted in one note. The running
environment as well as a prepared site directory of real dist-info folders."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from audit_helpers import advisory_keys, finding_keys

from pytest_apiposture.audit import AuditSettings, run_audit
from pytest_apiposture.audit.installed import read_installed
from pytest_apiposture.model import Severity


def _site(tmp_path: Path, *dists: tuple[str, str]) -> Path:
    site = tmp_path / "site"
    for name, version in dists:
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )
    return site


def test_read_installed_from_a_site_directory(tmp_path: Path) -> None:
    site = _site(tmp_path, ("Starlette", "0.26.1"), ("PyYAML", "6.0.1"))
    scan = read_installed([str(site)])
    rows = sorted((d.name, d.version, d.file.name, d.line) for d in scan.deps)
    assert rows == [("pyyaml", "6.0.1", "METADATA", 1), ("starlette", "0.26.1", "METADATA", 1)]


def test_installed_versions_are_audited_and_compared(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text(
        "starlette>=0.27\nflask==3.0.3\nhumanize==4.9.0\n", encoding="utf-8"
    )
    site = _site(
        tmp_path,
        ("starlette", "0.26.1"),  # below the declared range, and vulnerable
        ("flask", "3.0.3"),  # as pinned
        ("humanize", "4.8.0"),  # differs from the pin
        ("reqeusts", "1.0.0"),  # installed only: a lookalike of requests
        ("project", "0.1.0"),  # not covered by the bundled table, installed only
    )
    result = run_audit(AuditSettings(root=project, installed_paths=(site,)))
    reqs = "requirements.txt"
    assert finding_keys(result.findings, project) == {
        # the vulnerable installed version is reported where starlette is declared
        ("APS001", "deps/starlette", reqs, 1),
        ("APS002", "deps/starlette", reqs, 1),
        ("APS007", "deps/starlette", reqs, 1),
        ("APS007", "deps/humanize", reqs, 3),
        ("APS009", "deps/humanize", reqs, 3),
    }  # must not flag: reqeusts and project (installed only: not the project's packages)
    assert advisory_keys(result.findings) == {("deps/starlette", "PYSEC-2023-83", "0.27.0")}
    by_key = {(f.code, f.path): f for f in result.findings}
    assert by_key["APS001", "deps/starlette"].evidence == "starlette>=0.27 (installed 0.26.1)"
    assert by_key["APS007", "deps/starlette"].message == (
        "starlette 0.26.1 is installed but requirements.txt:1 asks for starlette>=0.27"
    )
    assert by_key["APS007", "deps/humanize"].message == (
        "humanize 4.8.0 is installed but requirements.txt:3 asks for humanize==4.9.0"
    )
    # outside the declared range: medium; a pin that differs: low (APS001 audits the pin)
    assert by_key["APS007", "deps/starlette"].severity is Severity.MEDIUM
    assert by_key["APS007", "deps/humanize"].severity is Severity.LOW
    assert "audited the pinned or locked version" in by_key["APS007", "deps/humanize"].remediation
    assert "(the installed version)" in by_key["APS002", "deps/starlette"].remediation
    assert by_key["APS009", "deps/humanize"].severity is Severity.LOW  # declared
    assert result.audited == ["flask", "starlette"]
    assert result.unaudited == ["humanize"]
    assert (
        "2 installed package(s) are not declared or locked by the project and were not "
        "audited (the environment's, this plugin's and test tools' own: project, reqeusts)"
    ) in result.notes


def test_lock_entries_are_compared_with_installed_versions(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "flask"\nversion = "3.0.3"\n\n'
        '[[package]]\nname = "werkzeug"\nversion = "3.0.6"\n',
        encoding="utf-8",
    )
    site = _site(tmp_path, ("flask", "3.0.3"), ("werkzeug", "3.1.3"))
    result = run_audit(AuditSettings(root=project, installed_paths=(site,)))
    assert finding_keys(result.findings, project, codes=["APS007"]) == {
        ("APS007", "deps/werkzeug", "uv.lock", 8)
    }
    mismatch = next(f for f in result.findings if f.code == "APS007")
    assert (
        mismatch.message
        == "werkzeug 3.1.3 is installed but uv.lock:8 asks for werkzeug==3.0.6 (locked)"
    )
    assert mismatch.severity is Severity.LOW  # the locked 3.0.6 is what the advisory check audits


def test_range_pinned_by_a_lock_drifts_low(tmp_path: Path) -> None:
    """Outside the declared range but a lock pins it: the lock is audited, so low."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "svc"\ndependencies = ["werkzeug>=3"]\n', encoding="utf-8"
    )
    (project / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "werkzeug"\nversion = "3.0.6"\n', encoding="utf-8"
    )
    site = _site(tmp_path, ("werkzeug", "2.2.2"))
    result = run_audit(AuditSettings(root=project, installed_paths=(site,)))
    drift = sorted(
        (f.location.file.rsplit("/", 1)[1], f.location.line, f.severity)  # type: ignore[union-attr]
        for f in result.findings
        if f.code == "APS007"
    )
    assert drift == [("pyproject.toml", 3, Severity.LOW), ("uv.lock", 4, Severity.LOW)]
    assert not [f for f in result.findings if f.code == "APS001"]  # 2.2.2 is not audited


def test_markers_that_do_not_apply_are_not_compared(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        'flask==2.0.0 ; python_version < "3.0"\n', encoding="utf-8"
    )
    site = _site(tmp_path, ("flask", "3.0.3"))
    result = run_audit(AuditSettings(root=tmp_path, installed_paths=(site,)))
    assert finding_keys(result.findings, tmp_path, codes=["APS007"]) == set()


def test_the_running_environment(tmp_path: Path) -> None:
    """The default: distributions on sys.path, i.e. what this test run has installed.
    Only the declared packages are looked at; the rest of the venv is one note."""
    have_werkzeug = metadata.version("werkzeug")
    have_packaging = metadata.version("packaging")
    (tmp_path / "requirements.txt").write_text(
        f"werkzeug==2.2.2\npackaging=={have_packaging}\n", encoding="utf-8"
    )
    result = run_audit(AuditSettings(root=tmp_path))
    assert finding_keys(result.findings, tmp_path, codes=["APS007"]) == {
        ("APS007", "deps/werkzeug", "requirements.txt", 1)
    }
    mismatch = next(f for f in result.findings if f.code == "APS007")
    assert mismatch.evidence == f"werkzeug==2.2.2 (installed {have_werkzeug})"
    assert mismatch.severity is Severity.LOW
    # the pin is audited (2.2.2 has advisories), not the installed version
    assert {f.path for f in result.findings if f.code == "APS001"} == {"deps/werkzeug"}
    assert all("2.2.2 has a known" in f.message for f in result.findings if f.code == "APS001")
    assert set(result.audited) | set(result.unaudited) == {"werkzeug", "packaging"}
    installed = {d.name for d in read_installed().deps} - {"werkzeug", "packaging"}
    assert f"{len(installed)} installed package(s) are not declared" in "\n".join(result.notes)
    # every finding points into the project, never at an installed METADATA file
    assert all(f.location and f.location.file.startswith(str(tmp_path)) for f in result.findings)


def test_vulnerable_package_installed_only_is_not_the_projects(tmp_path: Path) -> None:
    """Only in the test environment (not declared, not locked): not audited, not reported."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    site = _site(
        tmp_path,
        ("flask", "3.0.3"),
        ("urllib3", "1.26.17"),  # vulnerable
        ("pip", "23.0"),  # vulnerable
        ("setuptools", "65.5.0"),  # vulnerable
        ("wheel", "0.37.1"),
    )
    result = run_audit(AuditSettings(root=project, installed_paths=(site,)))
    assert result.findings == []
    assert result.audited == ["flask"]
    assert result.unaudited == []
    assert [n for n in result.notes if "installed package" in n] == [
        "4 installed package(s) are not declared or locked by the project and were not "
        "audited (the environment's, this plugin's and test tools' own: pip, setuptools, "
        "urllib3, wheel)"
    ]


def test_installed_version_of_a_pinned_package_is_not_audited(tmp_path: Path) -> None:
    """Must flag the pin (what production installs); must not flag the installed version."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("urllib3==2.2.3\nflask==2.2.2\n", encoding="utf-8")
    site = _site(tmp_path, ("urllib3", "1.26.17"), ("flask", "3.0.3"))
    result = run_audit(AuditSettings(root=project, installed_paths=(site,)))
    reqs = "requirements.txt"
    assert finding_keys(result.findings, project, codes=["APS001", "APS007"]) == {
        ("APS001", "deps/flask", reqs, 2),  # the pinned 2.2.2
        ("APS007", "deps/urllib3", reqs, 1),
        ("APS007", "deps/flask", reqs, 2),
    }
    assert {f.severity for f in result.findings if f.code == "APS007"} == {Severity.LOW}
    assert all("2.2.2 has a known" in f.message for f in result.findings if f.code == "APS001")
