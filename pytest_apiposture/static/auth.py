"""Which guards authenticate, which authorize, and how each route treats anonymous callers.

Names are only a hint; the graph decides. A guard with a security scheme whose
``auto_error`` is on rejects anonymous callers by construction. Anything else is
judged by its code (``guardcode.code_facts``): does it read a credential, and does it
deny (401/403, a redirect to a login page) when there is none? Name hints from
``Knowledge`` are used only when there is no code to read (a library, a C extension).

Guards repeat across routes (a router dependency, a decorator), so a guard's role is
worked out once per run per guard callable and its chain.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from ..knowledge import Knowledge
from ..model import Auth, Guard, GuardRole, Route
from .callables import code_owner, marked_public
from .denials import answers_only_not_found
from .follow import callees, guarded_by_call
from .guardcode import Exemption, code_facts, dependency_params, hook_scope, merge_facts
from .purpose import is_entry_point, purpose
from .source import FunctionSource, SourceIndex
from .syntax import words
from .verification import verifies_submitted_secret

__all__ = [
    "classify", "classify_route", "code_facts", "dependency_params", "evolve", "with_role",
]  # fmt: skip
T = TypeVar("T")
_STRONG = frozenset({GuardRole.AUTH, GuardRole.AUTHORIZATION})


def classify(
    routes: Sequence[Route],
    *,
    knowledge: Knowledge,
    index: SourceIndex,
    is_public: Callable[[Route], bool],
) -> list[Route]:
    """New Routes with each guard's ``role`` and the route's ``auth`` set."""
    return [
        classify_route(r, knowledge=knowledge, index=index, is_public=is_public) for r in routes
    ]


def classify_route(
    route: Route,
    *,
    knowledge: Knowledge,
    index: SourceIndex,
    is_public: Callable[[Route], bool],
) -> Route:
    shared = _shared_roles(route.guards, knowledge, index)
    roles = [
        GuardRole.OTHER if exemption is not None and exemption.covers(route) else role
        for role, exemption in shared.judged
    ]
    guards = shared.with_roles(tuple(roles), index)
    auth, reason = auth_verdict(route, set(roles), index, knowledge, is_public(route), guards)
    return evolve(route, guards=guards, auth=auth, auth_reason=reason)


class _SharedRoles:
    """The judged roles of one tuple of guard objects, shared by the routes it guards (a
    router's dependencies, a decorator stack): thousands of routes, hundreds of tuples."""

    __slots__ = ("_copies", "guards", "judged")

    def __init__(
        self, guards: tuple[Guard, ...], judged: list[tuple[GuardRole, Exemption | None]]
    ) -> None:
        self.guards = guards  # held: while this entry lives, no other object takes their ids
        self.judged = judged  # (role, exemption a route may fall under) per guard
        self._copies: dict[tuple[GuardRole, ...], tuple[Guard, ...]] = {}

    def with_roles(self, roles: tuple[GuardRole, ...], index: SourceIndex) -> tuple[Guard, ...]:
        copies = self._copies.get(roles)
        if copies is None:
            copies = self._copies[roles] = tuple(
                with_role(g, role, index) for g, role in zip(self.guards, roles, strict=True)
            )
        return copies


def _shared_roles(
    guards: tuple[Guard, ...], knowledge: Knowledge, index: SourceIndex
) -> _SharedRoles:
    """``guard_role`` for each guard, once per run per tuple of guard objects; a memo hit
    replays the files and notes of every guard's judgement, as the calls themselves would."""
    key = ("guard-roles", knowledge, *map(id, guards))
    return index.memo(
        key, lambda: _SharedRoles(guards, [_judged(g, knowledge, index) for g in guards])
    )


def evolve(obj: T, **changes: Any) -> T:
    """``dataclasses.replace`` for the model's frozen dataclasses (none has a
    ``__post_init__``), without re-running ``__init__``: an analysis rebuilds thousands."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__, **changes)
    return new


def with_role(guard: Guard, role: GuardRole | None, index: SourceIndex) -> Guard:
    """The guard with ``role`` set; one copy per run per guard object and role (adapters
    share a guard object between the routes it guards)."""
    return index.per_object(guard, ("role", role), lambda: evolve(guard, role=role))


def auth_verdict(
    route: Route,
    roles: set[GuardRole | None],
    index: SourceIndex,
    knowledge: Knowledge,
    public: bool,
    guards: Sequence[Guard],
) -> tuple[Auth, str]:
    """The route's auth class and its reason (``guards``: the route's, their roles set).
    A visible guard wins over every default and every purpose; a declaration (config,
    marker) wins over a guarded-but-optional route; a login route's own password check is
    not a guard; a suspicion waits for the probe."""
    handlers = knowledge.library_public_handlers
    if roles & _STRONG or route.handler in knowledge.library_authorizing_handlers:
        return Auth.AUTHENTICATED, _guard_reason(guards, _STRONG, index) or "library view"
    if GuardRole.CONDITIONAL_AUTH in roles:
        guard = next((g for g in guards if g.role is GuardRole.CONDITIONAL_AUTH), None)
        setting = _guard_condition(guard, index, knowledge) if guard is not None else ""
        return (
            Auth.CONDITIONAL,
            f"{setting or 'a setting'} ({_guard_reason(guards, {GuardRole.CONDITIONAL_AUTH}, index)})",
        )
    marked = marked_public(route.endpoint)
    why = purpose(route)
    if public or marked:
        return Auth.PUBLIC, why or "declared public (config or @public marker)"
    if route.handler in handlers or _overrides(route, handlers):  # last: looks the class up
        return Auth.PUBLIC, "a library's login or public view"
    if is_entry_point(why):
        return Auth.PUBLIC, str(why)  # its wrong-password branch refuses a bad login
    handler = index.handler(route)
    if handler is not None:
        facts = code_facts(index, handler, knowledge)
        if facts.inline_auth:
            if facts.condition:
                return Auth.CONDITIONAL, f"{facts.condition} (check in the handler)"
            return Auth.AUTHENTICATED, f"check in the handler at {_where(index, handler)}"
    called = guarded_by_call(index, handler, knowledge) if handler is not None else None
    if called is not None:
        facts = code_facts(index, called, knowledge)
        name = getattr(called.node, "name", "a helper")
        if facts.condition:
            return Auth.CONDITIONAL, f"{facts.condition} ({name}, called by the handler)"
        return Auth.AUTHENTICATED, f"{name} at {_where(index, called)}, called by the handler"
    if why is not None:
        return Auth.PUBLIC, why
    verifies = verifies_submitted_secret(index, handler) if handler is not None else None
    if verifies is not None:  # the credential is the request: an authentication service
        return Auth.PUBLIC, f"{_ENTRY_VERIFIES} ({verifies})"
    if handler is not None and _signed_webhook(route, handler):
        return Auth.PUBLIC, "signed webhook (the handler verifies the sender's signature)"
    if GuardRole.OPTIONAL_AUTH in roles:
        return Auth.OPTIONAL, _guard_reason(guards, {GuardRole.OPTIONAL_AUTH}, index)
    if handler is not None and answers_only_not_found(index, handler):
        return Auth.PUBLIC, "answers only 404"  # a catch-all that says 404 protects nothing
    return Auth.NONE, "no guard rejects anonymous callers"


_ENTRY_VERIFIES = "login entry point: verifies the credential the caller submits"
_WEBHOOK = re.compile(r"(?:^|[/_-])(?:web)?hooks?(?:$|[/_-])", re.IGNORECASE)
_SIGNATURE = re.compile(r"signature|hmac|compare_digest|verify_signature|svix|stripe", re.I)


def _signed_webhook(route: Route, handler: FunctionSource) -> bool:
    """A POST under a webhook path whose handler checks the sender's signature: the
    sender is authenticated by the signature, not by a login."""
    return (
        route.method == "POST"
        and _WEBHOOK.search(route.path) is not None
        and any(_SIGNATURE.search(words(stmt)) for stmt in _statements(handler))
    )


def _statements(handler: FunctionSource) -> list[Any]:
    body = handler.node.body
    return body if isinstance(body, list) else [body]


def _guard_reason(guards: Sequence[Guard], roles: Any, index: SourceIndex) -> str:
    guard = next((g for g in guards if g.role in roles), None)
    if guard is None:
        return ""
    where = guard.location.display(str(index.root)) if guard.location else ""
    return f"guard {guard.name}" + (f" at {where}" if where else "") + f" ({guard.origin})"


def _where(index: SourceIndex, fs: FunctionSource) -> str:
    return f"{index.display(fs.path)}:{fs.line}"


def _guard_condition(guard: Guard, index: SourceIndex, knowledge: Knowledge) -> str:
    for fs in guard_sources(guard, index):
        condition = code_facts(index, fs, knowledge).condition
        if condition:
            return condition
    return ""


def _overrides(route: Route, handlers: frozenset[str]) -> bool:
    """The route's view method overrides one of ``handlers`` in a subclass: the project's
    own login page on a library's (Superset's ``SupersetAuthView(AuthDBView).login``)."""
    module, _, qualname = route.handler.partition(":")
    owner_name, _, method = qualname.rpartition(".")
    owner: Any = sys.modules.get(module)  # (a plain function or a local class: no type)
    for part in owner_name.split("."):
        owner = getattr(owner, part, None)
    if not isinstance(owner, type):
        return False
    return any(f"{k.__module__}:{k.__qualname__}.{method}" in handlers for k in owner.__mro__)


def _judged(
    guard: Guard, knowledge: Knowledge, index: SourceIndex
) -> tuple[GuardRole, Exemption | None]:
    """The guard's role before any route's exemption, and the exemption."""
    public, key = index.per_object(
        guard,
        ("role-key", knowledge),
        lambda: (marked_public(guard.func), ("guard", guard_key(guard, index), knowledge)),
    )
    if public:
        return GuardRole.PUBLIC_MARKER, None
    return index.memo(key, lambda: _judge(guard, knowledge, index))


def guard_key(guard: Guard, index: SourceIndex) -> tuple[Any, ...]:
    """What a guard's role depends on: its facts and the code of everything on its chain."""
    return index.per_object(guard, "guard-key", lambda: _guard_key(guard, index))


