"""One static pass: classify every route's guards, run every enabled rule, once.

Work is done per route (classification + route rules) and per project file (project
rules). With a cache directory (``staticcache``), the routes whose handlers live in one
file form a cache unit, keyed by the facts of those routes that classification and the
rules read (guard and handler code locations included), and each project file is a
unit keyed by the handler ``def`` lines registered in it; every key also covers the
knowledge, the rules and the code of the static pass. A unit is reused only while
every file it read hashes the same.

A project file is parsed only when a project rule may fire on it (``Rule.may_fire``:
each rule's text filter over the lower-cased source) or it holds a route decorator; on
a real app most files are neither (Prefect: 90 of its 864 files are parsed), and
parsing is most of the pass's cost.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..knowledge import Knowledge
from ..model import Auth, Finding, Guard, GuardRole, Route
from ..rules._decorators import ROUTE_DECORATOR_TEXT, route_decorators
from ..rules.base import Rule, RuleContext
from .auth import classify_route, with_role
from .cache import (
    AUTHS,
    ROLES,
    VALUE_OF,
    StaticCache,
    decode_findings,
    encode_finding,
    tool_key,
)
from .callables import code_owner
from .run import RunCache, RunFingerprint, run_fingerprint
from .source import SourceIndex
from .syntax import filter_text

_new, _set = object.__new__, object.__setattr__
_GUARDS, _STATE = attrgetter("guards"), attrgetter("__dict__")
_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})
# one route's result: (guard roles, auth, findings, handler (file, def line), notes)
RouteValue = tuple[
    tuple[GuardRole | None, ...], Auth, list[Finding], tuple[str, int] | None, tuple[str, ...]
]


@dataclass
class AnalysisResult:
    routes: list[Route]
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)


def analyse(
    routes: Sequence[Route],
    *,
    root: Path,
    knowledge: Knowledge,
    index: SourceIndex,
    rules: Sequence[Rule],
    is_public: Callable[[Route], bool],
    project_files: Sequence[Path] = (),
) -> AnalysisResult:
    """Classify the routes and run route rules per route and project rules per file."""
    # The pass holds every AST it parsed and creates no reference cycles: the cyclic GC
    # would only re-traverse those nodes again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyse(routes, root, knowledge, index, rules, is_public, project_files)
    finally:
        if collecting:
            gc.enable()


def _analyse(
    routes: Sequence[Route],
    root: Path,
    knowledge: Knowledge,
    index: SourceIndex,
    rules: Sequence[Rule],
    is_public: Callable[[Route], bool],
    project_files: Sequence[Path],
) -> AnalysisResult:
    route_rules = [r for r in rules if r.scope == "route"]
    project_rules = [r for r in rules if r.scope == "project"]
    tool = tool_key(knowledge, rules, root)
    publics = [bool(is_public(route)) for route in routes]
    run_cache = RunCache.open(index, tool)
    fingerprint: RunFingerprint | None = None
    if run_cache.enabled:
        files = tuple(str(p) for p in project_files)
        fingerprint = run_fingerprint(routes, publics, index, files)
        stored = run_cache.get(fingerprint.digest)
        if stored is not None:
            result = _replay(routes, stored, index)
            if result is not None:
                return result
    notes_before = len(index.notes)
    cache = StaticCache.open(index, tool)
    base = RuleContext(index=index, knowledge=knowledge, routes=routes, project_files=project_files)
    values = _route_values(routes, publics, base, route_rules, cache, fingerprint)

    findings: list[Finding] = []
    defs: dict[str, list[int]] = {}
    for route_findings, handler_def, notes in (value[2:] for value in values):
        for note in notes:
            index.note(note)
        findings.extend(route_findings)
        if handler_def is not None:
            defs.setdefault(handler_def[0], []).append(handler_def[1])

    file_ctx = replace(base, handler_defs=frozenset((p, n) for p, ns in defs.items() for n in ns))
    static_defs: set[tuple[str, int]] = set()
    for path in _unit_files(index, project_files, defs):
        lines = tuple(sorted(set(defs.get(path, ()))))
        stored = cache.get(("file", path), lines)
        if stored is None:
            with index.recording() as scope:
                stored = _file_unit(path, file_ctx, project_rules)
            cache.put(("file", path), lines, scope.paths, stored)
        try:
            file_findings = decode_findings(stored[0])
        except (IndexError, TypeError, KeyError, ValueError):  # a damaged entry: recompute
            stored = _file_unit(path, file_ctx, project_rules)
            file_findings = decode_findings(stored[0])
        for note in stored[2]:
            index.note(note)
        findings.extend(file_findings)
        static_defs.update((path, line) for line in stored[1])

    cache.save()
    statics = [value[3] in static_defs and "static" not in r.origin
               for r, value in zip(routes, values, strict=True)]  # fmt: skip
    final = _final_routes(
        routes, ((v[0], v[1], static) for v, static in zip(values, statics, strict=True)), index
    )
    if fingerprint is not None:
        rows = tuple(
            (tuple(map(VALUE_OF.__getitem__, value[0])), VALUE_OF[value[1]], static)
            for value, static in zip(values, statics, strict=True)
        )
        encoded = (rows, tuple(encode_finding(f) for f in findings),
                   tuple(index.notes[notes_before:]))  # fmt: skip
        run_cache.save(fingerprint.digest, cache.used, encoded)
    return AnalysisResult(routes=final, findings=findings, notes=list(index.notes))


def _replay(routes: Sequence[Route], stored: Any, index: SourceIndex) -> AnalysisResult | None:
    """The stored whole-run result applied to this run's routes (damaged: None)."""
    try:
        rows, encoded, notes = stored
        if len(rows) != len(routes):
            return None
        findings = decode_findings(encoded)
        members = [
            (tuple([None if r is None else ROLES[r] for r in roles]), AUTHS[auth], bool(static))
            for roles, auth, static in rows
        ]
        final = _final_routes(routes, members, index)
    except (TypeError, ValueError, KeyError, IndexError):
        return None
    for note in notes:
        index.note(str(note))
    return AnalysisResult(routes=final, findings=findings, notes=list(index.notes))


