"""Which guards authenticate, which authorize, and how each route treats anonymous callers.

Names are only a hint; the graph decides. A guard with a security scheme whose
``auto_error`` is on rejects anonymous callers by construction. Anything else is
judged by its code: does it read a credential, and does it deny (401/403, a
redirect to a login page) when there is none? Name hints from ``Knowledge`` are
used only when there is no code to read (a library, a C extension).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .knowledge import Knowledge
from .model import Auth, Guard, GuardRole, Route
from .source import (
    UNKNOWN,
    FunctionSource,
    ModuleSource,
    SourceIndex,
    call_name,
    code_owner,
    dotted,
)

T = TypeVar("T")
CREDENTIAL_RE = re.compile(
    r"authori[sz]ation|api[-_]?key|token|session|bearer|credential|jwt|current_user|"
    r"is_authenticated|identity|cookie|password|login_manager|g\.user",
    re.IGNORECASE,
)
ROLE_RE = re.compile(r"role|admin|superuser|staff|permission|privilege|group", re.IGNORECASE)
DENY_EXCEPTION_RE = re.compile(
    r"unauthori[sz]ed|forbidden|notauthenticated|permissiondenied|authenticationfailed|"
    r"autherror|authenticationerror|unauthenticated|accessdenied|notauthorized|"
    r"invalidtoken|invalidcredentials",
    re.IGNORECASE,
)
_STATUS_NAMES = {"UNAUTHORIZED": 401, "FORBIDDEN": 403}
_STATUS_ATTR_RE = re.compile(r"HTTP_(\d{3})")
_DENY = frozenset({401, 403})
# every denial deny_status recognises contains one of these words (a cheap pre-test)
_MAY_DENY = re.compile(r"raise|abort|40[13]|unauthori[sz]ed|forbidden|redirect", re.IGNORECASE)
_RESPONSES = re.compile(r"response|make_response|jsonify", re.IGNORECASE)


@dataclass(frozen=True)
class Exemption:
    """Requests a ``before_request`` hook lets through before it checks credentials."""

    endpoints: frozenset[str] = frozenset()
    paths: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()  # ``getattr(view, "is_public", False)`` markers

    def covers(self, route: Route) -> bool:
        raw = route.raw
        endpoint = getattr(raw, "endpoint", None)
        paths = {route.path, str(getattr(raw, "rule", route.path))}
        view = route.endpoint
        return (
            (endpoint is not None and endpoint in self.endpoints)
            or bool(paths & self.paths)
            or any(p.startswith(prefix) for p in paths for prefix in self.prefixes)
            or any(bool(getattr(view, attr, False)) for attr in self.attributes)
        )


@dataclass(frozen=True)
class CodeFacts:
    """What a guard's (or handler's) code does about credentials."""

    denies: bool = False  # raises/aborts/returns 401/403 or redirects to a login page
    reads_credential: bool = False
    checks_role: bool = False  # a role/permission test next to a deny
    anonymous_passes: bool = False  # ``if not token: return None``
    inline_auth: bool = False  # an ``if`` on a credential whose body denies
    exemption: Exemption | None = None


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
    roles = [guard_role(g, route, knowledge, index) for g in route.guards]
    guards = tuple(evolve(g, role=role) for g, role in zip(route.guards, roles, strict=True))
    auth = _auth(route, set(roles), index, is_public)
    return evolve(route, guards=guards, auth=auth)


def evolve(obj: T, **changes: Any) -> T:
    """``dataclasses.replace`` for the model's frozen dataclasses (none has a
    ``__post_init__``), without re-running ``__init__``: an analysis rebuilds thousands."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__, **changes)
    return new


def route_auth(route: Route, *, index: SourceIndex, is_public: Callable[[Route], bool]) -> Auth:
    """The route's ``Auth`` from its already classified guards."""
    return _auth(route, {g.role for g in route.guards}, index, is_public)


def _auth(
    route: Route,
    roles: set[GuardRole | None],
    index: SourceIndex,
    is_public: Callable[[Route], bool],
) -> Auth:
    if is_public(route) or _marked_public(route.endpoint):
        return Auth.PUBLIC
    if roles & {GuardRole.AUTH, GuardRole.AUTHORIZATION}:
        return Auth.AUTHENTICATED
    handler = index.handler(route)
    if handler is not None and code_facts(index, handler).inline_auth:
        return Auth.AUTHENTICATED
    if GuardRole.OPTIONAL_AUTH in roles:
        return Auth.OPTIONAL
    return Auth.NONE