def _guard_key(guard: Guard, index: SourceIndex) -> tuple[Any, ...]:
    codes = tuple(index.code_key(f, unwrap=False) for f in (guard.func, *guard.chain) if f)
    return (guard.name, guard.origin, guard.scheme, guard.auto_error, guard.scopes, codes)


def _judge(
    guard: Guard, knowledge: Knowledge, index: SourceIndex
) -> tuple[GuardRole, Exemption | None]:
    if guard.name in knowledge.library_authorization_guards:
        return GuardRole.AUTHORIZATION, None  # a known library guard: its name settles it
    sources = guard_sources(guard, index)
    facts = merge_facts(code_facts(index, fs, knowledge) for fs in sources)
    # a helper's own ``if not token: return None`` does not make the guard optional
    primary = [s for s in sources if s.qualname != "<callee>"]
    passes = any(code_facts(index, fs, knowledge).anonymous_passes for fs in primary)
    if guard.scheme:
        if guard.auto_error or (facts.denies and not passes):
            role = GuardRole.AUTH
        else:
            role = GuardRole.OPTIONAL_AUTH
    elif sources:
        role = GuardRole.AUTH if facts.reads_credential and facts.denies else GuardRole.OTHER
    else:  # no code to read: the name is all we have
        names = _name_parts(guard)
        role = (
            GuardRole.AUTH if any(knowledge.looks_like_auth(n) for n in names) else GuardRole.OTHER
        )
        if role is GuardRole.AUTH and any(knowledge.looks_like_authorization(n) for n in names):
            return GuardRole.AUTHORIZATION, None
    # the guard's own code (not a helper it calls) must switch on the setting
    condition = next(
        (c for c in (code_facts(index, fs, knowledge).condition for fs in primary) if c), ""
    )
    if role is GuardRole.AUTH and condition and not guard.auto_error:
        role = GuardRole.CONDITIONAL_AUTH  # refuses only when a setting says so
    elif role is GuardRole.OTHER and condition and facts.delegates:  # (a condition: code)
        role = GuardRole.CONDITIONAL_AUTH  # hands off to a login guard unless a setting
    if role is GuardRole.AUTH and (guard.scopes or facts.checks_role):
        role = GuardRole.AUTHORIZATION
    return role, _hook_exemption(guard, facts.exemption, primary, knowledge, index)


