"""Small intra-procedural facts about a handler: request data, identities, object types.

Deliberately local: one handler body, assignments followed a few steps, no
inter-procedural taint. Good enough to tell ``Model(**request.json)`` from
``Model(name=body.name)``; the probes confirm what this suspects.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from ..guardcode import dependency_params
from ..model import Route
from ..source import FunctionSource, ModuleSource, SourceIndex
from ..syntax import call_name, dotted, walk
from ._models import ClassRef, class_of_name

# Flask / Starlette request attributes that carry client data.
_REQUEST_DATA_ATTRS = frozenset({"json", "form", "values", "args", "data", "files", "query_params"})
_REQUEST_DATA_CALLS = frozenset({"get_json", "json", "form", "body"})
_REQUEST_DATA_DOTTED = frozenset(f"request.{a}" for a in _REQUEST_DATA_ATTRS)
_DEPENDENCY_CALLS = frozenset({"Depends", "Security"})
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
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        text = dotted(node.func)
        return text.startswith("request.") and call_name(node) in _REQUEST_DATA_CALLS
    if isinstance(node, ast.Attribute):
        return node.attr in _REQUEST_DATA_ATTRS and dotted(node) in _REQUEST_DATA_DOTTED
    return False


def tainted_names(
    fs: FunctionSource, seeds: set[str], cleans: Callable[[ast.expr], bool] | None = None
) -> set[str]:
    """Locals derived from the seed names or from request data (assignments followed).

    ``cleans(value)`` marks an assigned value as sanitised (``url = allowlisted(raw)``).
    """
    flows = _flows(fs)
    tainted = set(seeds)
    for _ in range(4):  # a few rounds reach chains like data = body.dict(); d2 = data
        before = len(tainted)
        for targets, value, reads, from_request in flows:
            if targets <= tainted or not (from_request or reads & tainted):
                continue
            if cleans is None or not cleans(value):
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
    out = []
    for node in fs.body_nodes:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
        elif isinstance(node, ast.For | ast.AsyncFor):
            targets, value = [node.target], node.iter
        else:
            continue
        bound = frozenset(n.id for t in targets for n in walk(t) if isinstance(n, ast.Name))
        subs = list(walk(value))
        reads = frozenset(n.id for n in subs if isinstance(n, ast.Name))
        if bound:
            out.append((bound, value, reads, any(map(is_request_access, subs))))
    return out


def derives(node: ast.AST, tainted: set[str]) -> bool:
    """True when the expression reads request data or a tainted name."""
    for sub in walk(node):
        if isinstance(sub, ast.Name) and sub.id in tainted:
            return True
        if is_request_access(sub):
            return True
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
    out = set()
    for name, call in dependency_params(index, fs).items():
        annotation = fs.params[name][0].annotation
        targets = {name, *_identifiers(call), *(_identifiers(annotation) if annotation else ())}
        words = " ".join(targets)
        if targets & (guard_names - {""}) or _IDENTITY_WORDS.search(words):
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
            found = class_of_name(index, fs.module, name)
            if found is not None:
                return found
            resolved = index.resolve(fs.module, name)
            if resolved is not None and isinstance(
                resolved.node, ast.FunctionDef | ast.AsyncFunctionDef
            ):
                returns = resolved.node.returns
                if returns is not None:
                    return _annotation_class(index, fs, returns, resolved.module)
        if call_name(node) in _FETCH_SUFFIXES:
            return _fetched_class(index, fs, node)
    return None


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
