"""``pyproject.toml``: ``[project]`` dependencies and extras, PEP 735 dependency groups,
uv's ``dev-dependencies``, PDM's ``[tool.pdm.dev-dependencies]`` groups and the Poetry
tables (main, dev and group dependencies).

Poetry constraints (``^1.2``, ``~1.2``, bare ``1.2.3``) are translated to PEP 440 so one
set of checks applies to every source.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from .records import Dependency, FileIssue, IssueKind, Scan, Source
from .requirements_txt import dependency_from_requirement, exact_version
from .textloc import TomlError, key_line, load_toml, value_line

_POETRY_PART = re.compile(r"(\^|~=|~|===|==|!=|>=|<=|>|<|=)?\s*([0-9A-Za-z.*+!_-]+)")


def read_pyproject(path: Path) -> tuple[Scan, dict[str, Any]]:
    """The dependencies ``path`` declares, and the parsed document ({} when unreadable)."""
    scan = Scan()
    try:
        data, lines = load_toml(path)
    except TomlError as exc:
        message = f"TOML does not parse: {exc}"
        scan.issues.append(FileIssue(IssueKind.UNPARSABLE, path, exc.line, "", message))
        scan.files.append(path)
        return scan, {}
    except OSError as exc:
        scan.notes.append(f"{path}: cannot be read ({exc.strerror or exc})")
        return scan, {}
    scan.files.append(path)
    project = _table(data, "project")
    _pep508_list(scan, path, lines, project.get("dependencies"), ("project", "dependencies"), "")
    for extra, items in _table(project, "optional-dependencies").items():
        where = ("project.optional-dependencies", extra)
        if key_line(lines, *where) is None:
            where = ("project", "optional-dependencies")
        _pep508_list(scan, path, lines, items, where, extra)
    for group, items in _table(data, "dependency-groups").items():
        _pep508_list(scan, path, lines, items, ("dependency-groups", group), group)
    uv = _table(_table(data, "tool"), "uv")
    _pep508_list(
        scan, path, lines, uv.get("dev-dependencies"), ("tool.uv", "dev-dependencies"), "dev"
    )
    pdm_dev = _table(_table(_table(data, "tool"), "pdm"), "dev-dependencies")
    for group, items in pdm_dev.items():
        _pep508_list(scan, path, lines, items, ("tool.pdm.dev-dependencies", group), group)
    poetry = _table(_table(data, "tool"), "poetry")
    _poetry_table(scan, path, lines, _table(poetry, "dependencies"), "tool.poetry.dependencies", "")
    _poetry_table(
        scan, path, lines, _table(poetry, "dev-dependencies"), "tool.poetry.dev-dependencies", "dev"
    )
    for group, body in _table(poetry, "group").items():
        table = f"tool.poetry.group.{group}.dependencies"
        _poetry_table(scan, path, lines, _table(body, "dependencies"), table, group)
    return scan, data


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _pep508_list(
    scan: Scan, path: Path, lines: list[str], items: Any, where: tuple[str, str], group: str
) -> None:
    if not isinstance(items, list):
        return
    cursor = key_line(lines, *where) or 1
    for item in items:
        if not isinstance(item, str):  # {include-group = "..."} in a dependency group
            continue
        line = value_line(lines, item, cursor) or cursor
        cursor = line
        try:
            req = Requirement(item)
        except InvalidRequirement as exc:
            message = f"not a valid requirement ({str(exc).splitlines()[0]})"
            scan.issues.append(FileIssue(IssueKind.UNPARSABLE, path, line, item, message))
            continue
        scan.deps.append(
            dependency_from_requirement(req, Source.PYPROJECT, path, line, item, group)
        )


def _poetry_table(
    scan: Scan, path: Path, lines: list[str], table: dict[str, Any], where: str, group: str
) -> None:
    for raw_name, value in table.items():
        if raw_name.lower() == "python":
            continue
        line = key_line(lines, where, raw_name) or 1
        text = lines[line - 1].strip() if 0 < line <= len(lines) else f"{raw_name} = {value!r}"
        for entry in value if isinstance(value, list) else [value]:
            dep = _poetry_entry(canonicalize_name(raw_name), entry, path, line, text, group)
            if isinstance(dep, str):
                scan.issues.append(FileIssue(IssueKind.UNPARSABLE, path, line, text, dep))
            else:
                scan.deps.append(dep)


def _poetry_entry(
    name: str, value: Any, path: Path, line: int, text: str, group: str
) -> Dependency | str:
    """A record, or an error message for a value that does not parse."""
    if isinstance(value, str):
        value = {"version": value}
    if not isinstance(value, dict):
        return f"Poetry dependency {name} has an unexpected value"
    base = Dependency(
        name=name, source=Source.PYPROJECT, file=path, line=line, text=text, group=group
    )
    if isinstance(value.get("markers"), str):
        try:
            base = replace(base, marker=Marker(value["markers"]))
        except InvalidMarker:
            return f"Poetry dependency {name} has a marker that does not parse"
    if "git" in value:
        ref = value.get("rev") or value.get("tag") or value.get("branch")
        return replace(base, url=f"git+{value['git']}" + (f"@{ref}" if ref else ""))
    if "url" in value:
        return replace(base, url=str(value["url"]))
    if "path" in value or "file" in value:
        return replace(base, url=str(value.get("path") or value.get("file")), local=True)
    try:
        specifier = poetry_specifier(str(value.get("version", "*")))
    except (InvalidSpecifier, ValueError):
        return f"Poetry constraint {value.get('version')!r} of {name} does not parse"
    if specifier is None:
        return base
    version = exact_version(Requirement(f"{name}{specifier}"))
    return replace(base, specifier=specifier, version=version)


def poetry_specifier(constraint: str) -> SpecifierSet | None:
    """PEP 440 form of a Poetry constraint; None for ``||`` unions (not one range)."""
    constraint = constraint.strip()
    if "||" in constraint or "|" in constraint:
        return None
    if constraint in ("", "*"):
        return SpecifierSet("")
    specs: list[str] = []
    position = 0
    text = constraint.replace(",", " ")
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        match = _POETRY_PART.match(text, position)
        if not match or match.end() == position:
            raise ValueError(constraint)
        specs.extend(_poetry_part(match.group(1) or "", match.group(2)))
        position = match.end()
    return SpecifierSet(",".join(specs))


def _poetry_part(op: str, version: str) -> list[str]:
    if version == "*":
        return []
    if op in ("", "="):
        return [f"=={version}"]
    if op not in ("^", "~"):
        return [f"{op}{version}"]
    parts = [int(p) for p in re.findall(r"\d+", version.split("-")[0])[:3]] or [0]
    if op == "~":
        index = min(len(parts) - 1, 1)
    else:  # caret: bump the first non-zero component (or the last given one)
        index = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
    upper = [*parts[:index], parts[index] + 1]
    return [f">={version}", f"<{'.'.join(str(p) for p in upper)}"]
