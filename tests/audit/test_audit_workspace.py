"""The project's locks above it: a workspace root's ``uv.lock``/``poetry.lock``/``pdm.lock``
pins a member's ranges; another project's lock on the way, or one above the repository
root, is not the member's. Also ``pdm.lock`` and PDM's dev-dependency groups."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import finding_keys

from pytest_apiposture.audit import AuditSettings, run_audit
from pytest_apiposture.model import Severity

UV_WORKSPACE_LOCK = """\
version = 1
requires-python = ">=3.10"

[manifest]
members = ["api", "worker"]

[[package]]
name = "api"
version = "0.1.0"
source = { editable = "packages/api" }
dependencies = [
    { name = "starlette" },
]

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "starlette"
version = "0.26.1"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "anyio" },
]

[[package]]
name = "urllib3"
version = "1.26.17"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "worker"
version = "0.1.0"
source = { editable = "packages/worker" }
dependencies = [
    { name = "urllib3" },
]
"""

MEMBER = '[project]\nname = "api"\nversion = "0.1.0"\ndependencies = ["starlette>=0.26"]\n'


def _line(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _audit(root: Path) -> list[tuple[str, str, str, int]]:
    result = run_audit(AuditSettings(root=root, include_installed=False))
    return sorted(
        (f.code, f.path, Path(f.location.file).name, f.location.line)  # type: ignore[union-attr]
        for f in result.findings
    )


def test_uv_workspace_root_lock_pins_the_members_ranges(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    lock = _write(tmp_path / "uv.lock", UV_WORKSPACE_LOCK)
    member = tmp_path / "packages" / "api"
    _write(member / "pyproject.toml", MEMBER)
    result = run_audit(AuditSettings(root=member, include_installed=False))
    starlette = _line(lock, 'name = "starlette"')
    # must flag: the locked starlette 0.26.1 (PYSEC-2023-83), at its lock line;
    # must not flag: APS002 on the range (the workspace lock pins it), urllib3 1.26.17 (the
    # other member's, vulnerable); anyio (transitive) is audited by its locked version
    assert sorted(
        (f.code, f.path, Path(f.location.file).name, f.location.line, f.severity)  # type: ignore[union-attr]
        for f in result.findings
    ) == [("APS001", "deps/starlette", "uv.lock", starlette, Severity.HIGH)]
    assert result.audited == ["anyio", "starlette"]
    assert lock.resolve() in result.sources
    assert "project kind: application (lock file present)" in result.notes


def test_uv_workspace_found_by_the_root_pyproject_members(tmp_path: Path) -> None:
    """No [manifest] in the lock: the root's [tool.uv.workspace] members glob decides."""
    (tmp_path / ".git").mkdir()
    text = UV_WORKSPACE_LOCK.replace('[manifest]\nmembers = ["api", "worker"]\n\n', "")
    text = text.replace('source = { editable = "packages/api" }', 'source = { registry = "x" }')
    _write(tmp_path / "uv.lock", text)
    _write(tmp_path / "pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    member = tmp_path / "packages" / "api"
    _write(member / "pyproject.toml", MEMBER)
    codes = {(code, path) for code, path, _file, _line in _audit(member)}
    # the member's own entry is not recognised, so the whole lock applies (urllib3 too)
    assert codes == {("APS001", "deps/starlette"), ("APS001", "deps/urllib3")}
    assert ("APS002", "deps/starlette") not in codes


def test_excluded_member_is_not_in_the_workspace(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    text = UV_WORKSPACE_LOCK.replace('[manifest]\nmembers = ["api", "worker"]\n\n', "")
    text = text.replace('source = { editable = "packages/api" }', 'source = { registry = "x" }')
    _write(tmp_path / "uv.lock", text)
    _write(
        tmp_path / "pyproject.toml",
        '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/api"]\n',
    )
    member = tmp_path / "packages" / "api"
    _write(member / "pyproject.toml", MEMBER)
    assert _audit(member) == [
        ("APS002", "deps/starlette", "pyproject.toml", 4),
        ("APS009", "deps/starlette", "pyproject.toml", 4),
    ]


def test_another_projects_lock_above_is_not_read(tmp_path: Path) -> None:
    """The repository root's own uv.lock (a sample app under a tool's repository, say)."""
    (tmp_path / ".git").mkdir()
    _write(
        tmp_path / "uv.lock",
        'version = 1\n\n[[package]]\nname = "urllib3"\nversion = "1.26.17"\n'
        'source = { registry = "https://pypi.org/simple" }\n',
    )
    member = tmp_path / "sample_apps" / "shop"
    _write(member / "requirements.txt", "starlette>=0.26\n")
    result = run_audit(AuditSettings(root=member, include_installed=False))
    assert sorted(finding_keys(result.findings, member)) == [
        ("APS002", "deps/starlette", "requirements.txt", 1),  # must flag: nothing pins it
        ("APS009", "deps/starlette", "requirements.txt", 1),
    ]
    assert result.sources == [(member / "requirements.txt").resolve()]


def test_the_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    _write(tmp_path / "uv.lock", UV_WORKSPACE_LOCK)  # a workspace lock above the repository
    repo = tmp_path / "packages"
    repo.mkdir()
    (repo / ".git").write_text("gitdir: /elsewhere\n")  # a worktree's .git is a file
    member = repo / "api"
    _write(member / "pyproject.toml", MEMBER)
    assert ("APS002", "deps/starlette", "pyproject.toml", 4) in _audit(member)


def test_the_project_with_its_own_git_does_not_look_up(tmp_path: Path) -> None:
    _write(tmp_path / "uv.lock", UV_WORKSPACE_LOCK)
    member = tmp_path / "packages" / "api"
    (member / ".git").mkdir(parents=True)
    _write(member / "pyproject.toml", MEMBER)
    assert ("APS002", "deps/starlette", "pyproject.toml", 4) in _audit(member)


def test_poetry_lock_with_the_project_as_a_path_dependency(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    lock = _write(
        tmp_path / "poetry.lock",
        '[[package]]\nname = "api"\nversion = "0.1.0"\n\n[package.source]\n'
        'type = "directory"\nurl = "services/api"\n\n'
        '[[package]]\nname = "requests"\nversion = "2.25.0"\n',
    )
    member = tmp_path / "services" / "api"
    _write(member / "requirements.txt", "requests>=2\n")
    assert _audit(member) == [
        ("APS001", "deps/requests", "poetry.lock", _line(lock, 'name = "requests"')),
    ]  # must not flag APS002: the workspace lock pins requests


def test_pdm_lock_with_the_project_as_an_editable_path(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    lock = _write(
        tmp_path / "pdm.lock",
        '[[package]]\nname = "api"\nversion = "0.1.0"\npath = "./apps/api"\neditable = true\n\n'
        '[[package]]\nname = "pyjwt"\nversion = "1.7.1"\n',
    )
    member = tmp_path / "apps" / "api"
    _write(member / "requirements.txt", "pyjwt>=1.7\n")
    assert _audit(member) == [
        ("APS001", "deps/pyjwt", "pdm.lock", _line(lock, 'name = "pyjwt"')),
    ]


def test_pdm_lock_and_dev_groups_of_the_project(tmp_path: Path) -> None:
    pyproject = _write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "svc"\ndependencies = ["flask>=2"]\n\n'
        '[tool.pdm.dev-dependencies]\ntest = [\n    "pytest>=8",\n]\n',
    )
    lock = _write(
        tmp_path / "pdm.lock",
        '[[package]]\nname = "flask"\nversion = "2.2.2"\n\n'
        '[[package]]\nname = "svc"\nversion = "0.1.0"\npath = "."\n\n'
        '[[package]]\nname = "tenant"\nversion = "1.0"\ngit = "https://example.com/t.git"\n'
        'revision = "main"\n',
    )
    result = run_audit(AuditSettings(root=tmp_path, include_installed=False))
    keys = sorted(finding_keys(result.findings, tmp_path))
    assert keys == [
        ("APS001", "deps/flask", "pdm.lock", _line(lock, 'name = "flask"')),
        ("APS002", "deps/pytest", "pyproject.toml", _line(pyproject, '    "pytest>=8",')),
        ("APS004", "deps/tenant", "pdm.lock", _line(lock, 'name = "tenant"')),
        ("APS009", "deps/pytest", "pyproject.toml", _line(pyproject, '    "pytest>=8",')),
        ("APS009", "deps/tenant", "pdm.lock", _line(lock, 'name = "tenant"')),
    ]  # must not flag: svc (the project itself, a local path entry)


def test_odd_workspace_member_patterns_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    text = UV_WORKSPACE_LOCK.replace('[manifest]\nmembers = ["api", "worker"]\n\n', "")
    text = text.replace('source = { editable = "packages/api" }', 'source = { registry = "x" }')
    _write(tmp_path / "uv.lock", text)
    _write(
        tmp_path / "pyproject.toml",
        '[tool.uv.workspace]\nmembers = ["", "/abs/*", 3, "packages/*"]\n',
    )
    member = tmp_path / "packages" / "api"
    _write(member / "pyproject.toml", MEMBER)
    assert ("APS001", "deps/starlette", "uv.lock", 18) in _audit(member)
