"""What one function's code does about credentials: reads them, denies, checks roles.

``code_facts`` is what classification (``auth``) and APS501 read: does the code deny
(401/403, a redirect to a login page), does it read a credential, does it check a role,
does it let anonymous callers through, and which requests a ``before_request`` hook
exempts. Word lists come from ``Knowledge``; whether one node refuses the request is
``denials.deny_status``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..knowledge import PAGINATION_TOKEN, Knowledge
from ..model import Route
from . import pathscope
from .conditions import setting_condition
from .denials import deny_status
from .pathscope import PathTest
from .source import FunctionSource, SourceIndex
from .syntax import call_name, dotted, walk, words

# every denial deny_status recognises contains one of these words (a cheap pre-test)
_MAY_DENY = re.compile(
    r"raise|abort|40[13]|unauthori[sz]ed|forbidden|redirect|_required", re.IGNORECASE
)
# "_required": a wrapper that hands off to ``login_required`` when a setting says so
_DENY_WORDS = ("raise", "abort", "401", "403", "unauthorised", "unauthorized", "forbidden",
               "redirect", "_required")  # fmt: skip
_DENIALS = (ast.Raise, ast.Call, ast.Return)
_MENTIONS = (ast.Name, ast.Attribute, ast.Constant, ast.arg)


@dataclass(frozen=True)
class Exemption:
    """Requests an app-wide hook (``before_request``, middleware) lets through before it
    checks credentials; ``only``: the paths it checks at all, when it tests them first."""

    endpoints: frozenset[str] = frozenset()
    paths: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()  # ``getattr(view, "is_public", False)`` markers
    only: PathTest | None = None

    def covers(self, route: Route) -> bool:
        # the hook sees the path as its own app's router spells it (a mounted app's
        # rule has no mount prefix) as well as the OpenAPI-style one
        paths = {route.path, route.rule} if route.rule else {route.path}
        view = route.endpoint
        return (
            (bool(route.endpoint_name) and route.endpoint_name in self.endpoints)
            or bool(paths & self.paths)
            or any(p.startswith(prefix) for p in paths for prefix in self.prefixes)
            or any(bool(getattr(view, attr, False)) for attr in self.attributes)
            or (self.only is not None and not self.only.matches(paths))
        )


def hook_scope(index: SourceIndex, fs: FunctionSource, knowledge: Knowledge) -> PathTest | None:
    """The paths an app-wide hook can refuse, when its code tests the path first
    (``pathscope.scope``): LiteLLM's metrics middleware guards ``/metrics`` only."""
    return pathscope.scope(index, fs, lambda n: _denies(index, fs, n, knowledge))


@dataclass(frozen=True)
class CodeFacts:
    """What a guard's (or handler's) code does about credentials."""

    denies: bool = False  # raises/aborts/returns 401/403 or redirects to a login page
    reads_credential: bool = False
    checks_role: bool = False  # a role/permission test next to a deny
    anonymous_passes: bool = False  # ``if not token: return None``
    inline_auth: bool = False  # an ``if`` on a credential whose body denies
    exemption: Exemption | None = None
    # the setting a denial depends on (``if config.AUTH_ENABLED: ... abort(401)``, an early
    # ``if settings.open: return``): the code decides by configuration, the probe settles it
    condition: str = ""
    delegates: bool = False  # calls a login guard by name (``login_required(f)(...)``)


NO_FACTS = CodeFacts()


def code_facts(index: SourceIndex, fs: FunctionSource, knowledge: Knowledge) -> CodeFacts:
    """Credential reads, denials and role checks in one function (nested defs included)."""
    if not _may_deny(fs.text):  # (a lambda is read too: ``lambda: abort(401) if ...``)
        return NO_FACTS  # nothing can deny, so nothing else here matters
    return index.memo(
        ("code", fs.path, fs.line, knowledge), lambda: _code_facts(index, fs, knowledge)
    )


