"""Known vulnerabilities: the sample app on old pins, OSV range evaluation, the bundled
table, a full export directory, CVSS severities."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from audit_helpers import FIXTURES, AuditFixture, advisory_keys, finding_keys
from packaging.version import Version

from pytest_apiposture.audit.advisories import (
    Advisory,
    advisories_from_osv,
    load_bundled,
    load_export,
)
from pytest_apiposture.audit.build_table import API_STACK, build_table, dump_table, main
from pytest_apiposture.audit.cvss import cvss3_base_score, score_severity
from pytest_apiposture.model import Severity

EXPORT = FIXTURES / "advisory_export"
SNAPSHOT = Path(__file__).resolve().parents[3] / "shared" / "advisories" / "pypa-advisory-database"


def test_sample_app_pinned_to_old_starlette_and_werkzeug(
    audit_fixture: AuditFixture,
) -> None:
    result, root = audit_fixture("sample_app")
    assert finding_keys(result.findings, root) == {
        ("APS001", "deps/fastapi", "requirements.txt", 2),
        ("APS001", "deps/flask", "requirements.txt", 4),
        ("APS001", "deps/werkzeug", "requirements.txt", 5),
    }
    assert advisory_keys(result.findings) == {
        ("deps/fastapi", "PYSEC-2024-38", "0.109.1"),
        ("deps/flask", "PYSEC-2023-62", "2.2.5"),
        ("deps/werkzeug", "PYSEC-2023-57", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-58", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-221", "2.3.8"),
    }
    # starlette 0.27.0 is audited and clean *in this data*: 0.27.0 is where PYSEC-2023-83
    # was fixed; later GHSA-only advisories are not in the PyPA snapshot of 2024-10-10.
    assert result.audited == ["fastapi", "flask", "starlette", "werkzeug"]
    assert result.unaudited == []
    assert result.notes[0] == (
        "advisory data as of 2024-10-10 (PyPA Advisory Database snapshot 3ccb612573e2 of 2024-10-10); "
        "advisories published after that date are not known to this audit"
    )
    severities = {f.location.symbol: f.severity for f in result.findings}  # type: ignore[union-attr]
    assert severities == {
        "fastapi PYSEC-2024-38": Severity.HIGH,  # CVSS 7.5
        "flask PYSEC-2023-62": Severity.HIGH,  # no vector: high by default
        "werkzeug PYSEC-2023-57": Severity.HIGH,
        "werkzeug PYSEC-2023-58": Severity.HIGH,
        "werkzeug PYSEC-2023-221": Severity.HIGH,  # CVSS 7.5
    }


def test_an_older_starlette_pin_is_reported_with_its_fix(tmp_path: Path) -> None:
    from pytest_apiposture.audit import AuditSettings, run_audit

    (tmp_path / "requirements.txt").write_text("starlette==0.24.0\n", encoding="utf-8")
    result = run_audit(AuditSettings(root=tmp_path, include_installed=False))
    assert advisory_keys(result.findings) == {
        ("deps/starlette", "PYSEC-2023-48", "0.25.0"),
        ("deps/starlette", "PYSEC-2023-83", "0.27.0"),
    }


def _advisory(path: Path) -> Advisory:
    (advisory,) = advisories_from_osv(yaml.safe_load(path.read_text(encoding="utf-8")))
    return advisory


@pytest.mark.parametrize(
    ("version", "affected", "fixed"),
    [("1.6.1", True, "1.6.2"), ("1.6.2", False, None), ("1.7.3", True, "1.7.4"),
     ("1.7.4", False, None), ("1.8.1", True, "1.8.2"), ("1.8.2", False, None), ("2.0", False, None)],
)  # fmt: skip
def test_unordered_multi_range_events(version: str, affected: bool, fixed: str | None) -> None:
    # pydantic's advisory lists its three ranges' events out of order in one range
    advisory = (
        _advisory(SNAPSHOT / "vulns" / "pydantic" / "PYSEC-2021-47.yaml")
        if SNAPSHOT.is_dir()
        else None
    )
    if advisory is None:
        advisory = next(
            a for a in load_bundled()[0].for_package("pydantic") if a.id == "PYSEC-2021-47"
        )
    assert advisory.affects(Version(version)) is affected
    assert (advisory.fixed_for(Version(version)) if affected else None) == fixed


def test_last_affected_and_explicit_versions() -> None:
    entry = {
        "id": "TEST-1",
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"last_affected": "1.4"}]}],
             "versions": ["0.9"]},
            {"package": {"ecosystem": "npm", "name": "demo-pkg"}, "versions": ["5.0"]},
        ],
    }  # fmt: skip
    (advisory,) = advisories_from_osv(entry)
    assert advisory.package == "demo-pkg"
    assert [advisory.affects(Version(v)) for v in ("0.8", "0.9", "1.0", "1.4", "1.4.1", "5.0")] == [
        False, True, True, True, False, False,
    ]  # fmt: skip
    assert advisory.fixed_for(Version("1.2")) is None


def test_withdrawn_advisories_are_ignored() -> None:
    withdrawn = yaml.safe_load(
        (EXPORT / "vulns" / "aiohttp" / "PYSEC-2022-43059.yaml").read_text("utf-8")
    )
    assert withdrawn["withdrawn"]
    assert advisories_from_osv(withdrawn) == []


def test_full_export_directory_covers_every_package(audit_fixture: AuditFixture) -> None:
    offline, root = audit_fixture("export_app")
    assert offline.unaudited == ["humanize", "pillow", "tornado"]  # outside the bundled API stack
    result, root = audit_fixture("export_app", advisories_path=EXPORT)
    assert finding_keys(result.findings, root) == {
        ("APS001", "deps/pillow", "requirements.txt", 1),
        ("APS001", "deps/tornado", "requirements.txt", 2),
        ("APS001", "deps/werkzeug", "requirements.txt", 4),
    }
    assert advisory_keys(result.findings) == {
        ("deps/pillow", "PYSEC-2023-175", "10.0.1"),
        ("deps/tornado", "PYSEC-2023-75", "6.3.2"),
        # PYSEC-2023-58 is in both the export and the bundled table: reported once
        ("deps/werkzeug", "PYSEC-2023-57", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-58", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-221", "2.3.8"),
    }
    assert result.audited == ["humanize", "pillow", "tornado", "werkzeug"]
    assert result.unaudited == []
    assert result.notes[0].startswith("advisory data as of 2024-02-16 (advisory export ")
    assert "(5 files, newest modified 2024-02-16)" in result.notes[0]


def test_export_zip_and_unparsable_files(tmp_path: Path) -> None:
    archive = tmp_path / "osv.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(EXPORT / "vulns" / "tornado" / "PYSEC-2023-75.yaml", "PYSEC-2023-75.yaml")
        entry = yaml.safe_load(
            (EXPORT / "vulns" / "pillow" / "PYSEC-2023-175.yaml").read_text("utf-8")
        )
        zf.writestr("PYSEC-2023-175.json", json.dumps(entry))
        zf.writestr("broken.yaml", "id: [unclosed\n")
    table, notes = load_export(archive)
    assert sorted(table.by_package) == ["pillow", "tornado"]
    assert table.covers("anything-at-all")
    assert notes == [f"1 advisory file(s) in {archive} do not parse and were skipped: broken.yaml"]


def test_missing_or_empty_export_fails_closed(audit_fixture: AuditFixture, tmp_path: Path) -> None:
    result, _ = audit_fixture("export_app", advisories_path=tmp_path / "nope")
    assert result.unaudited == ["humanize", "pillow", "tornado"]
    assert any(
        n.startswith(f"advisory export {tmp_path / 'nope'} does not exist") for n in result.notes
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    result, _ = audit_fixture("export_app", advisories_path=empty)
    assert result.unaudited == ["humanize", "pillow", "tornado"]  # an empty export covers nothing
    assert f"{empty} holds no OSV advisories; only the bundled table is used" in result.notes


def test_bundled_table_records_source_and_covers_the_api_stack() -> None:
    table, source = load_bundled()
    assert source["commit"] == "3ccb612573e2511ab5cad7dafecd838605c80cda"
    assert source["date"] == "2024-10-10"
    assert source["license"] == "CC-BY-4.0"
    assert "Python Packaging Advisory Database" in source["attribution"]
    for name in ("starlette", "fastapi", "flask", "werkzeug", "jinja2", "pydantic", "pyjwt", "python-jose",
                 "requests", "urllib3", "sqlalchemy", "flask-cors", "uvicorn", "gunicorn", "aiohttp",
                 "cryptography", "pyyaml"):  # fmt: skip
        assert table.covers(name), name
    assert not table.covers("pillow")
    assert [a.id for a in table.for_package("starlette")] == ["PYSEC-2023-48", "PYSEC-2023-83"]


@pytest.mark.skipif(
    not SNAPSHOT.is_dir(), reason="the PyPA snapshot (shared/advisories) is not beside the repo"
)
def test_bundled_file_is_exactly_a_rebuild_from_the_snapshot() -> None:
    bundled = Path(__file__).resolve().parents[2] / "pytest_apiposture" / "data" / "advisories.json"
    rebuilt = dump_table(
        build_table(SNAPSHOT, "3ccb612573e2511ab5cad7dafecd838605c80cda", "2024-10-10")
    )
    assert bundled.read_text(encoding="utf-8") == rebuilt


def test_build_table_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "db"
    shutil.copytree(EXPORT, src)
    out = tmp_path / "table.json"
    assert main([str(src), str(out)]) == 0  # commit and date read from the README
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["source"]["commit"], data["source"]["date"]) == (
        "3ccb612573e2511ab5cad7dafecd838605c80cda",
        "2024-10-10",
    )
    assert data["packages"] == list(API_STACK)
    assert [(a["package"], a["id"]) for a in data["advisories"]] == [
        ("starlette", "PYSEC-2023-83"),  # pillow and tornado are outside the stack;
        ("werkzeug", "PYSEC-2023-58"),  # the aiohttp advisory is withdrawn
    ]
    (src / "README.md").unlink()
    assert main([str(src), str(out)]) == 2
    assert "pass --commit and --date" in capsys.readouterr().err
    assert main([str(src), str(out), "--commit", "a" * 40, "--date", "2024-01-02"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["source"]["date"] == "2024-01-02"
    assert main([str(tmp_path / "missing"), str(out)]) == 2


@pytest.mark.parametrize(
    ("vector", "score", "severity"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, Severity.CRITICAL),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N", 8.1, Severity.HIGH),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, Severity.MEDIUM),
        ("CVSS:3.1/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N", 4.2, Severity.MEDIUM),
        ("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8, Severity.LOW),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, Severity.INFO),
    ],
)
def test_cvss_base_scores(vector: str, score: float, severity: Severity) -> None:
    assert cvss3_base_score(vector) == score
    assert score_severity(score) is severity


def test_cvss_rejects_other_vectors() -> None:
    assert (
        cvss3_base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N") is None
    )
    assert cvss3_base_score("CVSS:3.1/AV:N") is None
