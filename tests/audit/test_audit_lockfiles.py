"""Lock files: poetry.lock, uv.lock, pylock.toml and Pipfile.lock."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import FIXTURES, AuditFixture, advisory_keys, finding_keys

from pytest_apiposture.audit.lockfiles import is_lock_file, read_lock
from pytest_apiposture.audit.records import IssueKind, Source
from pytest_apiposture.model import Severity


def test_pylock(audit_fixture: AuditFixture) -> None:
    result, root = audit_fixture("pylock_app")
    lock = "pylock.toml"
    assert finding_keys(result.findings, root) == {
        ("APS001", "deps/urllib3", lock, 7),
        ("APS004", "deps/report-engine", lock, 23),
        ("APS009", "deps/pywin-helper", lock, 17),
        ("APS009", "deps/report-engine", lock, 23),
    }
    assert advisory_keys(result.findings) == {
        ("deps/urllib3", "PYSEC-2023-192", "1.26.17"),
        ("deps/urllib3", "PYSEC-2023-212", "1.26.18"),
    }
    severities = {f.location.symbol: f.severity for f in result.findings if f.code == "APS001"}  # type: ignore[union-attr]
    # from the advisories' CVSS vectors: 8.1 and 4.2
    assert severities == {
        "urllib3 PYSEC-2023-192": Severity.HIGH,
        "urllib3 PYSEC-2023-212": Severity.MEDIUM,
    }
    assert (
        "local path dependencies are first-party code and not audited: catalog-app" in result.notes
    )


def test_pipfile_lock(audit_fixture: AuditFixture) -> None:
    result, root = audit_fixture("pipfile_app")
    lock = "Pipfile.lock"
    assert finding_keys(result.findings, root) == {
        ("APS001", "deps/pyyaml", lock, 9),
        ("APS004", "deps/payments-sdk", lock, 14),
        ("APS009", "deps/payments-sdk", lock, 14),
        ("APS009", "deps/pytest", lock, 20),
    }
    assert advisory_keys(result.findings) == {
        ("deps/pyyaml", "PYSEC-2020-96", "5.3.1"),
        ("deps/pyyaml", "PYSEC-2021-142", "5.4"),
    }
    pyyaml = next(f for f in result.findings if f.code == "APS001")
    assert pyyaml.evidence == "pyyaml==5.3 (Pipfile.lock)"


def test_read_poetry_lock_records() -> None:
    scan = read_lock(FIXTURES / "poetry_app" / "poetry.lock")
    rows = [(d.name, d.line, d.version, d.url, d.source) for d in scan.deps]
    assert rows == [
        ("flask", 4, "2.2.2", None, Source.LOCK),
        ("gunicorn", 14, "21.2.0", None, Source.LOCK),
        ("internal-auth", 22, "0.3.0",
         "git+https://github.com/example/internal-auth.git@4f2a1c9d0b7e8f6a5c4d3b2a1908f7e6d5c4b3a2", Source.LOCK),
        ("pytest", 36, "7.4.0", None, Source.LOCK),
        ("requests", 44, "2.31.0", None, Source.LOCK),
        ("werkzeug", 52, "2.2.2", None, Source.LOCK),
    ]  # fmt: skip
    assert scan.deps[0].hashes == (
        "sha256:b9c46cc36662a7949f34b52d8ec7bb59c0d74ba08ba6cb9ce9adc1d8676d9526",
    )


def test_read_uv_lock_marks_the_project_local() -> None:
    scan = read_lock(FIXTURES / "uv_app" / "uv.lock")
    rows = [(d.name, d.line, d.version, d.local) for d in scan.deps]
    assert rows == [
        ("anyio", 5, "3.7.1", False),
        ("catalog-api", 11, "0.1.0", True),
        ("python-multipart", 21, "0.0.6", False),
        ("starlette", 26, "0.26.1", False),
        ("tenant-sdk", 34, "2.0.0", False),
    ]


def test_pylock_markers_are_kept() -> None:
    scan = read_lock(FIXTURES / "pylock_app" / "pylock.toml")
    helper = next(d for d in scan.deps if d.name == "pywin-helper")
    assert str(helper.marker) == 'sys_platform == "win32"'


def test_lock_file_names() -> None:
    names = [
        "poetry.lock",
        "uv.lock",
        "pylock.toml",
        "pylock.dev.toml",
        "Pipfile.lock",
        "pylock.a.b.toml",
        "x.lock",
    ]
    assert [n for n in names if is_lock_file(Path(n))] == names[:5]


def test_broken_lock_files(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text(
        'version = 1\n[[package]]\nname = "x"\nversion = \n', encoding="utf-8"
    )
    (tmp_path / "Pipfile.lock").write_text("[1, 2]", encoding="utf-8")
    uv = read_lock(tmp_path / "uv.lock")
    pipfile = read_lock(tmp_path / "Pipfile.lock")
    assert [(i.kind, i.line) for i in uv.issues] == [(IssueKind.UNPARSABLE, 4)]
    assert [(i.kind, i.line) for i in pipfile.issues] == [(IssueKind.UNPARSABLE, 1)]
    assert uv.deps == [] and pipfile.deps == []
