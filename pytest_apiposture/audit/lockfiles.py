"""Lock files: ``poetry.lock``, ``uv.lock``, ``pdm.lock``, ``pylock.toml`` (PEP 751) and
``Pipfile.lock``.

A lock file gives exact versions (so its packages can be audited) and says where each
package comes from (a VCS checkout or a URL is reported like a direct URL requirement).
Local entries (the project itself, workspace members, path dependencies) are
first-party code and are not audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.utils import canonicalize_name

from .records import Dependency, FileIssue, IssueKind, Scan, Source
from .textloc import TomlError, array_entry_lines, load_toml

LOCK_NAMES = ("poetry.lock", "uv.lock", "pdm.lock", "pylock.toml", "Pipfile.lock")
_PYLOCK = re.compile(r"^pylock\.[^.]+\.toml$")


def is_lock_file(path: Path) -> bool:
    return path.name in LOCK_NAMES or bool(_PYLOCK.match(path.name))


def read_lock(path: Path) -> Scan:
    scan = Scan()
    try:
        if path.name == "Pipfile.lock":
            _pipfile_lock(path, scan)
        else:
            data, lines = load_toml(path)
            reader = {"poetry.lock": _poetry_entry, "pdm.lock": _pdm_entry}.get(
                path.name, _uv_entry
            )
            table = "package"
            if _PYLOCK.match(path.name) or path.name == "pylock.toml":
                reader, table = _pylock_entry, "packages"
            _toml_lock(path, scan, data, lines, table, reader)
    except TomlError as exc:
        message = f"TOML does not parse: {exc}"
        scan.issues.append(FileIssue(IssueKind.UNPARSABLE, path, exc.line, "", message))
    except json.JSONDecodeError as exc:
        message = f"JSON does not parse: {exc.msg}"
        scan.issues.append(FileIssue(IssueKind.UNPARSABLE, path, exc.lineno, "", message))
    except OSError as exc:
        scan.notes.append(
            f"{path}: cannot be read ({exc.strerror or exc}); its packages are unaudited"
        )
        return scan
    scan.files.append(path)
    return scan


_Entry = Callable[[dict[str, Any], Path, int], "Dependency | None"]


def _toml_lock(
    path: Path, scan: Scan, data: dict[str, Any], lines: list[str], table: str, reader: _Entry
) -> None:
    entries = data.get(table)
    if not isinstance(entries, list):
        return
    entry_lines = array_entry_lines(lines, table)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        line = entry_lines[index] if index < len(entry_lines) else 1
        dep = reader(entry, path, line)
        if dep is not None:
            scan.deps.append(dep)


def _lock_dep(
    name: str,
    version: Any,
    path: Path,
    line: int,
    *,
    url: str | None = None,
    local: bool = False,
    marker: Marker | None = None,
    hashes: tuple[str, ...] = (),
    group: str = "",
) -> Dependency:
    canonical = canonicalize_name(name)
    exact = str(version) if isinstance(version, str) and version else None
    text = f"{canonical}=={exact} ({path.name})" if exact else f"{canonical} ({path.name})"
    return Dependency(
        name=canonical,
        source=Source.LOCK,
        file=path,
        line=line,
        text=text,
        version=exact,
        url=url,
        local=local,
        marker=marker,
        hashes=hashes,
        group=group,
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _marker(text: Any) -> Marker | None:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return Marker(text)
    except InvalidMarker:
        return None


def _poetry_entry(entry: dict[str, Any], path: Path, line: int) -> Dependency | None:
    source = _dict(entry.get("source"))
    kind = source.get("type", "")
    url = None
    if kind == "git":
        ref = source.get("resolved_reference") or source.get("reference")
        url = f"git+{source.get('url')}" + (f"@{ref}" if ref else "")
    elif kind == "url":
        url = str(source.get("url"))
    local = kind in ("directory", "file")
    hashes = _file_hashes(entry)
    return _lock_dep(
        entry["name"],
        entry.get("version"),
        path,
        line,
        url=url,
        local=local,
        marker=_marker(entry.get("markers")),
        hashes=hashes,
    )


def _file_hashes(entry: dict[str, Any]) -> tuple[str, ...]:
    """The ``files = [{file, hash}]`` hashes poetry and pdm locks record for a package."""
    files = entry.get("files", [])
    return tuple(str(f["hash"]) for f in files if isinstance(f, dict) and "hash" in f)


def _uv_entry(entry: dict[str, Any], path: Path, line: int) -> Dependency | None:
    source = _dict(entry.get("source"))
    url = None
    if "git" in source:
        url = f"git+{source['git']}"
    elif "url" in source:
        url = str(source["url"])
    local = any(k in source for k in ("editable", "virtual", "directory", "path"))
    return _lock_dep(entry["name"], entry.get("version"), path, line, url=url, local=local)


def _pdm_entry(entry: dict[str, Any], path: Path, line: int) -> Dependency | None:
    url = None
    if entry.get("git"):
        ref = entry.get("revision") or entry.get("ref")
        url = f"git+{entry['git']}" + (f"@{ref}" if ref else "")
    elif entry.get("url"):
        url = str(entry["url"])
    hashes = _file_hashes(entry)
    return _lock_dep(
        entry["name"],
        entry.get("version"),
        path,
        line,
        url=url,
        local=bool(entry.get("path")) or bool(entry.get("editable")),
        marker=_marker(entry.get("marker")),
        hashes=hashes,
    )


def _pylock_entry(entry: dict[str, Any], path: Path, line: int) -> Dependency | None:
    url = None
    vcs = entry.get("vcs")
    archive = entry.get("archive")
    if isinstance(vcs, dict):
        commit = vcs.get("commit-id")
        url = f"{vcs.get('type', 'git')}+{vcs.get('url') or vcs.get('path')}" + (
            f"@{commit}" if commit else ""
        )
    elif isinstance(archive, dict) and archive.get("url"):
        url = str(archive["url"])
    local = "directory" in entry or (isinstance(archive, dict) and not archive.get("url"))
    return _lock_dep(
        entry["name"],
        entry.get("version"),
        path,
        line,
        url=url,
        local=local,
        marker=_marker(entry.get("marker")),
    )


def _pipfile_lock(path: Path, scan: Scan) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    data = json.loads(text)
    lines = text.splitlines()
    if not isinstance(data, dict):
        raise json.JSONDecodeError("top level is not an object", text, 0)
    for section in ("default", "develop"):
        packages = data.get(section)
        if not isinstance(packages, dict):
            continue
        start = next((i for i, ln in enumerate(lines, 1) if f'"{section}"' in ln), 1)
        for name, entry in packages.items():
            if not isinstance(entry, dict):
                continue
            key = f'"{name}":'
            line = next((i for i in range(start, len(lines) + 1) if key in lines[i - 1]), start)
            version = str(entry.get("version", "")).removeprefix("===").removeprefix("==")
            url = None
            if entry.get("git"):
                ref = entry.get("ref")
                url = f"git+{entry['git']}" + (f"@{ref}" if ref else "")
            elif entry.get("file"):
                url = str(entry["file"])
            local = bool(entry.get("path"))
            hashes = tuple(str(h) for h in entry.get("hashes", []) if isinstance(h, str))
            scan.deps.append(
                _lock_dep(
                    name,
                    version or None,
                    path,
                    line,
                    url=url,
                    local=local,
                    marker=_marker(entry.get("markers")),
                    hashes=hashes,
                    group=section,
                )
            )
