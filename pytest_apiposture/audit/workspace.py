"""Lock files above the project: a workspace root's ``uv.lock``, ``poetry.lock`` or ``pdm.lock``.

A workspace member (``packages/api`` in a uv workspace, say) declares ranges; the lock
that pins them is at the workspace root. From the project root's parent up to the
repository root (the first directory with a ``.git`` entry, included), a lock file is
the project's only when it declares a workspace that includes the project:

- ``uv.lock``: its ``[manifest] members`` name the project, or the directory's
  ``pyproject.toml`` lists it under ``[tool.uv.workspace] members`` (and not ``exclude``);
- any of the three: an entry whose local source (``editable``, ``virtual``,
  ``directory``, ``path``) is the project's directory.

The first such directory is the workspace root and ends the walk. Another project's
lock on the way (the repository root's own ``uv.lock`` when the project is a sample
under it, say) is not the project's and is not read. When the member's own entry is
found in a ``uv.lock``, only its dependency closure is taken from the lock (the other
members' dependencies are theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from .textloc import TomlError, load_toml

WORKSPACE_LOCKS = ("uv.lock", "poetry.lock", "pdm.lock")


@dataclass(frozen=True)
class WorkspaceLock:
    path: Path
    closure: frozenset[str] | None  # the member's dependency closure; None: every entry


def workspace_locks(root: Path, project_name: str) -> list[WorkspaceLock]:
    """The lock files of the workspace that includes ``root`` ([] when there is none)."""
    if (root / ".git").exists():
        return []
    for parent in root.parents:
        found = [
            lock
            for name in WORKSPACE_LOCKS
            if (parent / name).is_file()
            and (lock := _includes(parent / name, root, project_name)) is not None
        ]
        if found:
            return found
        if (parent / ".git").exists():
            return []
    return []


def _includes(path: Path, root: Path, project_name: str) -> WorkspaceLock | None:
    try:
        data, _lines = load_toml(path)
    except (TomlError, OSError):
        return None
    entries = [e for e in data.get("package", []) if isinstance(e, dict)]
    member = next((e for e in entries if _local_path(e, path.parent) == root), None)
    included = member is not None
    if path.name == "uv.lock":
        members = data.get("manifest", {}).get("members", [])
        names = {canonicalize_name(m) for m in members if isinstance(m, str)}
        if project_name and project_name in names:
            included = True
            member = member or next(
                (e for e in entries if canonicalize_name(str(e.get("name"))) == project_name),
                None,
            )
        included = included or _uv_workspace_member(path.parent, root)
    if not included:
        return None
    closure = _closure(entries, member) if path.name == "uv.lock" and member else None
    return WorkspaceLock(path, closure)


def _local_path(entry: dict[str, Any], base: Path) -> Path | None:
    source = entry.get("source")
    candidates: list[Any] = []
    if isinstance(source, dict):  # uv: {editable = "..."}, poetry: {type = "directory", url}
        candidates += [source.get(k) for k in ("editable", "virtual", "directory", "path")]
        if source.get("type") in ("directory", "file"):
            candidates.append(source.get("url"))
    candidates.append(entry.get("path"))  # pdm
    for value in candidates:
        if isinstance(value, str) and value:
            return (base / value).resolve()
    return None


def _uv_workspace_member(workspace: Path, root: Path) -> bool:
    try:
        data, _lines = load_toml(workspace / "pyproject.toml")
    except (TomlError, OSError):
        return False
    table = data.get("tool", {}).get("uv", {}).get("workspace", {})
    if not isinstance(table, dict):
        return False

    def matches(patterns: Any) -> bool:
        if not isinstance(patterns, list):
            return False
        for pattern in patterns:
            try:
                if isinstance(pattern, str) and root in {
                    m.resolve() for m in workspace.glob(pattern)
                }:
                    return True
            except (ValueError, NotImplementedError, OSError):  # "", absolute patterns
                continue
        return False

    return matches(table.get("members")) and not matches(table.get("exclude"))


def _closure(entries: list[dict[str, Any]], member: dict[str, Any]) -> frozenset[str]:
    """Names reachable from ``member`` through ``dependencies``, extras and dev groups."""
    by_name = {canonicalize_name(str(e.get("name"))): e for e in entries}
    seen: set[str] = set()
    todo = [canonicalize_name(str(member.get("name")))]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        entry = by_name.get(name, {})
        lists = [entry.get("dependencies")]
        for key in ("optional-dependencies", "dev-dependencies"):
            groups = entry.get(key)
            if isinstance(groups, dict):
                lists += groups.values()
        for items in lists:
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    todo.append(canonicalize_name(item["name"]))
    return frozenset(seen)