def guard_role(guard: Guard, route: Route, knowledge: Knowledge, index: SourceIndex) -> GuardRole:
    if _marked_public(guard.func):
        return GuardRole.PUBLIC_MARKER
    role, exemption = index.memo(
        ("guard", guard_key(guard, index), knowledge), lambda: _judge(guard, knowledge, index)
    )
    if exemption is not None and exemption.covers(route):
        return GuardRole.OTHER  # the hook lets this endpoint through
    return role


def guard_key(guard: Guard, index: SourceIndex) -> tuple[Any, ...]:
    """What a guard's role depends on: its facts and the code of everything on its chain."""
    codes = tuple(index.code_key(f, unwrap=False) for f in (guard.func, *guard.chain) if f)
    return (guard.name, guard.origin, guard.scheme, guard.auto_error, guard.scopes, codes)


def _judge(
    guard: Guard, knowledge: Knowledge, index: SourceIndex
) -> tuple[GuardRole, Exemption | None]:
    sources = guard_sources(guard, index)
    facts = merge_facts(code_facts(index, fs) for fs in sources)
    # a helper's own ``if not token: return None`` does not make the guard optional
    primary = [s for s in sources if s.qualname != "<callee>"]
    passes = any(code_facts(index, fs).anonymous_passes for fs in primary)
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
    if role is GuardRole.AUTH and (guard.scopes or facts.checks_role):
        role = GuardRole.AUTHORIZATION
    exemption = facts.exemption if guard.origin == "before_request" else None
    return role, exemption


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


def callees(index: SourceIndex, source: FunctionSource) -> list[FunctionSource]:
    """Functions under root that ``source`` calls by name."""
    out: list[FunctionSource] = []
    for node in source.all_nodes:
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        if not name or name.split(".")[0] in source.params:
            continue
        found = index.resolve(source.module, name)
        if found is not None and found.kind == "function":
            assert isinstance(found.node, ast.FunctionDef | ast.AsyncFunctionDef)
            out.append(FunctionSource(found.module, found.node, "<callee>"))
    return out


def code_facts(index: SourceIndex, fs: FunctionSource) -> CodeFacts:
    """Credential reads, denials and role checks in one function (nested defs included)."""
    return index.memo(("code", fs.path, fs.line), lambda: _code_facts(index, fs))


def _code_facts(index: SourceIndex, fs: FunctionSource) -> CodeFacts:
    if fs.is_lambda or not _MAY_DENY.search(fs.text):
        return CodeFacts()  # nothing can deny, so nothing else here matters
    injected = set(dependency_params(index, fs))
    denies = reads = checks_role = passes = inline = False
    for node in fs.all_nodes:
        if isinstance(node, ast.Raise | ast.Call | ast.Return) and deny_status(index, fs, node):
            denies = True
        elif isinstance(node, ast.Name | ast.Attribute | ast.Constant | ast.arg) and not reads:
            reads = _mentions_credential(node, injected)
    for node in fs.all_nodes:
        if not isinstance(node, ast.If):
            continue
        body_denies = any(_denies(index, fs, n) for n in _walk_stmts(node.body))
        test_text = _words(node.test)
        credential = bool(CREDENTIAL_RE.search(test_text)) or bool(
            injected & set(test_text.split())
        )
        if body_denies and ROLE_RE.search(test_text):
            checks_role = True
        if (
            credential
            and body_denies
            and (_is_missing_test(node.test) or _deny_401(index, fs, node))
        ):
            inline = True
        if credential and _is_missing_test(node.test) and not body_denies and _returns(node.body):
            passes = True
    if denies and not checks_role:  # ``if user.role == "admin": return user`` ... ``raise 403``
        checks_role = any(
            isinstance(n, ast.If) and bool(ROLE_RE.search(_words(n.test))) for n in fs.all_nodes
        )
    exemption = _exemption(index, fs) if denies else None
    return CodeFacts(denies, reads or inline, checks_role, passes, inline, exemption)


def merge_facts(facts: Iterable[CodeFacts]) -> CodeFacts:
    items = list(facts)
    exemptions = [f.exemption for f in items if f.exemption is not None]
    return CodeFacts(
        denies=any(f.denies for f in items),
        reads_credential=any(f.reads_credential for f in items),
        checks_role=any(f.checks_role for f in items),
        anonymous_passes=any(f.anonymous_passes for f in items),
        inline_auth=any(f.inline_auth for f in items),
        exemption=exemptions[0] if exemptions else None,
    )


