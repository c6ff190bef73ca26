"""Installed distributions: audited by their exact version, compared with declarations
(APS007), checked for lookalike names; the running environment as well as a prepared
site directory of real dist-info folders."""

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
        ("APS006", "deps/reqeusts", "METADATA", 1),
        ("APS007", "deps/starlette", reqs, 1),
        ("APS007", "deps/humanize", reqs, 3),
        ("APS009", "deps/humanize", reqs, 3),
        # installed-only packages share one subject (one item, not one per package)
        ("APS009", "deps/installed", "METADATA", 1),
    }
    installed_only = sorted(
        f.location.symbol for f in result.findings if f.path == "deps/installed" and f.location
    )
    assert installed_only == ["project", "reqeusts"]
    assert advisory_keys(result.findings) == {("deps/starlette", "PYSEC-2023-83", "0.27.0")}
    by_key = {(f.code, f.path): f for f in result.findings}
    assert by_key["APS001", "deps/starlette"].evidence == "starlette>=0.27 (installed 0.26.1)"
    assert by_key["APS007", "deps/starlette"].message == (
        "starlette 0.26.1 is installed but requirements.txt:1 asks for starlette>=0.27"
    )
    assert by_key["APS007", "deps/humanize"].message == (
        "humanize 4.8.0 is installed but requirements.txt:3 asks for humanize==4.9.0"
    )
    assert "(the installed version)" in by_key["APS002", "deps/starlette"].remediation
    assert {f.severity for f in result.findings if f.path == "deps/installed"} == {Severity.INFO}
    assert by_key["APS009", "deps/humanize"].severity is Severity.LOW  # declared
    assert result.audited == ["flask", "starlette"]
    assert result.unaudited == ["humanize", "project", "reqeusts"]


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


def test_markers_that_do_not_apply_are_not_compared(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        'flask==2.0.0 ; python_version < "3.0"\n', encoding="utf-8"
    )
    site = _site(tmp_path, ("flask", "3.0.3"))
    result = run_audit(AuditSettings(root=tmp_path, installed_paths=(site,)))
    assert finding_keys(result.findings, tmp_path, codes=["APS007"]) == set()


def test_the_running_environment(tmp_path: Path) -> None:
    """The default: distributions on sys.path, i.e. what this test run has installed."""
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
    assert {"werkzeug", "starlette", "fastapi", "flask"} <= set(result.audited)
    # every installed distribution is either audited or listed as unaudited, none dropped
    installed = {d.name for d in read_installed().deps}
    assert installed <= set(result.audited) | set(result.unaudited)


def test_vulnerable_package_installed_only_is_reported_low(tmp_path: Path) -> None:
    """Only in the test environment (not declared, not locked): reported, never failing."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    site = _site(tmp_path, ("flask", "3.0.3"), ("urllib3", "1.26.17"))
    result = run_audit(AuditSettings(root=project, installed_paths=(site,)))
    installed_only = [f for f in result.findings if f.code == "APS001"]
    assert {(f.path, f.severity) for f in installed_only} == {("deps/urllib3", Severity.LOW)}
    assert all(f.message.endswith("(installed in the test environment only)") for f in installed_only)
