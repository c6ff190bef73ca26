"""Which files are the project's: the app's packages and the modules it imports.

A handler or the app module inside a regular package (``__init__.py`` up to the top)
brings the whole top package in, as before. A file outside one (a namespace package, a
folder without ``__init__.py``, an app run from its folder) brings itself in; then the
imports of every project file are followed, by a text scan, to modules under the app's
source roots (the folder an import of the module starts from: a handler's folder up as
many levels as its ``__module__`` has dots, the app module's folder): so
``from core import config`` reaches ``core/config.py`` whether or not ``core`` has an
``__init__.py``. Nothing here parses a file; the engine parses only the files a rule may
fire on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..model import Route
from .callables import code_owner

_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})
# ``import a.b, c as d`` / ``from .a.b import (x, y)``: the module part and the names
_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)"
    rb"|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)
_WORD = re.compile(rb"[A-Za-z_][\w.]*")


def project_files_for(
    routes: Sequence[Route], app_module_file: str | Path | None, root: Path
) -> list[Path]:
    """The .py files of the app's top-level package(s) under root (single modules as is),
    and the modules under the app's source roots that project files import."""
    root_dir = os.path.abspath(root)
    starts: list[tuple[str, str]] = [(str(app_module_file), "")] if app_module_file else []
    for route in routes:
        owner = code_owner(route.endpoint) if route.endpoint else None
        code = getattr(owner, "__code__", None)
        if code is not None and not code.co_filename.startswith("<"):
            starts.append((code.co_filename, str(getattr(owner, "__module__", "") or "")))
    out: set[str] = set()
    packages: set[str] = set()
    source_roots: set[str] = set()
    seen_starts: set[tuple[str, str]] = set()
    for raw, module_name in starts:
        start = os.path.abspath(raw)
        if (start, module_name) in seen_starts:
            continue
        seen_starts.add((start, module_name))
        if not _inside(start, root_dir) or not os.path.isfile(start):
            continue
        source_roots.add(_source_root(start, module_name, root_dir))
        _add(start, out, packages, source_roots)
    _follow_imports(out, packages, source_roots, root_dir)
    return [Path(p) for p in sorted(out)]


def _inside(path: str, root_dir: str) -> bool:
    return path.startswith(root_dir + os.sep)


def _source_root(path: str, module_name: str, root_dir: str) -> str:
    """The folder ``module_name`` is imported from (its file's folder when unknown)."""
    directory = os.path.dirname(path)
    parts = module_name.split(".") if module_name and module_name != "__main__" else []
    if parts and os.path.splitext(os.path.basename(path))[0] in (parts[-1], "__init__"):
        up = directory
        for part in reversed(parts[:-1]):
            if os.path.basename(up) != part:
                return directory  # the file is not where its name says: keep its folder
            up = os.path.dirname(up)
        directory = up
    return directory if directory == root_dir or _inside(directory, root_dir) else root_dir


def _add(path: str, out: set[str], packages: set[str], source_roots: set[str]) -> None:
    package = _top_package(path)
    if package is None:
        out.add(path)
    elif package not in packages:  # walked once, not once per handler file in it
        packages.add(package)
        source_roots.add(os.path.dirname(package))
        out.update(_python_files(package))


def _follow_imports(
    out: set[str], packages: set[str], source_roots: set[str], root_dir: str
) -> None:
    queue = sorted(out)
    done: set[str] = set()
    resolver = _Resolver()
    while queue:
        path = queue.pop()
        if path in done:
            continue
        done.add(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if b"import" not in data:
            continue
        for candidate in resolver.imported_files(data, path, source_roots):
            if candidate in out or not _inside(candidate, root_dir):
                continue
            before = set(out)
            _add(candidate, out, packages, source_roots)
            queue.extend(sorted(out - before))


class _Resolver:
    """The files an import statement may name, each name resolved once a run.

    A project imports the same modules from thousands of files (pgAdmin 4: 7,915 files,
    two million ``isfile`` calls when every statement of every file was resolved
    against every source root anew): a resolution is kept per (source roots, module,
    name), and whether a file exists is read from one listing of its folder.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[Any, str, str], tuple[str, ...]] = {}
        self._listings: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._roots: tuple[str, ...] = ()

    def imported_files(self, data: bytes, path: str, source_roots: set[str]) -> Iterator[str]:
        """Files under ``source_roots`` (or beside ``path`` for a relative import) that
        the text's import statements may name: ``a/b.py``, ``a/b/__init__.py``, and for
        ``from a import b`` also ``a/b.py``."""
        if len(self._roots) != len(source_roots):  # roots are only ever added
            self._roots = tuple(sorted(source_roots))
        for module, name in _import_pairs(data):
            dots = len(module) - len(module.lstrip("."))
            where: Any = self._roots
            if dots:
                where = path
                for _ in range(dots):
                    where = os.path.dirname(where)
            key = (where, module[dots:], name)
            found = self._found.get(key)
            if found is None:
                found = self._found[key] = self._resolve(key)
            yield from found

    def _resolve(self, key: tuple[Any, str, str]) -> tuple[str, ...]:
        where, dotted, name = key
        parts = [p for p in dotted.split(".") if p] + ([name] if name else [])
        if not parts:
            return ()
        found = []
        first = (parts[0], parts[0] + ".py")
        for base_dir in (where,) if isinstance(where, str) else where:
            names = self._names(base_dir)
            if first[0] not in names and first[1] not in names:
                continue  # most roots hold no such module: one look-up, no listing below
            stem = os.path.join(base_dir, *parts)
            for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
                if self._isfile(candidate):
                    found.append(candidate)
        return tuple(found)

    def _isfile(self, path: str) -> bool:
        directory, name = os.path.split(path)
        return name in self._files(directory)

    def _names(self, directory: str) -> frozenset[str]:
        """Every entry of ``directory`` (files and folders)."""
        return self._listing(directory)[0]

    def _files(self, directory: str) -> frozenset[str]:
        return self._listing(directory)[1]

    def _listing(self, directory: str) -> tuple[frozenset[str], frozenset[str]]:
        listing = self._listings.get(directory)
        if listing is None:
            try:
                with os.scandir(directory) as entries:
                    found = [(e.name, e.is_file()) for e in entries]
            except OSError:  # no such folder (most candidates), or unreadable
                found = []
            listing = self._listings[directory] = (
                frozenset(name for name, _ in found),
                frozenset(name for name, is_file in found if is_file),
            )
        return listing


def _import_pairs(data: bytes) -> Iterator[tuple[str, str]]:
    """(module, name) of each import statement's modules and imported names; name is
    "" for the module itself."""
    for match in _IMPORT.finditer(data):
        base, names, plain = match.groups()
        if plain is not None:
            for module in plain.split(b","):
                stripped = module.split(b" as ")[0].strip()
                if stripped:
                    yield stripped.decode(errors="replace"), ""
        else:
            module_text = base.decode(errors="replace")
            for word in _WORD.findall(names or b""):
                if word != b"as":
                    yield module_text, word.decode(errors="replace")
            yield module_text, ""


def _top_package(path: str) -> str | None:
    directory = os.path.dirname(path)
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return None
    while os.path.isfile(os.path.join(os.path.dirname(directory), "__init__.py")):
        directory = os.path.dirname(directory)
    return directory


def _python_files(package: str) -> Iterator[str]:
    for directory, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(directory, name)
