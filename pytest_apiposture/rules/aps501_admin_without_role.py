"""APS501: an admin-looking route checks who the caller is but not what they may do."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..knowledge import ADMIN_PATH_PATTERN
from ..model import Auth, Confidence, Finding, GuardRole, Kind, Route, Severity
from ..static.guardcode import code_facts
from .base import Rule, RuleContext

_ADMIN_PATH = re.compile(ADMIN_PATH_PATTERN, re.IGNORECASE)
_ADMIN_NAME = re.compile(r"(?:^|_)(?:admin|superuser|staff)(?:_|$)", re.IGNORECASE)


# every match of the patterns above contains one of these (lower-case) words
_PATH_WORDS = ("admin", "internal", "manage", "staff", "superuser", "ops", "debug")
_NAME_WORDS = ("admin", "superuser", "staff")


_ROLE_FIELDS = frozenset(
    {"role", "roles", "is_admin", "is_superuser", "is_staff", "permissions", "scopes", "groups"}
)


def grants_role(route: Route) -> str:
    """The role-granting body field a write route on another object takes (``PUT
    /users/{user_id}`` with ``role``), or "": granting a role to someone is a function;
    setting one's own (``PATCH /users/me``) is mass assignment, APS303's."""
    if not route.is_write or not route.path_params:
        return ""
    return next((f.name for f in route.body_fields if f.name.lower() in _ROLE_FIELDS), "")


def unguarded_siblings(routes: Sequence[Route]) -> list[Finding]:
    """A route that alone among its siblings (same handler module, same resource: the path
    without its trailing parameters, three or more routes) carries no role guard, while
    every sibling does: the guard was forgotten on this one. A post-pass over every route
    (it reads its siblings)."""
    groups: dict[tuple[str, str], list[Route]] = {}
    for route in routes:
        if route.kind != "http" or route.auth is not Auth.AUTHENTICATED:
            continue
        parts = route.path.rstrip("/").split("/")
        while parts and parts[-1].startswith("{"):
            parts.pop()  # /carts/{cart_id} is the carts resource
        groups.setdefault((route.handler.partition(":")[0], "/".join(parts)), []).append(route)
    out: list[Finding] = []
    for members in groups.values():
        if len(members) < 3:
            continue
        bare = [r for r in members if not any(g.role is GuardRole.AUTHORIZATION for g in r.guards)]
        if len(bare) != 1 or any(r.handler == bare[0].handler for r in members if r is not bare[0]):
            continue
        route = bare[0]
        if looks_administrative(route) or grants_role(route):
            continue  # the route rule already reports it
        guard = next(g for r in members if r is not route for g in r.guards
                     if g.role is GuardRole.AUTHORIZATION)  # fmt: skip
        out.append(
            AdminWithoutRole.new_finding(
                message=(
                    f"{route.key} is the only route of its {len(members)} siblings without a "
                    f"role guard (they use {guard.name.rpartition('.')[2]})"
                ),
                method=route.method,
                path=route.path,
                location=route.location,
                evidence=f"siblings: {', '.join(r.key for r in members if r is not route)}",
            )
        )
    return out


def looks_administrative(route: Route) -> bool:
    """An admin path segment or a handler named ``admin_*`` / ``*_admin``."""
    function = route.handler.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    return bool(
        (_may_contain(route.path, _PATH_WORDS) and _ADMIN_PATH.search(route.path))
        or (_may_contain(function, _NAME_WORDS) and _ADMIN_NAME.search(function))
    )


def _may_contain(text: str, words: tuple[str, ...]) -> bool:
    """False only when the case-insensitive patterns cannot match: on ASCII text, lowering
    is exact; other text goes to the regex (Unicode case folding differs)."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(word in lowered for word in words)


class AdminWithoutRole(Rule):
    """
    ## What it does
    Flags a route that looks administrative (``/admin/...``, ``/internal/...``,
    ``/manage/...``, or a handler named ``admin_*``) and is protected by authentication
    alone: no guard and no code in the handler checks a role, scope or permission.

    ## Why is this bad?
    Every signed-up user passes an authentication-only guard. Function-level
    authorization flaws let ordinary users call admin operations: list all users,
    change roles, delete accounts (OWASP API5:2023).

    ## Example
    ```python
    @router.delete("/admin/users/{user_id}")
    def delete_user(user_id: int, user: User = Depends(get_current_user)): ...
    ```

    ## Use instead
    ```python
    def require_admin(user: User = Depends(get_current_user)) -> User:
        if not user.is_admin:
            raise HTTPException(status_code=403)
        return user

    @router.delete("/admin/users/{user_id}")
    def delete_user(user_id: int, admin: User = Depends(require_admin)): ...
    ```
    or ``Security(get_current_user, scopes=["admin"])``; in Flask a ``@roles_required``
    style decorator that aborts with 403.

    ## Known problems
    Recognises admin routes by path and handler name only; an admin operation under an
    ordinary path is not seen. A role check done in a helper the handler calls (rather
    than in a guard or in the handler) is not seen.

    ## References
    - OWASP API5:2023 Broken Function Level Authorization
    - CWE-285: Improper Authorization
    """

    code = "APS501"
    name = "admin-route-without-role-check"
    kind = Kind.FUNCTION_LEVEL_AUTH
    owasp = "API5:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 285
    message = "{route} looks administrative but only checks that the caller is logged in"
    remediation = (
        "Add an authorization guard that checks a role or scope and denies with 403, e.g. "
        "`Depends(require_admin)` / `Security(get_current_user, scopes=['admin'])`, or a Flask "
        "decorator that aborts with 403 unless `current_user.is_admin`."
    )

    def applies(self, route: Route) -> bool:
        if not super().applies(route) or route.auth is not Auth.AUTHENTICATED:
            return False
        if any(g.role is GuardRole.AUTHORIZATION for g in route.guards):
            return False
        return looks_administrative(route) or bool(grants_role(route))

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        assert ctx.route is not None  # a route rule
        if ctx.route.handler in ctx.knowledge.library_authorizing_handlers:
            return  # a library view that checks a permission in code the pass does not read
        if (
            ctx.handler is not None
            and code_facts(ctx.index, ctx.handler, ctx.knowledge).checks_role
        ):
            return
        granted = grants_role(ctx.route)
        message = None
        if granted and not looks_administrative(ctx.route):
            message = (
                f"{{route}} writes `{granted}` from the request body and checks no role: any "
                "logged-in caller can grant a role"
            )
        finding = self.at_handler(ctx, message=message)
        if finding is not None:
            yield finding
