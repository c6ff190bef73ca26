"""Small intra-procedural facts about a handler: request data, identities, object types.

One function body at a time, assignments followed a few steps (``_calls`` follows
calls into project functions with these facts). Good enough to tell
``Model(**request.json)`` from ``Model(name=body.name)``; the probes confirm what this
suspects.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from ..model import Route
from ..static.guardcode import dependency_params
from ..static.source import FunctionSource, ModuleSource, SourceIndex
from ..static.syntax import call_name, dotted, walk
from ._models import ClassRef, class_of_name

# Flask / Starlette request attributes that carry client data.
_REQUEST_DATA_ATTRS = frozenset({"json", "form", "values", "args", "data", "files", "query_params"})
_REQUEST_DATA_CALLS = frozenset({"get_json", "json", "form", "body"})
_REQUEST_DATA_DOTTED = frozenset(f"request.{a}" for a in _REQUEST_DATA_ATTRS)
_BODY_PARAM_CALLS = frozenset({"Body", "Form", "File"})
_FETCH_SUFFIXES = frozenset(
    {
        "get",
        "get_or_404",
        "first",
        "first_or_404",
        "one",
        "one_or_none",
        "scalar_one",
        "scalar_one_or_none",
        "scalar",
        "all",
        "scalars",
        "execute",
        "filter",
        "filter_by",
        "where",
        "query",
        "find_one",
    }
)
IDENTITY_NAMES = frozenset({"current_user", "current_identity"})
IDENTITY_DOTTED = frozenset(
    {"g.user", "g.current_user", "request.user", "flask_login.current_user"}
)
_IDENTITY_WORDS = re.compile(
    r"user|identity|principal|account|token|auth|current|claims|\bme\b|admin|owner|caller|subject",
    re.IGNORECASE,
)
_IDENTITY_ATTRS = frozenset(d.rsplit(".", 1)[-1] for d in IDENTITY_DOTTED)
IDENTITY_CALLS = frozenset({"get_jwt_identity", "get_current_user", "current_user"})
_NAME, _ATTRIBUTE, _CALL, _AWAIT = ast.Name, ast.Attribute, ast.Call, ast.Await
_ASSIGN, _FOR, _ASYNC_FOR = ast.Assign, ast.For, ast.AsyncFor
_FLOW_NODES = frozenset({ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor})


def injected_params(index: SourceIndex, fs: FunctionSource) -> set[str]:
    """Handler parameters filled by ``Depends``/``Security`` (type aliases followed)."""
    return set(dependency_params(index, fs))


def request_params(index: SourceIndex, fs: FunctionSource) -> set[str]:
    """Handler parameters that carry client input (path, query, body, header)."""
    injected = injected_params(index, fs)
    out = set()
    for name, (arg, _) in fs.params.items():
        annotation = dotted(arg.annotation) if arg.annotation is not None else ""
        if name in injected or name in {"self", "cls"}:
            continue
        if annotation.rsplit(".", 1)[-1] in {
            "Request",
            "Response",
            "Session",
            "BackgroundTasks",
            "WebSocket",
            "HTTPConnection",
        }:
            continue
        out.add(name)
    return out


def body_params(index: SourceIndex, fs: FunctionSource, route: Route) -> set[str]:
    """FastAPI parameters bound to the request body."""
    out = set()
    model = (route.body_model or "").rsplit(".", 1)[-1]
    for name, (arg, default) in fs.params.items():
        annotation = arg.annotation
        names = {dotted(n).rsplit(".", 1)[-1] for n in walk(annotation)} if annotation else set()
        if (
            _is_call_to(default, _BODY_PARAM_CALLS)
            or _annotated_with(arg, _BODY_PARAM_CALLS)
            or (model and model in names)
            or (names & {"dict", "Dict", "Mapping"} and name not in injected_params(index, fs))
        ):
            out.add(name)
    return out


def is_request_access(node: ast.AST) -> bool:
    """``request.json``, ``request.get_json()``, ``await request.json()``, ``request.form``."""
    cls = node.__class__
    if cls is _AWAIT:
        node = node.value  # type: ignore[attr-defined]
        cls = node.__class__
    if cls is _CALL:
        return call_name(node) in _REQUEST_DATA_CALLS and dotted(node.func).startswith(  # type: ignore[arg-type, attr-defined]
            "request."
        )
    if cls is _ATTRIBUTE:
        return node.attr in _REQUEST_DATA_ATTRS and dotted(node) in _REQUEST_DATA_DOTTED  # type: ignore[attr-defined]
    return False


def reads_request(fs: FunctionSource) -> bool:
    """Some expression of the body is request data (``is_request_access``): once per
    function, from the grouped body nodes. A lambda's nodes are not among them, so a body
    with a lambda answers True (unknown); False is exact."""
    known: bool | None = fs.derived.get("reads_request")
    if known is None:
        known = fs.derived["reads_request"] = (
            ast.Lambda in fs.by_type
            or any(
                node.attr in _REQUEST_DATA_ATTRS and is_request_access(node)
                for node in fs.of(ast.Attribute)
            )
            or any(
                call_name(node) in _REQUEST_DATA_CALLS and is_request_access(node)
                for node in fs.of(ast.Call)
            )
        )
    return known


def _reads_request(nodes: list[ast.AST]) -> bool:
    """Any of ``nodes`` (a walk) is request data. An ``await`` is skipped: what it awaits
    is in the walk too, and is request data exactly when the ``await`` is."""
    for node in nodes:
        cls = node.__class__
        if (cls is _CALL or cls is _ATTRIBUTE) and is_request_access(node):
            return True
    return False


def tainted_names(
    fs: FunctionSource,
    seeds: set[str],
    cleans: Callable[[ast.expr, set[str]], bool] | None = None,
) -> set[str]:
    """Locals derived from the seed names or from request data (assignments followed).

    ``cleans(value, tainted)`` marks an assigned value as sanitised (``url =
    allowlisted(raw)``); ``tainted`` is what is known tainted so far.
    """
    tainted = set(seeds)
    if not seeds and not reads_request(fs):
        return tainted  # nothing to start from: no flow can taint a name
    flows = _flows(fs)
    for _ in range(4):  # a few rounds reach chains like data = body.dict(); d2 = data
        before = len(tainted)
        for targets, value, reads, from_request in flows:
            if targets <= tainted or not (from_request or reads & tainted):
                continue
            if cleans is None or not cleans(value, tainted):
                tainted |= targets
        if len(tainted) == before:
            break
    return tainted


def _flows(fs: FunctionSource) -> list[tuple[frozenset[str], ast.expr, frozenset[str], bool]]:
    """(names bound, value, names it reads, reads request data) for each assignment and
    ``for`` loop of the handler; one walk of each value, reused by every propagation round
    and by every rule."""
    known = fs.derived.get("flows")
    if known is None:
        known = fs.derived["flows"] = _assignment_flows(fs)
    return known


def _assignment_flows(
    fs: FunctionSource,
) -> list[tuple[frozenset[str], ast.expr, frozenset[str], bool]]:
    by_type = fs.by_type
    if not any(cls in by_type for cls in _FLOW_NODES):
        return []
    out = []
    request = reads_request(fs)  # False: no value can read request data
    for node in fs.body_nodes:
        cls = node.__class__
        if cls not in _FLOW_NODES:
            continue
        if cls is _ASSIGN:
            targets, value = node.targets, node.value  # type: ignore[attr-defined]
        elif cls is _FOR or cls is _ASYNC_FOR:
            targets, value = [node.target], node.iter  # type: ignore[attr-defined]
        else:  # AnnAssign, NamedExpr
            value = node.value  # type: ignore[attr-defined]
            if value is None:
                continue
            targets = [node.target]  # type: ignore[attr-defined]
        bound = frozenset(
            [t.id for t in targets if t.__class__ is _NAME]
            if all(t.__class__ is _NAME for t in targets)
            else [n.id for t in targets for n in walk(t) if n.__class__ is _NAME]
        )
        if bound:
            subs = walk(value)
            reads = frozenset([n.id for n in subs if n.__class__ is _NAME])
            out.append((bound, value, reads, request and _reads_request(subs)))
    return out


def derives(node: ast.AST, tainted: set[str]) -> bool:
    """True when the expression reads request data or a tainted name."""
    for sub in walk(node):
        cls = sub.__class__
        if cls is _NAME:
            if sub.id in tainted:  # type: ignore[attr-defined]
                return True
        elif (cls is _CALL or cls is _ATTRIBUTE) and is_request_access(sub):
            return True  # an await is skipped: what it awaits comes later in the walk
    return False


def identity_names(index: SourceIndex, fs: FunctionSource, route: Route | None) -> set[str]:
    """Names that hold the caller's identity in this handler."""
    names = set(IDENTITY_NAMES) | identity_params(index, fs, route)
    for name, values in fs.assignments.items():
        if any(is_identity(v, names) for v in values):
            names.add(name)
    return names


