"""requirements*.txt: every check on one application's requirement files, and the
parser's handling of includes, continuations, markers, hashes, editable and URL lines."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import AuditFixture, advisory_keys, finding_keys

from pytest_apiposture.audit.records import IssueKind, Source
from pytest_apiposture.audit.requirements_txt import read_requirements
from pytest_apiposture.model import Confidence, Severity

REQS = "requirements.txt"
BASE = "requirements-base.txt"
HASHED = "requirements-hashed.txt"


def test_every_check_on_the_requirements_fixture(audit_fixture: AuditFixture) -> None:
    result, root = audit_fixture("reqs")
    assert finding_keys(result.findings, root) == {
        ("APS001", "deps/fastapi", REQS, 5),
        ("APS001", "deps/orjson", REQS, 16),
        ("APS001", "deps/werkzeug", HASHED, 1),
        ("APS002", "deps/uvicorn", REQS, 6),
        ("APS002", "deps/pydantic", REQS, 7),
        ("APS003", "deps/jinja2", HASHED, 3),
        ("APS004", "deps/internal-lib", REQS, 11),
        ("APS004", "deps/mylib", REQS, 12),
        ("APS005", "deps/requirements.txt", REQS, 4),
        ("APS006", "deps/reqeusts", REQS, 10),
        ("APS008", "deps/requirements.txt", REQS, 9),
        ("APS008", "deps/requirements.txt", REQS, 15),
        ("APS008", "deps/requirements-base.txt", BASE, 3),
        ("APS009", "deps/uvicorn", REQS, 6),
        ("APS009", "deps/pydantic", REQS, 7),
        ("APS009", "deps/reqeusts", REQS, 10),
        ("APS009", "deps/internal-lib", REQS, 11),
        ("APS009", "deps/mylib", REQS, 12),
        # flask=2.0 does not parse, so flask was not checked either
        ("APS009", "deps/flask", REQS, 9),
    }
    assert advisory_keys(result.findings) == {
        ("deps/fastapi", "PYSEC-2024-38", "0.109.1"),
        ("deps/orjson", "PYSEC-2024-40", "3.9.15"),
        ("deps/werkzeug", "PYSEC-2023-57", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-58", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-221", "2.3.8"),
    }
    assert result.audited == [
        "anyio", "fastapi", "itsdangerous", "jinja2", "orjson", "sqlalchemy", "starlette", "werkzeug",
    ]  # fmt: skip
    assert result.unaudited == ["flask", "internal-lib", "mylib", "pydantic", "reqeusts", "uvicorn"]
    assert [p.name for p in result.sources] == [BASE, REQS, "constraints.txt", HASHED]


def test_severities_confidence_and_messages(audit_fixture: AuditFixture) -> None:
    result, _ = audit_fixture("reqs")
    by_key = {(f.code, f.path): f for f in result.findings if f.code != "APS001"}
    assert by_key["APS002", "deps/uvicorn"].severity is Severity.MEDIUM  # open-ended
    assert by_key["APS002", "deps/pydantic"].severity is Severity.LOW  # bounded range
    assert "open-ended (>=0.20: no upper bound)" in by_key["APS002", "deps/uvicorn"].message
    assert by_key["APS004", "deps/internal-lib"].severity is Severity.MEDIUM  # branch "main"
    assert by_key["APS004", "deps/mylib"].severity is Severity.LOW  # archive with #sha256=
    assert by_key["APS006", "deps/reqeusts"].confidence is Confidence.POSSIBLE
    assert "popular package requests" in by_key["APS006", "deps/reqeusts"].message
    extra_index = by_key["APS005", "deps/requirements.txt"].location
    assert extra_index is not None
    assert extra_index.symbol == "https://pypi.internal.example/simple"
    assert by_key["APS009", "deps/reqeusts"].severity is Severity.LOW
    assert "does not cover it" in by_key["APS009", "deps/reqeusts"].message
    assert "no exact version is known" in by_key["APS009", "deps/uvicorn"].message
    for f in result.findings:
        assert (f.kind.value, f.owasp, f.method) == ("dependency", "API8:2023", "")
    fastapi = next(f for f in result.findings if f.path == "deps/fastapi")
    assert fastapi.confidence is Confidence.CONFIRMED
    assert fastapi.evidence == "fastapi==0.100.0"
    assert "fixed in 0.109.1" in fastapi.message and "CVE-2024-24762" in fastapi.message
    assert fastapi.remediation.startswith("Upgrade fastapi to 0.109.1 or later (fastapi>=0.109.1)")


def test_malformed_lines_are_findings_not_crashes(audit_fixture: AuditFixture) -> None:
    result, root = audit_fixture("malformed")
    assert finding_keys(result.findings, root) == {
        ("APS008", "deps/requirements.txt", REQS, 2),  # "unterminated
        ("APS008", "deps/requirements.txt", REQS, 3),  # -r with no file
        ("APS008", "deps/requirements.txt", REQS, 4),  # --hash=md5
        ("APS008", "deps/requirements.txt", REQS, 5),  # --frobnicate
        ("APS008", "deps/pyproject.toml", "pyproject.toml", 5),  # TOML error line
        ("APS008", "deps/Pipfile.lock", "Pipfile.lock", 3),  # JSON error line
        ("APS009", "deps/itsdangerous", REQS, 4),
        ("APS009", "deps/starlette", REQS, 5),
    }
    assert result.audited == ["requests"]
    messages = {
        f.location.line if f.location else 0: f.message
        for f in result.findings
        if f.path == "deps/requirements.txt"
    }
    assert (
        messages[3]
        == "requirements.txt:3: option -r needs a value; nothing on this line was audited"
    )
    toml = next(f for f in result.findings if f.path == "deps/pyproject.toml")
    assert "no package in this file was audited" in toml.message


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parser_reads_continuations_markers_urls_and_editables(tmp_path: Path) -> None:
    req = _write(
        tmp_path,
        "requirements.txt",
        "# comment\n"
        "Flask_Cors==4.0.0 \\\n"
        "    --hash=sha256:abcd \\\n"
        "    --hash sha256:ef01\n"
        "requests[socks]>=2.31 ; python_version < '3.8'  # trailing comment\n"
        "https://example.com/pkgs/Some_Lib-1.2.0-py3-none-any.whl\n"
        "-e git+https://github.com/org/tool.git@0123456789abcdef0123456789abcdef01234567#egg=tool\n"
        "-e .\n"
        "./vendor/localpkg\n"
        "pkg @ file:///opt/wheels/pkg-1.0.tar.gz\n",
    )
    scan = read_requirements(req, set())
    rows = [(d.name, d.line, d.version, d.url, d.editable, d.local, d.hashes) for d in scan.deps]
    assert rows == [
        ("flask-cors", 2, "4.0.0", None, False, False, ("sha256:abcd", "sha256:ef01")),
        ("requests", 5, None, None, False, False, ()),
        ("some-lib", 6, None, "https://example.com/pkgs/Some_Lib-1.2.0-py3-none-any.whl", False, False, ()),
        ("tool", 7, None, "git+https://github.com/org/tool.git@0123456789abcdef0123456789abcdef01234567#egg=tool", True, False, ()),
        ("", 8, None, ".", True, True, ()),
        ("", 9, None, "./vendor/localpkg", False, True, ()),
        ("pkg", 10, None, "file:///opt/wheels/pkg-1.0.tar.gz", False, True, ()),
    ]  # fmt: skip
    assert str(scan.deps[1].marker) == 'python_version < "3.8"'
    assert scan.hash_mode_files == {req.resolve()}
    assert scan.issues == []
    assert all(d.source is Source.REQUIREMENTS for d in scan.deps)


def test_includes_are_relative_read_once_and_constraints_marked(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    main = _write(
        tmp_path, "requirements.txt", "-r sub/common.txt\n--constraint=sub/pins.txt\nflask\n"
    )
    _write(tmp_path / "sub", "common.txt", "-r ../requirements.txt\njinja2==3.1.4\n")
    _write(tmp_path / "sub", "pins.txt", "flask==3.0.3\n")
    scan = read_requirements(main, set())
    assert [(d.file.name, d.line, d.name, d.source) for d in scan.deps] == [
        ("common.txt", 2, "jinja2", Source.REQUIREMENTS),
        ("pins.txt", 1, "flask", Source.CONSTRAINTS),
        ("requirements.txt", 3, "flask", Source.REQUIREMENTS),
    ]
    assert [p.name for p in scan.files] == ["requirements.txt", "common.txt", "pins.txt"]


def test_remote_include_and_require_hashes(tmp_path: Path) -> None:
    req = _write(
        tmp_path,
        "requirements.txt",
        "--require-hashes\n-r https://example.com/reqs.txt\n-e ./local\nflask==3.0.3\n",
    )
    scan = read_requirements(req, set())
    assert [(i.kind, i.line) for i in scan.issues] == [(IssueKind.UNPARSABLE, 2)]
    assert "not read offline" in scan.issues[0].message
    assert scan.hash_mode_files == {req.resolve()}


def test_require_hashes_flags_every_unhashed_line_and_editables(tmp_path: Path) -> None:
    from pytest_apiposture.audit import AuditSettings, run_audit

    _write(tmp_path, "requirements.txt", "--require-hashes\n-e ./local\nflask==3.0.3\n")
    result = run_audit(AuditSettings(root=tmp_path, include_installed=False))
    hashes = {(f.path, f.location.line) for f in result.findings if f.code == "APS003"}  # type: ignore[union-attr]
    assert hashes == {("deps/./local", 2), ("deps/flask", 3)}
    editable = next(f for f in result.findings if f.code == "APS003" and f.location.line == 2)  # type: ignore[union-attr]
    assert "an editable requirement cannot be hash-checked" in editable.message
