"""APS303: a request body model accepts fields a client must never set."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Confidence, Finding, GuardRole, Kind, Route, Severity
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
    Judged by field name (the ``privileged_fields`` setting extends the list); a
    privileged field the handler then ignores is still reported, because the API
    contract still advertises it.

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
        privileged = [f for f in route.body_fields if ctx.knowledge.is_privileged_field(f.name)]
        if not privileged:
            return
        cls = find_class(ctx.index, ctx.handler, route.body_model)
        for field in privileged:
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