def identity_params(index: SourceIndex, fs: FunctionSource, route: Route | None) -> set[str]:
    """Injected parameters that carry the caller (``user = Depends(get_current_user)``)."""
    guard_names = set()
    if route is not None:
        for guard in route.auth_guards():
            guard_names.add(guard.name.replace(":", ".").rsplit(".", 1)[-1])
            guard_names.add(getattr(guard.func, "__name__", ""))
    guard_names.discard("")
    out = set()
    for name, call in dependency_params(index, fs).items():
        if name in guard_names or _IDENTITY_WORDS.search(name):
            out.add(name)  # the parameter's own name settles it (it is one of the targets)
            continue
        annotation = fs.params[name][0].annotation
        targets = {name, *_identifiers(call), *(_identifiers(annotation) if annotation else ())}
        words = " ".join(targets)
        if targets & guard_names or _IDENTITY_WORDS.search(words):
            out.add(name)
    return out


def _identifiers(node: ast.AST) -> list[str]:
    return [n.id if isinstance(n, ast.Name) else n.attr for n in walk(node)
            if isinstance(n, ast.Name | ast.Attribute)]  # fmt: skip


def is_identity(node: ast.AST, names: set[str]) -> bool:
    for sub in walk(node):
        cls = sub.__class__
        if cls is ast.Name:
            if sub.id in names:  # type: ignore[attr-defined]
                return True
        elif cls is ast.Attribute:
            if sub.attr in _IDENTITY_ATTRS and dotted(sub) in IDENTITY_DOTTED:  # type: ignore[attr-defined]
                return True
        elif cls is ast.Subscript:
            value = sub.value  # type: ignore[attr-defined]
            if value.__class__ is ast.Name and value.id == "session":
                return True  # Flask's session["user_id"]
        elif cls is ast.Call:
            assert isinstance(sub, ast.Call)
            if call_name(sub) in IDENTITY_CALLS:
                return True
            if (  # Flask's session.get("user_id"), not an ORM session.get(Model, id)
                dotted(sub.func) == "session.get"
                and sub.args
                and isinstance(sub.args[0], ast.Constant)
            ):
                return True
    return False


