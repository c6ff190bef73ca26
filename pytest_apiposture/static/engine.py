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
parsing is most of the pass's cost. The units themselves are ``units``.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..knowledge import Knowledge
from ..model import Finding, Guard, GuardRole, Route
from ..rules.base import Rule, RuleContext
from .auth import with_role
from .cache import (
    ROLES,
    VALUE_OF,
    StaticCache,
    decode_findings,
    encode_finding,
    tool_key,
)
from .project_files import project_files_for
from .run import RunCache, RunFingerprint, run_fingerprint
from .source import SourceIndex
from .units import AuthClass, decode_auth, encode_auth, file_unit, route_values, unit_files

__all__ = ["AnalysisResult", "analyse", "project_files_for"]

_new, _set = object.__new__, object.__setattr__
_GUARDS, _STATE = attrgetter("guards"), attrgetter("__dict__")


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
    values = route_values(routes, publics, base, route_rules, cache, fingerprint)

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
    for path in unit_files(index, project_files, defs):
        lines = tuple(sorted(set(defs.get(path, ()))))
        stored = cache.get(("file", path), lines)
        if stored is None:
            with index.recording() as scope:
                stored = file_unit(path, file_ctx, project_rules)
            cache.put(("file", path), lines, scope.paths, stored)
        try:
            file_findings = decode_findings(stored[0])
        except (IndexError, TypeError, KeyError, ValueError):  # a damaged entry: recompute
            stored = file_unit(path, file_ctx, project_rules)
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
            (tuple(map(VALUE_OF.__getitem__, value[0])), encode_auth(value[1]), static)
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
            (
                tuple([None if r is None else ROLES[r] for r in roles]),
                decode_auth(auth),
                bool(static),
            )
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
    rows: Iterable[tuple[tuple[GuardRole | None, ...], AuthClass, bool]],
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
    deque(map(dict.__setitem__, states, repeat("auth"), (a[0] for a in auths)), maxlen=0)
    deque(map(dict.__setitem__, states, repeat("auth_reason"), (a[1] for a in auths)), maxlen=0)
    for state, static in zip(states, statics, strict=True):
        if static:
            state["origin"] = (*state["origin"], "static")
    final: list[Route] = list(map(_new, map(type, routes)))
    deque(map(_set, final, repeat("__dict__"), states), maxlen=0)
    return final
