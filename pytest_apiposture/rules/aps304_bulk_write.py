"""APS304: request data written into an object or query in bulk."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from ..model import Confidence, Finding, GuardRole, Kind, Route, Severity
from ..static.source import FunctionSource
from ..static.syntax import call_name, dotted, unparse, walk
from ._dataflow import body_params, derives, reads_request, tainted_names
from ._models import ClassRef, attributes, class_of_name, is_orm_class
from .aps305_extra_allowed import extra_allow_line
from .base import Rule, RuleContext

_NOT_SINKS = frozenset({"JSONResponse", "Response", "HTTPException", "dict", "jsonify", "print"})
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
    Follows request data through local assignments only; a helper function that does
    the bulk write is not seen. A mapping whose keys are spelled in the code
    (``update({"pinned": value})``) writes only those fields and is not reported; nor is
    data loaded through a marshmallow schema (``item = schema.load(request.json)``),
    which keeps only the fields the schema declares, so a schema with
    ``unknown = INCLUDE`` is missed.

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
        if (
            "**" not in handler.text
            and "update" not in handler.text
            and "setattr" not in handler.text
        ):
            return
        seeds = body_params(ctx.index, handler, route)
        if seeds and not _body_is_open(ctx, handler, route):
            seeds = set()
        if not seeds and not reads_request(handler):
            return  # no client data in the body: every sink test below would answer no
        tainted = tainted_names(handler, seeds) - _schema_loaded(handler)
        seen: set[int] = set()
        for node in _sinks(ctx, handler, tainted):
            if node.lineno not in seen:
                seen.add(node.lineno)
                sink = _describe(node)
                yield self.finding(
                    ctx,
                    file=handler.path,
                    line=node.lineno,
                    symbol=handler.qualname,
                    message=self.message.replace("{sink}", f"`{sink}`"),
                )


def _describe(node: ast.Call | ast.For | ast.AsyncFor) -> str:
    if isinstance(node, ast.For | ast.AsyncFor):
        target = unparse(node.target).strip("()")
        return f"for {target} in {unparse(node.iter)}: setattr(...)"
    text = unparse(node)
    return text if len(text) < 80 else call_name(node) + "(...)"


def _body_is_open(ctx: RuleContext, handler: FunctionSource, route: Route) -> bool:
    """A body model that lets privileged or undeclared fields through (or no model at all)."""
    if route.body_model is None or route.body_extra_allowed:
        return True
    authorized = any(g.role is GuardRole.AUTHORIZATION for g in route.guards)
    if not authorized and any(ctx.knowledge.is_privileged_field(f.name) for f in route.body_fields):
        return True
    cls = class_of_name(ctx.index, handler.module, route.body_model.rsplit(".", 1)[-1])
    return cls is not None and extra_allow_line(ctx, cls) is not None


def _sinks(
    ctx: RuleContext, handler: FunctionSource, tainted: set[str]
) -> Iterator[ast.Call | ast.For | ast.AsyncFor]:
    for call in handler.calls:
        name = call_name(call)
        spread = [k.value for k in call.keywords if k.arg is None]
        if spread and any(derives(v, tainted) for v in spread):
            if name in _BULK_METHODS or _writes_model(ctx, handler, call):
                yield call
        elif name in _BULK_METHODS and any(
            derives(a, tainted) for a in call.args if not _names_its_fields(a)
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


def _names_its_fields(node: ast.expr) -> bool:
    """``{"pinned": value}``: a mapping whose keys the code spells writes only those
    (a ``**spread`` entry has the key None)."""
    return isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys)


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
    if is_orm_class(ctx.index, cls) or extra_allow_line(ctx, cls) is not None:
        return True
    return any(ctx.knowledge.is_privileged_field(a.name) for a in attributes(ctx.index, cls))