def class_of(
    index: SourceIndex, fs: FunctionSource, node: ast.AST, depth: int = 0
) -> ClassRef | None:
    """The class of the object an expression evaluates to, when the handler says."""
    if depth > 4:
        return None
    if isinstance(node, ast.Await):
        return class_of(index, fs, node.value, depth + 1)
    if isinstance(node, ast.Name):
        if node.id in fs.params:
            arg = fs.params[node.id][0]
            if arg.annotation is not None:
                return _annotation_class(index, fs, arg.annotation)
        for value in fs.assignments.get(node.id, []):
            found = class_of(index, fs, value, depth + 1)
            if found is not None:
                return found
        return _module_instance(index, fs.module, node.id)
    if isinstance(node, ast.Call):
        name = dotted(node.func)
        if name:
            resolved = index.resolve(fs.module, name)  # class_of_name's lookup, done once
            if resolved is not None and isinstance(resolved.node, ast.ClassDef):
                return ClassRef(resolved.module, resolved.node)
            if resolved is not None and isinstance(
                resolved.node, ast.FunctionDef | ast.AsyncFunctionDef
            ):
                returns = resolved.node.returns
                if returns is not None:
                    return _annotation_class(index, fs, returns, resolved.module)
                # a project helper without an annotation: what its returns evaluate to
                callee = function_source(index, resolved.module, resolved.node)
                for ret in callee.returns:
                    if ret.value is not None and callee is not fs:
                        found = class_of(index, callee, ret.value, depth + 1)
                        if found is not None:
                            return found
        if call_name(node) in _FETCH_SUFFIXES:
            return _fetched_class(index, fs, node)
    return None


def function_source(index: SourceIndex, module: ModuleSource, node: ast.AST) -> FunctionSource:
    """One ``FunctionSource`` per project ``def`` per run (its ``derived`` facts shared)."""
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    stem = module.path.rsplit("/", 1)[-1].removesuffix(".py")
    return index.memo(
        ("function_source", module.path, node.lineno, node.name),
        lambda: FunctionSource(module, node, f"{stem}.{node.name}"),
    )


def _module_instance(index: SourceIndex, module: ModuleSource, name: str) -> ClassRef | None:
    """``settings = Settings()`` at module level (possibly imported from another module)."""
    found = index.resolve(module, name)
    if found is None or found.kind != "assign" or not isinstance(found.node, ast.Call):
        return None
    callee = dotted(found.node.func)
    return class_of_name(index, found.module, callee) if callee else None


def _fetched_class(index: SourceIndex, fs: FunctionSource, call: ast.Call) -> ClassRef | None:
    """``db.get(User, id)``, ``User.query.get(id)``, ``db.query(User)...first()``, ``select(User)``."""
    for sub in _call_chain(call):
        for arg in sub.args:
            name = dotted(arg)
            if name and name[0].isupper():
                found = class_of_name(index, fs.module, name)
                if found is not None:
                    return found
        receiver = dotted(sub.func)
        if ".query." in f"{receiver}.":
            found = class_of_name(index, fs.module, receiver.split(".query", 1)[0])
            if found is not None:
                return found
    return None


def _call_chain(call: ast.Call) -> Iterator[ast.Call]:
    """The call and the calls nested in its receiver and arguments."""
    for sub in walk(call):
        if isinstance(sub, ast.Call):
            yield sub


def _annotation_class(
    index: SourceIndex, fs: FunctionSource, annotation: ast.AST, module: ModuleSource | None = None
) -> ClassRef | None:
    source = module if module is not None else fs.module
    for sub in walk(annotation):
        name = dotted(sub)
        if name and name[0].isupper() and name not in {"Optional", "List", "Annotated"}:
            found = class_of_name(index, source, name)
            if found is not None:
                return found
    return None


def _is_call_to(node: ast.AST | None, names: frozenset[str]) -> bool:
    return isinstance(node, ast.Call) and call_name(node) in names


def _annotated_with(arg: ast.arg, names: frozenset[str]) -> bool:
    annotation = arg.annotation
    if not isinstance(annotation, ast.Subscript) or not dotted(annotation.value).endswith(
        "Annotated"
    ):
        return False
    return any(_is_call_to(n, names) for n in walk(annotation.slice))
