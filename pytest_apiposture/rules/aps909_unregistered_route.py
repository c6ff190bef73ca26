"""APS909: a route decorator in source whose route the app never registers."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Confidence, Finding, Kind, Severity
from ._decorators import ROUTE_DECORATOR_TEXT, route_decorators
from .base import Rule, RuleContext


class UnregisteredRoute(Rule):
    """
    ## What it does
    Reports a route decorator in the project's source (``@router.get("/x")``,
    ``@bp.route("/x")``) whose function the running app does not serve: a router that
    was never included, a blueprint that was never registered, a module nobody
    imports.

    ## Why is this bad?
    Usually nothing, today: it is information. But dead routes drift: a later
    ``include_router`` or an import brings an endpoint back that nobody reviewed with
    the current guards (improper inventory management, OWASP API9:2023). AST-only
    scanners report these as live routes; the runtime inventory shows they are not.

    ## Example
    ```python
    legacy = APIRouter(prefix="/v1")

    @legacy.get("/export")  # legacy is never included
    def export_all(): ...
    ```

    ## Use instead
    Delete the dead code, or include the router deliberately with its guards.

    ## Known problems
    A view registered with ``add_url_rule``/``add_api_route`` under a function that
    also carries an unused decorator is matched by its ``def`` line and not reported.

    ## References
    - OWASP API9:2023 Improper Inventory Management
    """

    code = "APS909"
    name = "unregistered-route-decorator"
    kind = Kind.SHADOW_ENDPOINT
    owasp = "API9:2023"
    severity = Severity.INFO
    confidence = Confidence.LIKELY
    scope = "project"
    text_filter = ROUTE_DECORATOR_TEXT
    message = '`@{owner}.{verb}("{path}")` on `{function}` is never registered by the app'
    remediation = (
        "Remove the unused route code, or mount it deliberately "
        "(`app.include_router(router)` / `app.register_blueprint(bp)`) and check its guards."
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        module = ctx.module
        if module is None:
            return
        for decorator in route_decorators(ctx.index, module):
            if (module.path, decorator.def_line) in ctx.handler_defs:
                continue
            message = (
                self.message.replace("{owner}", decorator.owner)
                .replace("{verb}", "/".join(m.lower() for m in decorator.methods))
                .replace("{path}", decorator.path)
                .replace("{function}", decorator.function)
            )
            yield self.finding(
                ctx,
                file=module.path,
                line=decorator.line,
                symbol=decorator.function,
                message=message,
            )