def _final_routes(
    routes: Sequence[Route],
    rows: Iterable[tuple[tuple[GuardRole | None, ...], Auth, bool]],
    index: SourceIndex,
) -> list[Route]:
    """Each route with its guards' roles, its auth and (static: True) the "static" origin;
    one copy per route, and one guard tuple per distinct guards and roles. The copies are
    made without ``__init__`` and, but for the guards, by C-level maps (a warm run's
    replay is mostly this)."""
    roles_column, auths, statics = zip(*rows, strict=True) if routes else ((), (), ())
    shared: dict[tuple[Any, ...], tuple[Guard, ...]] = {}  # guard ids + roles -> copies
    guards_column: list[tuple[Guard, ...]] = []
    for guards, roles in zip(map(_GUARDS, routes), roles_column, strict=True):
        if guards:
            key = (*map(id, guards), *roles)
            copies = shared.get(key)
            if copies is None:
                copies = shared[key] = tuple(
                    [with_role(g, r, index) for g, r in zip(guards, roles, strict=False)]
                )
            guards = copies
        guards_column.append(guards)
    states = list(map(dict.copy, map(_STATE, routes)))
    deque(map(dict.__setitem__, states, repeat("guards"), guards_column), maxlen=0)
    deque(map(dict.__setitem__, states, repeat("auth"), auths), maxlen=0)
    for state, static in zip(states, statics, strict=True):
        if static:
            state["origin"] = (*state["origin"], "static")
    final: list[Route] = list(map(_new, map(type, routes)))
    deque(map(_set, final, repeat("__dict__"), states), maxlen=0)
    return final


def project_files_for(
    routes: Sequence[Route], app_module_file: str | Path | None, root: Path
) -> list[Path]:
    """The .py files of the app's top-level package(s) under root (single modules as is)."""
    root_dir = os.path.abspath(root)
    starts = [str(app_module_file)] if app_module_file else []
    for route in routes:
        code = getattr(code_owner(route.endpoint), "__code__", None) if route.endpoint else None
        if code is not None and not code.co_filename.startswith("<"):
            starts.append(code.co_filename)
    out: set[str] = set()
    packages: set[str] = set()
    for start in dict.fromkeys(os.path.abspath(s) for s in starts):
        if not start.startswith(root_dir + os.sep) or not os.path.isfile(start):
            continue
        package = _top_package(start)
        if package is None:
            out.add(start)
        elif package not in packages:  # walked once, not once per handler file in it
            packages.add(package)
            out.update(_python_files(package))
    return [Path(p) for p in sorted(out)]


# -- route units -----------------------------------------------------------------------------
def _route_values(
    routes: Sequence[Route],
    publics: list[bool],
    base: RuleContext,
    rules: Sequence[Rule],
    cache: StaticCache,
    fingerprint: RunFingerprint | None,
) -> list[RouteValue]:
    """Each route's value, from the cache where its file's unit is still valid (a unit's
    key: the facts of its routes, from the run's fingerprint)."""
    index = base.index
    groups: dict[str, list[int]] = {}
    for number, route in enumerate(routes):
        loc = route.location
        groups.setdefault(loc.file if loc is not None else "", []).append(number)
    values: list[RouteValue | None] = [None] * len(routes)
    missing: dict[str, Any] = {}  # group file -> its key material, for groups to compute
    for file, numbers in groups.items():
        if not cache.enabled or fingerprint is None:
            missing[file] = None
            continue
        key = tuple([fingerprint.route_key(n) for n in numbers])
        stored = cache.get(("routes", file), key)
        if stored is not None and _fill(values, numbers, stored):
            continue
        missing[file] = key
    if not missing:
        return values  # type: ignore[return-value]
    paths: dict[str, set[str]] = {file: set() for file in missing}
    for number, route in enumerate(routes):  # in route order, so notes come in route order
        if values[number] is not None:
            continue
        with index.recording() as scope:
            value = _route_unit(route, base, rules, publics[number])
        values[number] = (*value, tuple(dict.fromkeys(scope.notes)))
        loc = route.location
        paths[loc.file if loc is not None else ""].update(scope.paths)
    for file, key in missing.items():
        if key is not None:
            encoded = tuple(_encode(values[n]) for n in groups[file])
            cache.put(("routes", file), key, paths[file], encoded)
    return values  # type: ignore[return-value]


