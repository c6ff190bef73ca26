"""APS304: request data written into an object or query in bulk."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from functools import partial

from ..model import Confidence, Finding, GuardRole, Kind, Route, Severity
from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name, dotted, unparse, walk
from ._calls import MAX_DEPTH, Hit, bind, mentions, project_calls, reach
from ._dataflow import (
    body_params,
    class_of,
    derives,
    function_source,
    reads_request,
    tainted_names,
)
from ._mappings import is_accumulator, is_data_mapping
from ._models import (
    ClassRef,
    attributes,
    base_names,
    class_of_name,
    field_line,
    is_orm_class,
)
from ._objects import app_records
from ._project import project_function, project_method
from .aps303_privileged_body_field import privileged_field
from .base import Rule, RuleContext

_NOT_SINKS = frozenset({"JSONResponse", "Response", "HTTPException", "dict", "jsonify", "print"})
_SINK_WORDS = ("**", "update", "setattr", "from_dict", "set_attributes", "merge")
_BULK_METHODS = frozenset({"update", "update_from_dict", "from_dict", "set_attributes", "merge"})


class BulkWrite(Rule):
    """
    ## What it does
    Flags a handler that copies request data wholesale into an object or a query:
    ``Model(**request.json)``, ``Model(**body.model_dump())``, ``obj.update(**data)``,
    ``query.update(body.dict())``, ``obj.__dict__.update(data)`` or
    ``for k, v in data.items(): setattr(obj, k, v)``. A typed FastAPI body counts only
    when its model lets privileged or undeclared fields through (see APS303/APS305); raw
    request data (``request.json``, ``request.get_json()``, a ``dict`` body) always counts.

    ## Why is this bad?
    The client chooses which attributes are written. Sending ``{"is_admin": true}`` or
    ``{"owner_id": 1}`` along with an ordinary update escalates privileges or moves
    data between accounts (mass assignment, OWASP API3:2023).

    ## Example
    ```python
    @app.patch("/users/<int:user_id>")
    def update_user(user_id):
        user = db.session.get(User, user_id)
        for key, value in request.get_json().items():
            setattr(user, key, value)
    ```

    ## Use instead
    ```python
    ALLOWED = {"display_name", "email"}

    @app.patch("/users/<int:user_id>")
    def update_user(user_id):
        data = request.get_json()
        for key in ALLOWED & data.keys():
            setattr(user, key, data[key])
    ```
    or validate into a model that declares only the writable fields.

    ## Known problems
    Follows request data through local assignments and into the project functions the
    handler hands it to (arguments bound to parameters, three calls deep); a finding in
    a helper is reported at the helper's line. A mapping whose keys are spelled in the code
    (``update({"pinned": value})``) writes only those fields and is not reported; nor is
    data loaded through a marshmallow schema (``item = schema.load(request.json)``),
    which keeps only the fields the schema declares, so a schema with
    ``unknown = INCLUDE`` is missed. A model built from the data is a write when it is a
    table (ORM) or declares a privileged field; a plain model with ``extra="allow"``
    validates a payload (one forwarded to another service) and is not, until it is
    stored. ``update`` on a set (``ids.update(...)``) or on a
    cipher, padding or hash context (``encryptor.update(data)``) writes no record. A
    record a project function returns (``wallet = await get_wallet(id)``), persisted
    whole (``db.update("wallets", wallet)``) after single fields were set from the
    request, writes the model's fields, not keys the client chose, and is not reported
    (nor is a record a helper is handed and sets one named field of:
    ``wallet.lightning_address = local_part``);
    a function that hands request data back (``parse_body(request)``, one returning a
    dict or its parameter) gives no such record.

    ## References
    - OWASP API3:2023 Broken Object Property Level Authorization
    - CWE-915: Improperly Controlled Modification of Dynamically-Determined Object Attributes
    """

    code = "APS304"
    name = "bulk-write-of-request-data"
    kind = Kind.MASS_ASSIGNMENT
    owasp = "API3:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 915
    message = "{route} writes request data in bulk: {sink}"
    remediation = (
        "Copy an explicit allowlist of fields (`User(name=body.name, email=body.email)` or "
        "`body.model_dump(include={'name', 'email'})`) instead of the whole request mapping."
    )

    def applies(self, route: Route) -> bool:
        return super().applies(route) and route.is_write

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        handler, route = ctx.handler, ctx.route
        if handler is None or route is None or handler.is_lambda:
            return
        if not mentions(ctx.index, handler, _SINK_WORDS):
            return  # (cheap: before the body model is looked up)
        seeds = body_params(ctx.index, handler, route)
        if seeds and not _body_is_open(ctx, route):
            seeds = set()
        for path, line, detail, chain in bulk_writes(ctx, handler, frozenset(seeds)):
            yield self._found(ctx, path, line, detail, chain)

    def _found(self, ctx: RuleContext, path: str, line: int, sink: str, chain: str) -> Finding:
        handler = ctx.handler
        assert handler is not None
        return self.finding(
            ctx,
            file=path,
            line=line,
            symbol=handler.qualname,
            message=self.message.replace("{sink}", f"`{sink}`") + chain,
        )


def bulk_writes(
    ctx: RuleContext, handler: FunctionSource, seeds: frozenset[str]
) -> Iterator[tuple[str, int, str, str]]:
    """(file, line, the write, the call chain) of each bulk write of request data (``seeds``:
    the body parameters that count) in the handler and the project functions it hands that
    data to, three calls deep."""
    if not mentions(ctx.index, handler, _SINK_WORDS):
        return
    seen: set[tuple[str, int]] = set()
    for node in _local_sinks(ctx, handler, seeds):
        seen.add((handler.path, node.lineno))
        yield handler.path, node.lineno, _describe(node), ""
    # the same question of the project functions the handler hands request data to
    tainted = _tainted(ctx.index, handler, seeds)
    for site in project_calls(ctx.index, handler):
        if call_name(site.call) in _BULK_METHODS:
            continue  # judged at the call (``_bulk_method_writes`` reads the method)
        callee_seeds = frozenset(
            p for p, args in site.bound.items() if any(derives(a, tainted) for a in args)
        )
        if not _follow(site.callee, callee_seeds):
            continue
        hit = reach(
            ctx.index,
            site.callee,
            callee_seeds,
            question="bulk-write",
            words=_SINK_WORDS,
            local=partial(_first_sink, ctx),
            taint=partial(_tainted, ctx.index),
            follow=_follow,
            depth=MAX_DEPTH - 1,
        )
        if hit is not None and (hit.path, hit.line) not in seen:
            seen.add((hit.path, hit.line))
            hit = hit.through(site.callee.qualname)
            yield hit.path, hit.line, hit.detail, hit.chain()


def _tainted(index: SourceIndex, fs: FunctionSource, seeds: frozenset[str]) -> set[str]:
    if not seeds and not reads_request(fs):
        return set()  # no client data in the body: every sink test would answer no
    return tainted_names(fs, set(seeds)) - _schema_loaded(fs) - app_records(index, fs, seeds)


def _follow(callee: FunctionSource, seeds: frozenset[str]) -> bool:
    return bool(seeds) or reads_request(callee)


def _local_sinks(
    ctx: RuleContext, fs: FunctionSource, seeds: frozenset[str]
) -> list[ast.Call | ast.For | ast.AsyncFor]:
    """The bulk writes in ``fs``'s own body, one per line."""
    if not any(w in fs.text for w in _SINK_WORDS):
        return []
    tainted = _tainted(ctx.index, fs, seeds)
    if not tainted and not reads_request(fs):
        return []
    lines: set[int] = set()
    out = []
    for node in _sinks(ctx, fs, tainted):
        if node.lineno not in lines:
            lines.add(node.lineno)
            out.append(node)
    return out