_APP_HOOKS = frozenset({"before_request", "url_value_preprocessor", "middleware"})


def _hook_exemption(
    guard: Guard,
    exemption: Exemption | None,
    primary: Sequence[FunctionSource],
    knowledge: Knowledge,
    index: SourceIndex,
) -> Exemption | None:
    """What an app-wide hook lets through: the requests it exempts, and (``only``) the
    paths outside the ones it tests before it refuses (a ``/metrics``-only middleware)."""
    if guard.origin not in _APP_HOOKS:
        return None
    only = next((s for s in (hook_scope(index, fs, knowledge) for fs in primary) if s), None)
    if only is None:
        return exemption
    return replace(exemption or Exemption(), only=only)


def guard_sources(guard: Guard, index: SourceIndex) -> list[FunctionSource]:
    """The guard's own code, its chain, and same-project functions they call (2 levels)."""
    found: dict[tuple[str, int], FunctionSource] = {}
    for func in (guard.func, *guard.chain):
        if func is None:
            continue
        source = index.function(func, unwrap=False)
        if source is not None:
            found.setdefault((source.path, source.line), source)
    frontier = list(found.values())
    for _ in range(2):
        called: list[FunctionSource] = []
        for source in frontier:
            for callee in callees(index, source):
                if (callee.path, callee.line) not in found:
                    found[(callee.path, callee.line)] = callee
                    called.append(callee)
        frontier = called
    return list(found.values())


def _name_parts(guard: Guard) -> list[str]:
    names = [p for p in guard.name.replace(":", ".").split(".") if p and p != "<locals>"]
    code = getattr(code_owner(guard.func, unwrap=False), "__code__", None)
    qualname = getattr(code, "co_qualname", "")
    names += [p for p in str(qualname).split(".") if p and p != "<locals>"]
    return names
