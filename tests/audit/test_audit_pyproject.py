"""pyproject.toml ([project], extras, dependency groups, uv, Poetry), the project kind,
and Poetry constraint translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_helpers import FIXTURES, AuditFixture, advisory_keys, finding_keys

from pytest_apiposture.audit.project_kind import detect_project_kind
from pytest_apiposture.audit.pyproject import poetry_specifier, read_pyproject
from pytest_apiposture.model import Severity

PY = "pyproject.toml"


def test_library_pyproject_ranges_are_fine_but_unaudited(
    audit_fixture: AuditFixture,
) -> None:
    result, root = audit_fixture("pyproject_lib")
    assert finding_keys(result.findings, root) == {
        ("APS001", "deps/pyjwt", PY, 11),
        ("APS004", "deps/vendored", PY, 15),
        ("APS006", "deps/reqests", PY, 13),
        ("APS008", "deps/pyproject.toml", PY, 14),  # "cryptography>=41,,"
        ("APS009", "deps/httpx", PY, 10),
        ("APS009", "deps/pydantic", PY, 12),
        ("APS009", "deps/reqests", PY, 13),
        ("APS009", "deps/cryptography", PY, 14),
        ("APS009", "deps/vendored", PY, 15),
        ("APS009", "deps/fastapi", PY, 20),
        ("APS009", "deps/uvicorn", PY, 21),
        ("APS009", "deps/pytest", PY, 25),
        ("APS009", "deps/ruff", PY, 26),
    }  # no APS002: a published library declares ranges on purpose
    assert advisory_keys(result.findings) == {("deps/pyjwt", "PYSEC-2022-202", "2.4.0")}
    assert result.audited == ["pyjwt"]
    assert (
        "project kind: library (published package (build backend hatchling.build, classifiers))"
        in result.notes
    )


def test_the_same_library_forced_to_application_gets_pin_findings(
    audit_fixture: AuditFixture,
) -> None:
    result, root = audit_fixture("pyproject_lib", application=True)
    assert finding_keys(result.findings, root, codes=["APS002"]) == {
        ("APS002", "deps/httpx", PY, 10),
        ("APS002", "deps/pydantic", PY, 12),
        ("APS002", "deps/reqests", PY, 13),
        ("APS002", "deps/fastapi", PY, 20),
        ("APS002", "deps/uvicorn", PY, 21),
        ("APS002", "deps/pytest", PY, 25),
    }
    severities = {f.path: f.severity for f in result.findings if f.code == "APS002"}
    assert severities["deps/uvicorn"] is Severity.MEDIUM  # no constraint at all
    assert severities["deps/pydantic"] is Severity.LOW  # >=2,<3
    assert "project kind: application (set by configuration)" in result.notes


def test_poetry_app_with_lock(audit_fixture: AuditFixture) -> None:
    result, root = audit_fixture("poetry_app")
    assert finding_keys(result.findings, root) == {
        ("APS001", "deps/flask", "poetry.lock", 4),  # only the lock knows flask's version
        ("APS001", "deps/werkzeug", PY, 10),  # werkzeug = "2.2.2" is an exact Poetry pin
        ("APS004", "deps/internal-auth", PY, 12),
        ("APS008", "deps/pyproject.toml", PY, 15),  # pyyaml = "=>6"
        ("APS009", "deps/internal-auth", PY, 12),
        ("APS009", "deps/pytest", PY, 18),
        ("APS009", "deps/pyyaml", PY, 15),
    }  # no APS002: the lock pins every range (flask ^2.2, requests *, gunicorn a || b)
    assert advisory_keys(result.findings) == {
        ("deps/flask", "PYSEC-2023-62", "2.2.5"),
        ("deps/werkzeug", "PYSEC-2023-57", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-58", "2.2.3"),
        ("deps/werkzeug", "PYSEC-2023-221", "2.3.8"),
    }
    assert result.audited == ["flask", "gunicorn", "requests", "werkzeug"]
    assert "project kind: application (lock file present)" in result.notes
    assert (
        "local path dependencies are first-party code and not audited: ../shared-models"
        in result.notes
    )


def test_uv_app_with_lock_and_a_stale_dev_dependency(audit_fixture: AuditFixture) -> None:
    result, root = audit_fixture("uv_app")
    assert finding_keys(result.findings, root) == {
        ("APS001", "deps/starlette", "uv.lock", 26),
        ("APS002", "deps/pytest", PY, 12),  # not in uv.lock, so nothing pins it
        ("APS004", "deps/tenant-sdk", "uv.lock", 34),
        ("APS009", "deps/pytest", PY, 12),
        ("APS009", "deps/tenant-sdk", PY, 8),
    }
    assert advisory_keys(result.findings) == {("deps/starlette", "PYSEC-2023-83", "0.27.0")}
    tenant = next(f for f in result.findings if f.code == "APS004")
    assert tenant.severity is Severity.LOW  # uv.lock records the resolved commit
    assert result.audited == [
        "anyio",
        "python-multipart",
        "starlette",
    ]  # catalog-api is the project


def test_read_pyproject_groups_and_lines() -> None:
    scan, data = read_pyproject(FIXTURES / "pyproject_lib" / PY)
    assert data["project"]["name"] == "shop-api-client"
    assert [(d.name, d.line, d.group, d.version) for d in scan.deps] == [
        ("httpx", 10, "", None),
        ("pyjwt", 11, "", "2.3.0"),
        ("pydantic", 12, "", None),
        ("reqests", 13, "", None),
        ("vendored", 15, "", None),
        ("fastapi", 20, "server", None),
        ("uvicorn", 21, "server", None),
        ("pytest", 25, "test", None),
        ("ruff", 26, "lint", "0.6.9"),
    ]


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", ">=1.2.3,<2"),
        ("^0.2.3", ">=0.2.3,<0.3"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("~1.2.3", ">=1.2.3,<1.3"),
        ("~1", ">=1,<2"),
        ("2.2.2", "==2.2.2"),
        ("=2.2.2", "==2.2.2"),
        ("1.2.*", "==1.2.*"),
        ("*", ""),
        (">=1.2, <2.0", ">=1.2,<2.0"),
        (">= 1.2 < 2", ">=1.2,<2"),
        ("~=3.1", "~=3.1"),
    ],
)
def test_poetry_constraints(constraint: str, expected: str) -> None:
    spec = poetry_specifier(constraint)
    assert spec is not None
    assert str(spec) == str(type(spec)(expected))


def test_poetry_union_and_garbage() -> None:
    assert poetry_specifier("~20.1 || ~21.2") is None
    with pytest.raises(ValueError):
        poetry_specifier("=>6")


@pytest.mark.parametrize(
    ("pyproject", "lock", "reqs", "override", "expected"),
    [
        ({}, False, True, None, (True, "requirements files, no package metadata")),
        ({}, False, False, None, (True, "no package metadata")),
        ({}, False, False, False, (False, "set by configuration")),
        ({"tool": {"poetry": {"name": "x", "package-mode": False}}}, False, False, None,
         (True, "[tool.poetry] package-mode = false")),
        ({"tool": {"uv": {"package": False}}, "project": {"name": "x"}}, False, False, None,
         (True, "[tool.uv] package = false")),
        ({"project": {"name": "x", "classifiers": ["License :: OSI Approved"]},
          "build-system": {"build-backend": "hatchling.build"}}, True, False, None,
         (False, "published package (build backend hatchling.build, classifiers)")),
        ({"project": {"name": "x"}, "build-system": {"build-backend": "hatchling.build"}}, True, False, None,
         (True, "lock file present")),
        ({"project": {"name": "x"}, "build-system": {"build-backend": "hatchling.build"}}, False, True, None,
         (False, "package with build backend hatchling.build")),
        ({"project": {"name": "x"}}, False, False, None, (True, "[project] without a build backend")),
    ],
)  # fmt: skip
def test_project_kind_signals(
    pyproject: dict[str, object],
    lock: bool,
    reqs: bool,
    override: bool | None,
    expected: tuple[bool, str],
) -> None:
    kind = detect_project_kind(pyproject, lock, reqs, override)
    assert (kind.application, kind.reason) == expected


def test_poetry_lines_in_group_tables(tmp_path: Path) -> None:
    (tmp_path / PY).write_text(
        '[tool.poetry]\nname = "svc"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'fastapi = { version = "0.110.0", markers = "python_version >= \'3.8\'" }\n\n'
        '[tool.poetry.group.test.dependencies]\nhttpx = [\n  { version = "0.27.0", python = ">=3.8" },\n]\n',
        encoding="utf-8",
    )
    scan, _ = read_pyproject(tmp_path / PY)
    assert [(d.name, d.line, d.version, d.group, str(d.marker)) for d in scan.deps] == [
        ("fastapi", 6, "0.110.0", "", 'python_version >= "3.8"'),
        ("httpx", 9, "0.27.0", "test", "None"),
    ]