def _first_sink(
    ctx: RuleContext, index: object, fs: FunctionSource, seeds: frozenset[str]
) -> Hit | None:
    sinks = _local_sinks(ctx, fs, seeds)
    return Hit(fs.path, sinks[0].lineno, _describe(sinks[0])) if sinks else None


def _describe(node: ast.Call | ast.For | ast.AsyncFor) -> str:
    if isinstance(node, ast.For | ast.AsyncFor):
        target = unparse(node.target).strip("()")
        return f"for {target} in {unparse(node.iter)}: setattr(...)"
    text = unparse(node)
    return text if len(text) < 80 else call_name(node) + "(...)"


def _body_is_open(ctx: RuleContext, route: Route) -> bool:
    """A body model that lets privileged or undeclared fields through (or no model at all).
    Whether it keeps undeclared fields is the model's own configuration as the app loaded
    it (``body_extra_allowed``), not a source reading: a subclass may forbid what its base
    allows."""
    if route.body_model is None or route.body_extra_allowed:
        return True
    authorized = any(g.role is GuardRole.AUTHORIZATION for g in route.guards)
    return not authorized and any(
        privileged_field(ctx.knowledge, route, f.name) for f in route.body_fields
    )


def _sinks(
    ctx: RuleContext, handler: FunctionSource, tainted: set[str]
) -> Iterator[ast.Call | ast.For | ast.AsyncFor]:
    for call in handler.calls:
        name = call_name(call)
        spread = [k.value for k in call.keywords if k.arg is None]
        if spread and any(derives(v, tainted) for v in spread):
            if name in _BULK_METHODS:
                if _bulk_method_writes(ctx, handler, call, tainted):
                    yield call
            elif _writes_model(ctx, handler, call):
                yield call
        elif (
            name in _BULK_METHODS
            and any(
                derives(a, tainted)
                for a in call.args
                if not (_names_its_fields(a) or _allowlist_copy(handler, a, tainted))
            )
            and _bulk_method_writes(ctx, handler, call, tainted)
        ):
            yield call
    for node in handler.body_nodes:
        if isinstance(node, ast.For | ast.AsyncFor) and derives(node.iter, tainted):
            keys = {n.id for n in walk(node.target) if isinstance(n, ast.Name)}
            if any(
                isinstance(sub, ast.Call)
                and dotted(sub.func) == "setattr"
                and len(sub.args) >= 2
                and isinstance(sub.args[1], ast.Name)
                and sub.args[1].id in keys
                for sub in walk(node)
            ):
                yield node  # the loop is the bulk write; point at its header