def _may_deny(text: str) -> bool:
    """``_MAY_DENY.search(text)``; on ASCII text (nearly always) plain substring tests on
    the lowered text, which give the same answer several times faster."""
    if not text.isascii():
        return _MAY_DENY.search(text) is not None  # Unicode case folding: the regex decides
    lowered = text.lower()
    return any(word in lowered for word in _DENY_WORDS)


def _code_facts(index: SourceIndex, fs: FunctionSource, knowledge: Knowledge) -> CodeFacts:
    credential_re, role_re = knowledge.credential_re, knowledge.role_re
    injected = set(dependency_params(index, fs))
    denies = reads = checks_role = passes = inline = False
    nodes = fs.all_nodes
    for node in nodes:
        if isinstance(node, _DENIALS) and deny_status(index, fs, node, knowledge):
            denies = True
        elif isinstance(node, ast.Assign) and _status_401(node):
            denies = True  # ``status = 401`` ... ``return error_callback(status)``
        elif not reads and isinstance(node, _MENTIONS):
            reads = _mentions_credential(node, injected, credential_re)
    # in source order: the condition named is the first setting the code switches on
    ifs = sorted((n for n in nodes if isinstance(n, ast.If)), key=lambda n: n.lineno)
    # ``user = _get_cookie_user(request)`` / ``await self._authenticate(request)``: the
    # variable holds the caller's identity, so ``if user is None: raise 401`` is a guard
    injected = injected | _identity_vars(nodes, knowledge)
    delegates = any(
        knowledge.looks_like_auth(call_name(n))  # (no name looks like nothing)
        for n in nodes
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name | ast.Attribute)
    )
    condition = ""
    # a switch is a statement of a function body (the guard's, or its wrapper's): an ``if``
    # deep inside a try or a loop is the code's business, not a configuration switch
    switches = {
        id(stmt)
        for n in (fs.node, *nodes)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        for stmt in n.body
        if isinstance(stmt, ast.If)
    }
    for node in ifs:
        body_denies = any(_denies(index, fs, n, knowledge) for n in _walk_stmts(node.body))
        # a submitted password is checked, not the caller's credential: a login's own
        # ``if user is None or not user.check_password(...)`` refuses a bad login
        test_text = PAGINATION_TOKEN.sub(" ", _SUBMITTED_SECRET.sub(" ", words(node.test)))
        credential = bool(credential_re.search(test_text)) or bool(
            injected & set(test_text.split())
        )
        if not condition and id(node) in switches and (body_denies or denies or delegates):
            condition = setting_condition(node, body_denies or _delegating(node, knowledge))
        if (
            credential
            and body_denies
            and (_is_missing_test(node.test) or _deny_401(index, fs, node, knowledge))
        ):
            inline = True
        if credential and _is_missing_test(node.test) and not body_denies and _returns(node.body):
            passes = True
    if denies:  # ``if user.role == "admin": return user`` ... ``raise 403``; or in the if's body
        checks_role = any(role_re.search(words(n.test)) for n in ifs)
    # a hook may leave the refusal to a helper it calls: what it lets through still counts
    exemption = _exemption(index, fs, ifs, knowledge)
    return CodeFacts(
        denies, reads or inline, checks_role, passes, inline, exemption, condition, delegates
    )


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
        condition=next((f.condition for f in items if f.condition), ""),
        delegates=any(f.delegates for f in items),
    )


_SUBMITTED_SECRET = re.compile(r"\S*pass(?:word|wd)\S*", re.IGNORECASE)


def _status_401(node: ast.Assign) -> bool:
    value = node.value
    return (
        isinstance(value, ast.Constant)
        and value.value in (401, 403)
        and any(isinstance(t, ast.Name) and "status" in t.id.lower() for t in node.targets)
    )


