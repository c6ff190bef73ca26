"""APS303: a request body model accepts fields a client must never set."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..knowledge import Knowledge
from ..model import Confidence, Finding, GuardRole, Kind, Route, Severity
from ..static.source import FunctionSource, SourceIndex
from ._calls import project_calls
from ._dataflow import body_params
from ._models import field_line, find_class
from .base import Rule, RuleContext


class PrivilegedBodyField(Rule):
    """
    ## What it does
    Flags a privileged field (``is_admin``, ``role``, ``owner_id``, ``balance``,
    ``is_verified``, ...) in the request body model of a create or update route
    (POST, PUT, PATCH). The finding points at the field's line in the model class.

    ## Why is this bad?
    Whatever the model declares, the client may send. A sign-up form whose model has
    ``is_admin`` lets anyone register an administrator; an update model with
    ``owner_id`` lets a user move objects between accounts (mass assignment, OWASP
    API3:2023).

    ## Example
    ```python
    class UserUpdate(BaseModel):
        email: str
        is_admin: bool = False
    ```

    ## Use instead
    ```python
    class UserUpdate(BaseModel):
        email: str

    class AdminUserUpdate(UserUpdate):  # used only behind an admin guard
        is_admin: bool
    ```

    ## Known problems
    Judged by field name (the ``privileged_fields`` setting extends the list). A field
    the handler never reads (``body.is_verified``) and never hands on with the whole body
    (``body.model_dump()``, ``**body``, the body passed to a function that is not
    project code or that does either, three calls deep) is not reported: it is accepted
    and dropped. The API contract still advertises it; APS305 judges undeclared fields.
    The id of the resource the route acts on (``organization_id`` in the body of
    ``PATCH /organization/update``) names the object, it does not move it between
    accounts: it is not reported (a lookup by it is APS101's question); nor is a field the
    handler compares with a stored value and refuses on (``if invite.user_id !=
    body.user_id: raise``): the client's value is checked, not written.

    ## References
    - OWASP API3:2023 Broken Object Property Level Authorization
    - CWE-915: Improperly Controlled Modification of Dynamically-Determined Object Attributes
    """

    code = "APS303"
    name = "privileged-body-field"
    kind = Kind.MASS_ASSIGNMENT
    owasp = "API3:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 915
    message = "{route} accepts the privileged field `{field}` in its request body ({model})"
    remediation = (
        "Remove the field from the input model (keep separate `XCreate`/`XUpdate` models "
        "without it) and set it server-side, or accept it only on an admin-guarded route."
    )

    def applies(self, route: Route) -> bool:
        if not super().applies(route) or not route.is_write or not route.body_fields:
            return False
        # behind a role/scope check, setting privileged fields is the point of the route
        return not any(g.role is GuardRole.AUTHORIZATION for g in route.guards)

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        route = ctx.route
        assert route is not None
        privileged = [
            f for f in route.body_fields if privileged_field(ctx.knowledge, route, f.name)
        ]
        if not privileged:
            return
        cls = find_class(ctx.index, ctx.handler, route.body_model)
        handler = ctx.handler
        bodies = (
            frozenset(body_params(ctx.index, handler, route))
            if handler is not None
            else frozenset()
        )
        for field in privileged:
            if (
                bodies
                and handler is not None
                and not touches(ctx.index, handler, bodies, field.name)
            ):
                continue  # the handler never reads the field nor hands the body on whole
            if bodies and handler is not None and _verified(handler, bodies, field.name):
                continue  # ``if invite.user_id != body.user_id: raise``: checked, not set
            message = self.message.replace("{field}", field.name).replace(
                "{model}", route.body_model or "body"
            )
            where = field_line(ctx.index, cls, field.name) if cls is not None else None
            if where is not None:
                yield self.finding(
                    ctx,
                    file=where.module.path,
                    line=where.line,
                    symbol=f"{route.body_model}.{field.name}",
                    message=message,
                )
            elif (finding := self.at_handler(ctx, message=message)) is not None:
                yield finding


def _verified(fs: FunctionSource, bodies: frozenset[str], field: str) -> bool:
    """The handler compares ``body.field`` with another value and raises on the answer:
    the client's value is checked against the server's, not written."""
    for node in fs.of(ast.If):
        compares = [n for n in ast.walk(node.test) if isinstance(n, ast.Compare)]
        reads = any(
            isinstance(n, ast.Attribute)
            and n.attr == field
            and isinstance(n.value, ast.Name)
            and n.value.id in bodies
            for c in compares
            for n in ast.walk(c)
        )
        if reads and any(isinstance(n, ast.Raise) for s in node.body for n in ast.walk(s)):
            return True
    return False


_ACTIONS = frozenset({"new", "create", "update", "edit", "delete", "remove", "patch", "save",
                      "set", "add"})  # fmt: skip


def privileged_field(knowledge: Knowledge, route: Route, name: str) -> bool:
    """A privileged field name that is not the id of the route's own resource."""
    return knowledge.is_privileged_field(name) and not own_key(route, name)


def own_key(route: Route, name: str) -> bool:
    """``organization_id`` on ``/organization/update``, ``team_id`` on ``/teams/{id}``: the
    id of the resource the route acts on (its last static segment that is not an action
    word), not a reference to an owner (``user_id`` on ``/users/{id}/notes`` is one)."""
    lowered = name.lower()
    if not lowered.endswith("id"):
        return False
    noun = lowered[:-2].rstrip("_")
    statics = [
        s.lower().replace("-", "_")
        for s in route.path.strip("/").split("/")
        if s and not s.startswith("{")
    ]
    resource = next((s for s in reversed(statics) if s not in _ACTIONS), "")
    plurals = {noun, noun + "s", noun + "es"}
    if noun.endswith("y"):
        plurals.add(noun[:-1] + "ies")
    return bool(noun) and resource in plurals


_WHOLE = frozenset({"dict", "model_dump", "json", "model_dump_json", "copy", "model_copy",
                    "__dict__", "items", "keys", "values", "__iter__"})  # fmt: skip


def touches(
    index: SourceIndex, fs: FunctionSource, names: frozenset[str], field: str, depth: int = 3
) -> bool:
    """``fs`` may read ``field`` of the objects ``names`` hold: ``body.field``, a whole
    dump, any use but reading another attribute or passing it to a project function
    that does not (``depth`` calls deep)."""
    return index.memo(
        ("touches", fs.path, fs.line, fs.name, names, field, depth),
        lambda: _touches(index, fs, names, field, depth),
    )


def _touches(
    index: SourceIndex, fs: FunctionSource, names: frozenset[str], field: str, depth: int
) -> bool:
    uses = [n for n in fs.of(ast.Name) if n.id in names and isinstance(n.ctx, ast.Load)]
    if not uses:
        return False
    accounted: set[int] = set()
    for node in fs.of(ast.Attribute):
        value = node.value
        if isinstance(value, ast.Name) and value.id in names:
            if node.attr == field or node.attr in _WHOLE:
                return True
            accounted.add(id(value))
    for site in project_calls(index, fs):
        passed = {
            param: [a for a in args if isinstance(a, ast.Name) and a.id in names]
            for param, args in site.bound.items()
        }
        seeds = frozenset(p for p, args in passed.items() if args)
        if not seeds:
            continue
        if depth <= 0 or touches(index, site.callee, seeds, field, depth - 1):
            return True
        accounted.update(id(a) for args in passed.values() for a in args)
    return any(id(n) not in accounted for n in uses)