def _bulk_method_writes(
    ctx: RuleContext, fs: FunctionSource, call: ast.Call, tainted: set[str]
) -> bool:
    """``obj.update(data)`` and kin write attributes in bulk, unless the receiver is a
    plain dict (a template context, a JSON blob: its keys are data, not attributes), an
    ORM session merging an instance (``session.merge(book)``: the object's own state, no
    mapping of attributes), a set or a cipher or hash context (``_mappings.is_accumulator``)
    or the method (or the function: ``set_attributes(obj, data)``) is project code that
    copies only some fields (its body decides)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = func.value
        if _plain_dict(ctx, fs, receiver) or is_accumulator(fs, receiver):
            return False
        if func.attr == "merge" and dotted(receiver).rsplit(".", 1)[-1].endswith("session"):
            return False
        own = project_method(ctx.index, fs, receiver, func.attr)
    else:
        own = project_function(ctx.index, fs, func)
    if own is None:
        return True
    callee = function_source(ctx.index, own[0], own[1])
    bound = bind(callee, call)
    seeds = frozenset(p for p, args in bound.items() if any(derives(a, tainted) for a in args))
    hit = reach(
        ctx.index,
        callee,
        seeds,
        question="bulk-write",
        words=_SINK_WORDS,
        local=partial(_first_sink, ctx),
        taint=partial(_tainted, ctx.index),
        follow=_follow,
        depth=MAX_DEPTH - 1,
    )
    return hit is not None


def _plain_dict(ctx: RuleContext, fs: FunctionSource, node: ast.expr) -> bool:
    """A mapping the function built or read as data (``_mappings.is_data_mapping``: a
    local dict, parsed JSON, a dict parameter, a mapping it spreads as ``**kwargs``, HTTP
    headers), or a model attribute declared as a dict or JSON column (a user's saved
    settings)."""
    if is_data_mapping(fs, node):
        return True
    if isinstance(node, ast.Attribute):
        owner = class_of(ctx.index, fs, node.value)
        if owner is None:
            return False
        found = field_line(ctx.index, owner, node.attr)
        if found is None:
            return False
        # the whole declaration: the column type (``= Column(JSON)``) or the annotation
        # (``options: dict | None = None``) may say it
        return _JSON_COLUMN.search(found.module.lines[found.line - 1]) is not None
    return False


_JSON_COLUMN = re.compile(r"\b(?:JSON|JSONB|JSONField|PickleType|dict|Dict|MutableDict)\b")


def _allowlist_copy(fs: FunctionSource, node: ast.expr, tainted: set[str]) -> bool:
    """``{k: data[k] for k in ALLOWED if k in data}`` (or a name only ever bound to one):
    the keys come from a collection the request does not choose."""
    values = fs.assignments.get(node.id, []) if isinstance(node, ast.Name) else [node]
    return bool(values) and all(
        isinstance(v, ast.DictComp) and not any(derives(g.iter, tainted) for g in v.generators)
        for v in values
    )


def _names_its_fields(node: ast.expr) -> bool:
    """``{"pinned": value}``, ``{User.masterpass_check: value}``: a mapping whose keys the
    code spells (strings, or a model's column attributes) writes only those (a
    ``**spread`` entry has the key None)."""
    return isinstance(node, ast.Dict) and all(
        isinstance(k, ast.Constant) or (isinstance(k, ast.Attribute) and _spelled(k))
        for k in node.keys
    )


def _spelled(node: ast.expr) -> bool:
    """``User.masterpass_check``: a chain of names starting with a class's (capitalised)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id[:1].isupper()