def _encode(value: RouteValue | None) -> tuple[Any, ...]:
    assert value is not None
    roles, auth, findings, handler_def, notes = value
    return (
        tuple(map(VALUE_OF.__getitem__, roles)),
        VALUE_OF[auth],
        tuple(encode_finding(f) for f in findings),
        handler_def,
        notes,
    )


def _fill(values: list[RouteValue | None], numbers: list[int], stored: Any) -> bool:
    """Decode a stored group into ``values`` (a damaged entry: False, nothing filled)."""
    if not isinstance(stored, tuple) or len(stored) != len(numbers):
        return False
    try:
        decoded = [
            (
                tuple(None if r is None else ROLES[r] for r in roles),
                AUTHS[auth],
                decode_findings(encoded),
                None if handler_def is None else (str(handler_def[0]), int(handler_def[1])),
                tuple(notes),
            )
            for roles, auth, encoded, handler_def, notes in stored
        ]
    except (TypeError, ValueError, KeyError, IndexError):
        return False
    for number, item in zip(numbers, decoded, strict=True):
        values[number] = item
    return True


def _route_unit(
    route: Route, base: RuleContext, rules: Sequence[Rule], public: bool
) -> tuple[tuple[GuardRole | None, ...], Auth, list[Finding], tuple[str, int] | None]:
    index = base.index
    classified = classify_route(
        route, knowledge=base.knowledge, index=index, is_public=lambda _: public
    )
    handler = index.handler(route)
    ctx = RuleContext(
        base.index, base.knowledge, base.routes, base.project_files, classified, handler
    )
    out: list[Finding] = []
    where = route.key
    for rule in rules:
        if rule.applies(classified):
            out.extend(_run(rule, ctx, index, where))
    roles = tuple(g.role for g in classified.guards)
    return roles, classified.auth, out, (handler.path, handler.line) if handler else None


# -- file units ------------------------------------------------------------------------------
def _file_unit(
    path: str, ctx: RuleContext, rules: Sequence[Rule]
) -> tuple[tuple[Any, ...], tuple[int, ...], tuple[str, ...]]:
    """(encoded findings, registered-looking def lines, notes) of the project rules on a file."""
    index = ctx.index
    with index.recording() as scope:
        index.touch(path)  # the text filters read it even when nothing parses it
        data = index.read(path)
        lowered = None if data is None else filter_text(data)
        wanted, may_decorate_routes = list(rules), True
        if lowered is not None:
            wanted = [rule for rule in rules if _may_fire(rule, lowered, ctx, path)]
            may_decorate_routes = ROUTE_DECORATOR_TEXT.search(lowered)
        # a file no rule may fire on, without a route decorator, is never parsed (nor its
        # syntax error noted: no rule would have read it)
        module = index.module(path) if wanted or may_decorate_routes else None
        out: list[Finding] = []
        decorated: list[int] = []
        if module is not None:
            file_ctx = replace(ctx, module=module)
            for rule in wanted:
                out.extend(_run(rule, file_ctx, index, index.display(path)))
            out.sort(key=lambda f: (f.location.line if f.location else 0, f.code))
            decorated = sorted({d.def_line for d in route_decorators(index, module)})
    notes = tuple(dict.fromkeys(scope.notes))
    return tuple(encode_finding(f) for f in out), tuple(decorated), notes


def _may_fire(rule: Rule, lowered: bytes, ctx: RuleContext, path: str) -> bool:
    try:
        return bool(rule.may_fire(lowered, ctx.knowledge))
    except Exception as exc:  # a rule bug must not end the run: the rule looks, and says so
        ctx.index.note(
            f"{rule.code} failed to filter {ctx.index.display(path)}: {type(exc).__name__}: "
            f"{exc} (a bug in the rule)"
        )
        return True


def _run(rule: Rule, ctx: RuleContext, index: SourceIndex, where: str) -> list[Finding]:
    try:
        return list(rule.check(ctx))
    except Exception as exc:  # a rule bug must not end the run
        index.note(
            f"{rule.code} failed on {where}: {type(exc).__name__}: {exc} (a bug in the rule)"
        )
        return []


def _unit_files(
    index: SourceIndex, project_files: Sequence[Path], defs: dict[str, list[int]]
) -> list[str]:
    paths = {os.path.normcase(os.path.abspath(p)) for p in project_files} | set(defs)
    return sorted(p for p in paths if index.under_root(p) and p.endswith(".py"))


# -- project files ---------------------------------------------------------------------------
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
