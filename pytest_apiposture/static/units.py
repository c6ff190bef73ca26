"""The static pass's units of work, each cached on its own (see ``engine``).

A route unit classifies one route's guards and runs the route rules on it; the routes
whose handlers live in one file are cached together. A file unit runs the project rules
on one project file, parsing it only when a rule's text filter may fire on it or it holds
a route decorator. A rule that raises is noted, never fatal.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..model import Auth, Finding, GuardRole, Route
from ..rules._decorators import ROUTE_DECORATOR_TEXT, route_decorators
from ..rules.base import Rule, RuleContext
from .auth import classify_route
from .cache import AUTHS, ROLES, VALUE_OF, StaticCache, decode_findings, encode_finding
from .run import RunFingerprint
from .source import SourceIndex
from .syntax import filter_text

# a route's auth class and its reason
AuthClass = tuple[Auth, str]
# one route's result: (guard roles, auth, findings, handler (file, def line), notes)
RouteValue = tuple[
    tuple[GuardRole | None, ...], AuthClass, list[Finding], tuple[str, int] | None,
    tuple[str, ...],
]  # fmt: skip


def encode_auth(auth: AuthClass) -> tuple[str, str]:
    return VALUE_OF[auth[0]], auth[1]


def decode_auth(stored: Any) -> AuthClass:
    return AUTHS[stored[0]], str(stored[1])


def route_values(
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
        encode_auth(auth),
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
                decode_auth(auth),
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
) -> tuple[tuple[GuardRole | None, ...], AuthClass, list[Finding], tuple[str, int] | None]:
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
    auth = (classified.auth, classified.auth_reason)
    return roles, auth, out, (handler.path, handler.line) if handler else None


# -- file units ------------------------------------------------------------------------------
def file_unit(
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


def unit_files(
    index: SourceIndex, project_files: Sequence[Path], defs: dict[str, list[int]]
) -> list[str]:
    paths = {os.path.normcase(os.path.abspath(p)) for p in project_files} | set(defs)
    return sorted(p for p in paths if index.under_root(p) and p.endswith(".py"))