# -- denials ---------------------------------------------------------------------------
def deny_status(index: SourceIndex, fs: FunctionSource, node: ast.AST) -> int | None:
    """401/403 when ``node`` (a raise, an abort call, a return) refuses the request."""
    if isinstance(node, ast.Raise):
        return _exception_status(index, fs, node.exc)
    if isinstance(node, ast.Call):
        name = call_name(node)
        if name == "abort" and node.args:
            return _deny_or_none(status_value(index, fs.module, node.args[0]))
        if name == "unauthorized":  # flask-login's login_manager.unauthorized()
            return 401
        if name == "redirect" and node.args and "login" in _words(node.args[0]).lower():
            return 401
        return None
    if isinstance(node, ast.Return) and node.value is not None:
        value = node.value
        if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
            return _deny_or_none(status_value(index, fs.module, value.elts[1]))
        if isinstance(value, ast.Call) and _RESPONSES.search(call_name(value)):
            return _response_status(index, fs.module, value)
    return None


def status_value(index: SourceIndex, module: ModuleSource, node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    name = dotted(node)
    if not name:
        return None
    last = name.rsplit(".", 1)[-1]
    if last in _STATUS_NAMES:
        return _STATUS_NAMES[last]
    match = _STATUS_ATTR_RE.match(last)
    if match:
        return int(match.group(1))
    value = index.literal(module, node)
    return value if isinstance(value, int) and value is not UNKNOWN else None


def _exception_status(index: SourceIndex, fs: FunctionSource, exc: ast.expr | None) -> int | None:
    if isinstance(exc, ast.Name) and exc.id in fs.assignments:  # raise credentials_exception
        values = fs.assignments[exc.id]
        return next((s for v in values if (s := _exception_status(index, fs, v))), None)
    if isinstance(exc, ast.Call):
        for keyword in exc.keywords:
            if keyword.arg in {"status_code", "code", "status"}:
                return _deny_or_none(status_value(index, fs.module, keyword.value))
        if exc.args and (status := status_value(index, fs.module, exc.args[0])) in _DENY:
            return status
        exc = exc.func
    name = dotted(exc)
    if not name:
        return None
    last = name.rsplit(".", 1)[-1]
    if DENY_EXCEPTION_RE.search(last):
        return 403 if re.search("forbidden|denied|permission", last, re.IGNORECASE) else 401
    found = index.resolve(fs.module, name)
    if found is not None and found.kind == "class":  # a project exception class
        for sub in ast.walk(found.node):
            status = status_value(index, found.module, sub) if isinstance(sub, ast.expr) else None
            if status in _DENY:
                return status
    return None


def _response_status(index: SourceIndex, module: ModuleSource, call: ast.Call) -> int | None:
    for keyword in call.keywords:
        if keyword.arg in {"status", "status_code"}:
            return _deny_or_none(status_value(index, module, keyword.value))
    if len(call.args) >= 2:
        return _deny_or_none(status_value(index, module, call.args[1]))
    return None


def _deny_or_none(status: int | None) -> int | None:
    return status if status in _DENY else None


def _denies(index: SourceIndex, fs: FunctionSource, node: ast.AST) -> bool:
    return isinstance(node, ast.Raise | ast.Call | ast.Return) and bool(
        deny_status(index, fs, node)
    )


def _deny_401(index: SourceIndex, fs: FunctionSource, node: ast.If) -> bool:
    return any(deny_status(index, fs, n) == 401 for n in _walk_stmts(node.body))


# -- before_request exemptions ---------------------------------------------------------
def _exemption(index: SourceIndex, fs: FunctionSource) -> Exemption | None:
    endpoints: set[str] = set()
    paths: set[str] = set()
    prefixes: list[str] = []
    attributes: list[str] = []
    for node in fs.all_nodes:
        if not isinstance(node, ast.If):
            continue
        body = list(_walk_stmts(node.body))
        if any(_denies(index, fs, n) for n in body):
            negated = True  # ``if request.endpoint not in PUBLIC: abort(401)``
        elif _returns(node.body):
            negated = False  # ``if request.endpoint in PUBLIC: return``
        else:
            continue
        for test in _alternatives(node.test):
            _read_test(index, fs.module, test, negated, endpoints, paths, prefixes, attributes)
    if not (endpoints or paths or prefixes or attributes):
        return None
    return Exemption(frozenset(endpoints), frozenset(paths), tuple(prefixes), tuple(attributes))


def _read_test(
    index: SourceIndex,
    module: ModuleSource,
    test: ast.expr,
    negated: bool,
    endpoints: set[str],
    paths: set[str],
    prefixes: list[str],
    attributes: list[str],
) -> None:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negated = test.operand, not negated
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        subject = dotted(test.left)
        op = test.ops[0]
        wanted = (
            isinstance(op, ast.NotIn | ast.NotEq) if negated else isinstance(op, ast.In | ast.Eq)
        )
        value = index.literal(module, test.comparators[0])
        values = (
            {value}
            if isinstance(value, str)
            else set(value)
            if isinstance(value, tuple | dict)
            else set()
        )
        if wanted and subject.endswith("request.endpoint"):
            endpoints.update(v for v in values if isinstance(v, str))
        elif wanted and subject.endswith("request.path"):
            paths.update(v for v in values if isinstance(v, str))
    elif isinstance(test, ast.Call) and not negated:
        name = dotted(test.func)
        if name.endswith("request.path.startswith") and test.args:
            value = index.literal(module, test.args[0])
            found = (
                (value,) if isinstance(value, str) else value if isinstance(value, tuple) else ()
            )
            prefixes.extend(v for v in found if isinstance(v, str))
        elif name == "getattr" and len(test.args) >= 2:
            attr = index.literal(module, test.args[1])
            if isinstance(attr, str):
                attributes.append(attr)


def _alternatives(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return [t for value in test.values for t in _alternatives(value)]
    return [test]


# -- small AST predicates ----------------------------------------------------------------
def _is_missing_test(test: ast.expr) -> bool:
    """``not x``, ``x is None``, ``x == None``, ``"Authorization" not in request.headers``."""
    if isinstance(test, ast.BoolOp):
        return any(_is_missing_test(v) for v in test.values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return True
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, right = test.ops[0], test.comparators[0]
        if isinstance(op, ast.Is | ast.Eq) and isinstance(right, ast.Constant):
            return right.value is None or right.value == ""
        return isinstance(op, ast.NotIn)
    return False


def _returns(body: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Return) for n in _walk_stmts(body))


def _walk_stmts(body: list[ast.stmt]) -> Iterable[ast.AST]:
    for stmt in body:
        yield from ast.walk(stmt)


def _words(node: ast.AST) -> str:
    """Names, attributes and strings in an expression, space separated."""
    out: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.append(sub.attr)
            if isinstance(sub.value, ast.Name):
                out.append(f"{sub.value.id}.{sub.attr}")
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.append(sub.value)
    return " ".join(out)


def _mentions_credential(node: ast.AST, injected: set[str]) -> bool:
    if isinstance(node, ast.Name):
        text = node.id
    elif isinstance(node, ast.Attribute):
        text = node.attr
        if isinstance(node.value, ast.Name) and f"{node.value.id}.{node.attr}" == "g.user":
            return True
    elif isinstance(node, ast.arg):
        text = node.arg
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 40:
        text = node.value
    else:
        return False
    return text in injected or bool(CREDENTIAL_RE.search(text))


def dependency_params(index: SourceIndex, fs: FunctionSource) -> dict[str, ast.Call]:
    """FastAPI parameters filled by ``Depends``/``Security``: name -> that call.

    Sees ``x = Depends(f)``, ``x: Annotated[T, Depends(f)]`` and aliases such as
    ``CurrentUser = Annotated[User, Depends(get_current_user)]`` defined in another module.
    """
    return index.memo(("dependencies", fs.path, fs.line), lambda: _dependency_params(index, fs))


def _dependency_params(index: SourceIndex, fs: FunctionSource) -> dict[str, ast.Call]:
    out: dict[str, ast.Call] = {}
    for name, (arg, default) in fs.params.items():
        call = _dependency_call(default)
        annotation: ast.AST | None = arg.annotation
        module = fs.module
        for _ in range(4):  # an alias of an alias
            if call is not None or annotation is None:
                break
            if isinstance(annotation, ast.Subscript) and dotted(annotation.value).endswith(
                "Annotated"
            ):
                call = next(
                    (c for c in map(_dependency_call, ast.walk(annotation.slice)) if c), None
                )
                break
            alias = dotted(annotation)
            found = index.resolve(module, alias) if alias else None
            if found is None or found.kind != "assign":
                break
            annotation, module = found.node, found.module
        if isinstance(call, ast.Call):
            out[name] = call
    return out


def _dependency_call(node: ast.AST | None) -> ast.Call | None:
    is_call = isinstance(node, ast.Call) and call_name(node) in {"Depends", "Security"}
    return node if is_call else None  # type: ignore[return-value]


def _name_parts(guard: Guard) -> list[str]:
    names = [p for p in guard.name.replace(":", ".").split(".") if p and p != "<locals>"]
    code = getattr(code_owner(guard.func, unwrap=False), "__code__", None)
    qualname = getattr(code, "co_qualname", "")
    names += [p for p in str(qualname).split(".") if p and p != "<locals>"]
    return names


def _marked_public(func: Any) -> bool:
    for _ in range(16):
        if func is None:
            return False
        if getattr(func, "__apiposture_public__", False):
            return True
        func = getattr(func, "__wrapped__", None)
    return False