def _identity_vars(nodes: Iterable[ast.AST], knowledge: Knowledge) -> set[str]:
    """Names assigned from a call that reads the caller's credential by its name (not one
    that checks a submitted password: a login's ``authenticate(name, password)``)."""
    out: set[str] = set()
    for node in nodes:
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if not isinstance(value, ast.Call):
            continue
        name = PAGINATION_TOKEN.sub("", call_name(value))
        if not name or not (
            knowledge.credential_re.search(name) or knowledge.looks_like_auth(name)
        ):
            continue
        if any(_SUBMITTED_SECRET.search(words(a)) for a in (*value.args, *value.keywords)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        out.update(t.id for t in targets if isinstance(t, ast.Name))
    return out


def _delegating(node: ast.If, knowledge: Knowledge) -> bool:
    return any(
        isinstance(n, ast.Call) and knowledge.looks_like_auth(call_name(n))
        for n in _walk_stmts(node.body) + _walk_stmts(node.orelse)
    )


def _denies(index: SourceIndex, fs: FunctionSource, node: ast.AST, knowledge: Knowledge) -> bool:
    return isinstance(node, _DENIALS) and bool(deny_status(index, fs, node, knowledge))


def _deny_401(index: SourceIndex, fs: FunctionSource, node: ast.If, knowledge: Knowledge) -> bool:
    return any(deny_status(index, fs, n, knowledge) == 401 for n in _walk_stmts(node.body))


# -- before_request exemptions ---------------------------------------------------------
def _exemption(
    index: SourceIndex, fs: FunctionSource, ifs: list[ast.If], knowledge: Knowledge
) -> Exemption | None:
    endpoints: set[str] = set()
    paths: set[str] = set()
    prefixes: list[str] = []
    attributes: list[str] = []
    for node in ifs:
        body = _walk_stmts(node.body)
        if any(_denies(index, fs, n, knowledge) for n in body):
            negated = True  # ``if request.endpoint not in PUBLIC: abort(401)``
        elif _returns(node.body):
            negated = False  # ``if request.endpoint in PUBLIC: return``
        else:
            continue
        for test in _alternatives(node.test):
            _read_test(index, fs, test, negated, endpoints, paths, prefixes, attributes)
    if not (endpoints or paths or prefixes or attributes):
        return None
    return Exemption(frozenset(endpoints), frozenset(paths), tuple(prefixes), tuple(attributes))


def _read_test(
    index: SourceIndex,
    fs: FunctionSource,
    test: ast.expr,
    negated: bool,
    endpoints: set[str],
    paths: set[str],
    prefixes: list[str],
    attributes: list[str],
) -> None:
    found = pathscope.path_test(index, fs, test)
    if found is not None:  # the hook lets these paths through
        tested, holds = found
        if holds != negated:
            paths.update(tested.paths)
            prefixes.extend(tested.prefixes)
        return
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negated = test.operand, not negated
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op = test.ops[0]
        wanted = (
            isinstance(op, ast.NotIn | ast.NotEq) if negated else isinstance(op, ast.In | ast.Eq)
        )
        value = index.literal(fs.module, test.comparators[0])
        values = (
            {value}
            if isinstance(value, str)
            else set(value)
            if isinstance(value, tuple | dict)
            else set()
        )
        if wanted and dotted(test.left).endswith("request.endpoint"):
            endpoints.update(v for v in values if isinstance(v, str))
    elif (
        isinstance(test, ast.Call)
        and not negated
        and dotted(test.func) == "getattr"
        and len(test.args) >= 2
    ):
        attr = index.literal(fs.module, test.args[1])
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
    if isinstance(test, ast.Compare):  # a chain holds only if its first link does
        op, right = test.ops[0], test.comparators[0]
        if isinstance(op, ast.Is | ast.Eq) and isinstance(right, ast.Constant):
            return right.value is None or right.value == ""
        return isinstance(op, ast.NotIn)
    return False


def _returns(body: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Return) for n in _walk_stmts(body))


def _walk_stmts(body: list[ast.stmt]) -> list[ast.AST]:
    return [n for stmt in body for n in walk(stmt)]


def _mentions_credential(node: ast.AST, injected: set[str], credential_re: re.Pattern[str]) -> bool:
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
    return text in injected or bool(credential_re.search(PAGINATION_TOKEN.sub("", text)))


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
                call = next((c for c in map(_dependency_call, walk(annotation.slice)) if c), None)
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
