"""Is the audited project an application or a library?

Libraries declare ranges on purpose (their users resolve them); applications deploy one
resolved set, so an unpinned or open-ended requirement there means the next deploy may
pull something nobody tested. The first signal that applies decides:

1. ``AuditSettings.application`` set by the caller wins, with the caller's reason
   (``AuditSettings.application_reason``: the pipeline says which app is under test;
   "set by configuration" only when the caller gives none).
2. The project says it is not a package: ``[tool.poetry] package-mode = false`` or
   ``[tool.uv] package = false``  -> application.
3. A buildable, published package: ``[project]`` (or ``[tool.poetry]``) with a
   ``[build-system]`` backend *and* trove classifiers  -> library, even with a lock
   file (libraries commit locks for their own development).
4. A lock file (``poetry.lock``, ``uv.lock``, ``pdm.lock``, ``pylock*.toml``,
   ``Pipfile.lock``, or a workspace root's lock above the project)  -> application.
5. A buildable package (``[project]``/``[tool.poetry]`` with a build backend)  -> library.
6. ``requirements*.txt`` files, ``[project]`` without a build backend (uv's app layout),
   or nothing at all  -> application: the stricter checks apply when in doubt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProjectKind:
    application: bool
    reason: str

    @property
    def label(self) -> str:
        return "application" if self.application else "library"


def _table(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def detect_project_kind(
    pyproject: dict[str, Any],
    has_lock: bool,
    has_requirements: bool,
    override: bool | None = None,
    override_reason: str | None = None,
) -> ProjectKind:
    if override is not None:
        return ProjectKind(override, override_reason or "set by configuration")
    poetry = _table(pyproject, "tool", "poetry")
    if poetry.get("package-mode") is False:
        return ProjectKind(True, "[tool.poetry] package-mode = false")
    if _table(pyproject, "tool", "uv").get("package") is False:
        return ProjectKind(True, "[tool.uv] package = false")
    project = _table(pyproject, "project")
    declared = bool(project) or bool(poetry.get("name"))
    backend = _table(pyproject, "build-system").get("build-backend")
    classifiers = project.get("classifiers") or poetry.get("classifiers")
    if declared and backend and classifiers:
        return ProjectKind(False, f"published package (build backend {backend}, classifiers)")
    if has_lock:
        return ProjectKind(True, "lock file present")
    if declared and backend:
        return ProjectKind(False, f"package with build backend {backend}")
    if has_requirements:
        return ProjectKind(True, "requirements files, no package metadata")
    if declared:
        return ProjectKind(True, "[project] without a build backend")
    return ProjectKind(True, "no package metadata")
