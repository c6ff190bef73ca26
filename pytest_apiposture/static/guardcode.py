"""What one function's code does about credentials: reads them, denies, checks roles.

``code_facts`` is what classification (``auth``) and APS501 read: does the code deny
(401/403, a redirect to a login page), does it read a credential, does it check a role,
does it let anonymous callers through, and which requests a ``before_request`` hook
exempts. Word lists come from ``Knowledge``; status codes are HTTP, not data.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..knowledge import Knowledge
from ..model import Route
from .source import UNKNOWN, FunctionSource, ModuleSource, SourceIndex
from .syntax import call_name, dotted, walk

_STATUS_NAMES = {"UNAUTHORIZED": 401, "FORBIDDEN": 403}
_STATUS_ATTR_RE = re.compile(r"HTTP_(\d{3})")
_DENY = frozenset({401, 403})
_FORBIDDEN_WORDS = re.compile("forbidden|denied|permission", re.IGNORECASE)
# every denial deny_status recognises contains one of these words (a cheap pre-test)
_MAY_DENY = re.compile(r"raise|abort|40[13]|unauthori[sz]ed|forbidden|redirect", re.IGNORECASE)
_DENY_WORDS = ("raise", "abort", "401", "403", "unauthorised", "unauthorized", "forbidden",
               "redirect")  # fmt: skip
_RESPONSES = re.compile(r"response|make_response|jsonify", re.IGNORECASE)
_DENIALS = (ast.Raise, ast.Call, ast.Return)
_MENTIONS = (ast.Name, ast.Attribute, ast.Constant, ast.arg)


@dataclass(frozen=True)
class Exemption:
    """Requests a ``before_request`` hook lets through before it checks credentials."""

    endpoints: frozenset[str] = frozenset()
    paths: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()  # ``getattr(view, "is_public", False)`` markers

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


NO_FACTS = CodeFacts()


def code_facts(index: SourceIndex, fs: FunctionSource, knowledge: Knowledge) -> CodeFacts:
    """Credential reads, denials and role checks in one function (nested defs included)."""
    if fs.is_lambda or not _may_deny(fs.text):
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
        elif not reads and isinstance(node, _MENTIONS):
            reads = _mentions_credential(node, injected, credential_re)
    ifs = [n for n in nodes if isinstance(n, ast.If)]
    for node in ifs:
        body_denies = any(_denies(index, fs, n, knowledge) for n in _walk_stmts(node.body))
        test_text = words(node.test)
        credential = bool(credential_re.search(test_text)) or bool(
            injected & set(test_text.split())
        )
        if body_denies and role_re.search(test_text):
            checks_role = True
        if (
            credential
            and body_denies
            and (_is_missing_test(node.test) or _deny_401(index, fs, node, knowledge))
        ):
            inline = True
        if credential and _is_missing_test(node.test) and not body_denies and _returns(node.body):
            passes = True
    if denies and not checks_role:  # ``if user.role == "admin": return user`` ... ``raise 403``
        checks_role = any(role_re.search(words(n.test)) for n in ifs)
    exemption = _exemption(index, fs, ifs, knowledge) if denies else None
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
def deny_status(
    index: SourceIndex, fs: FunctionSource, node: ast.AST, knowledge: Knowledge
) -> int | None:
    """401/403 when ``node`` (a raise, an abort call, a return) refuses the request."""
    if isinstance(node, ast.Raise):
        return _exception_status(index, fs, node.exc, knowledge)
    if isinstance(node, ast.Call):
        name = call_name(node)
        if name == "abort" and node.args:
            return _deny_or_none(status_value(index, fs.module, node.args[0]))
        if name == "unauthorized":  # flask-login's login_manager.unauthorized()
            return 401
        if name == "redirect" and node.args and "login" in words(node.args[0]).lower():
            return 401
        lowered = name.lower()
        if "redirect" in lowered and "login" in lowered:  # a helper: redirect_to_login()
            return 401
        return None
    if isinstance(node, ast.Return) and node.value is not None:
        value = node.value
        if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
            return _deny_or_none(status_value(index, fs.module, value.elts[1]))
        if isinstance(value, ast.Call) and _RESPONSES.search(call_name(value)):
            return _response_status(index, fs.module, value) or _built_refusal(
                index, fs.module, value
            )
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


def _exception_status(
    index: SourceIndex, fs: FunctionSource, exc: ast.expr | None, knowledge: Knowledge
) -> int | None:
    if isinstance(exc, ast.Name) and exc.id in fs.assignments:  # raise credentials_exception
        values = fs.assignments[exc.id]
        return next((s for v in values if (s := _exception_status(index, fs, v, knowledge))), None)
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
    if knowledge.deny_exception_re.search(last):
        return 403 if _FORBIDDEN_WORDS.search(last) else 401
    found = index.resolve(fs.module, name)
    if found is not None and found.kind == "class":  # a project exception class
        for sub in walk(found.node):
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


def _built_refusal(index: SourceIndex, module: ModuleSource, call: ast.Call) -> int | None:
    """401/403 when the project function called builds the refusal itself:
    ``return make_forbidden_response()`` where it sets ``res.status_code = 403``."""
    name = dotted(call.func)
    found = index.resolve(module, name) if name else None
    if found is None or found.kind != "function":
        return None
    return index.memo(
        ("refusal", found.module.path, getattr(found.node, "lineno", 0)),
        lambda: _refusal_status(index, found.module, found.node),
    )


def _refusal_status(index: SourceIndex, module: ModuleSource, node: ast.AST) -> int | None:
    for sub in walk(node):
        status: int | None = None
        if isinstance(sub, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr in {"status_code", "status"}
            for t in sub.targets
        ):
            status = _deny_or_none(status_value(index, module, sub.value))
        elif (
            isinstance(sub, ast.Return)
            and isinstance(sub.value, ast.Call)
            and _RESPONSES.search(call_name(sub.value))
        ):
            status = _response_status(index, module, sub.value)
        if status is not None:
            return status
    return None


def _deny_or_none(status: int | None) -> int | None:
    return status if status in _DENY else None


def _denies(index: SourceIndex, fs: FunctionSource, node: ast.AST, knowledge: Knowledge) -> bool:
    return isinstance(node, _DENIALS) and bool(deny_status(index, fs, node, knowledge))


def _deny_401(index: SourceIndex, fs: FunctionSource, node: ast.If, knowledge: Knowledge) -> bool:
    return any(deny_status(index, fs, n, knowledge) == 401 for n in _walk_stmts(node.body))


_GONE = frozenset({404, 410})


def answers_only_not_found(index: SourceIndex, fs: FunctionSource) -> bool:
    """Every answer of the handler is a 404/410 (a catch-all for removed or unknown
    URLs): it serves nothing, so there is nothing to authenticate."""
    if fs.is_lambda or not any(mark in fs.text for mark in ("404", "410", "NOT_FOUND", "GONE")):
        return False
    if len(fs.of(ast.Yield)) + len(fs.of(ast.YieldFrom)):  # a stream answers 200 first
        return False
    body = getattr(fs.node, "body", [])
    if not body or not isinstance(body[-1], ast.Return | ast.Raise):
        return False  # it can fall off the end: None, a 200 or 204
    returns = fs.returns
    raises = fs.of(ast.Raise)
    module = fs.module
    for ret in returns:
        value = ret.value
        if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
            status = status_value(index, module, value.elts[1])
        elif isinstance(value, ast.Call) and _RESPONSES.search(call_name(value)):
            status = _gone_status(index, module, value)
        else:
            return False
        if status not in _GONE:
            return False
    for node in raises:
        exc = node.exc
        if not isinstance(exc, ast.Call) or _gone_status(index, module, exc) not in _GONE:
            return False
    aborts = [c for c in fs.calls if call_name(c) == "abort" and c.args]
    return all(status_value(index, module, c.args[0]) in _GONE for c in aborts)


def _gone_status(index: SourceIndex, module: ModuleSource, call: ast.Call) -> int | None:
    for keyword in call.keywords:
        if keyword.arg in {"status", "status_code", "code"}:
            return status_value(index, module, keyword.value)
    if call.args and (status := status_value(index, module, call.args[0])) in _GONE:
        return status  # HTTPException(404, ...)
    if len(call.args) >= 2:
        return status_value(index, module, call.args[1])
    return None


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


def _walk_stmts(body: list[ast.stmt]) -> list[ast.AST]:
    return [n for stmt in body for n in walk(stmt)]


def words(node: ast.AST) -> str:
    """Names, attributes and strings in an expression, space separated."""
    out: list[str] = []
    for sub in walk(node):
        if isinstance(sub, ast.Name):
            out.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.append(sub.attr)
            if isinstance(sub.value, ast.Name):
                out.append(f"{sub.value.id}.{sub.attr}")
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.append(sub.value)
    return " ".join(out)


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
    return text in injected or bool(credential_re.search(text))


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