def _schema_loaded(handler: FunctionSource) -> set[str]:
    """Names only ever assigned ``<...schema...>.load(...)``: marshmallow returns the
    schema's declared fields (unknown ones raise, unless its Meta says INCLUDE)."""
    out = set()
    for name, values in handler.assignments.items():
        if all(
            isinstance(v, ast.Call)
            and call_name(v) == "load"
            and "schema" in unparse(v.func).lower()
            for v in values
        ):
            out.add(name)
    return out


def _writes_model(ctx: RuleContext, handler: FunctionSource, call: ast.Call) -> bool:
    """``Model(**data)``: an ORM class, a class with privileged attributes, or unknown."""
    name = dotted(call.func)
    last = name.rsplit(".", 1)[-1]
    if not last or not last[0].isupper() or last in _NOT_SINKS:
        return False
    cls: ClassRef | None = class_of_name(ctx.index, handler.module, name)
    if cls is None:
        return True
    if any(b.rsplit(".", 1)[-1] == "TypedDict" for b in base_names(ctx.index, cls)):
        return False  # a TypedDict builds a plain dict: data, not an object
    if is_orm_class(ctx.index, cls):
        return True
    # a model that lets extra fields through but is no table validates a payload (one to
    # forward upstream): storing it is a write of its own, reported there
    route = ctx.route
    return any(
        privileged_field(ctx.knowledge, route, a.name)
        if route is not None
        else ctx.knowledge.is_privileged_field(a.name)
        for a in attributes(ctx.index, cls)
    )
