"""APS201: a route that is not public has no authenticating guard."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..model import Auth, Confidence, Finding, Kind, Location, Route, Severity
from .base import Rule, RuleContext


class MissingAuth(Rule):
    """
    ## What it does
    Flags a route that no guard protects: no authentication dependency, decorator or
    ``before_request`` hook rejects anonymous callers, and the route is not declared
    public (``public`` setting, ``@apiposture.public``).

    ## Why is this bad?
    Anyone who can reach the server can call the endpoint. A forgotten
    ``Depends(get_current_user)`` on one route of an otherwise protected router is the
    most common way data and write operations leak (OWASP API2:2023).

    ## Example
    ```python
    @router.delete("/items/{item_id}")
    def delete_item(item_id: int, db: Session = Depends(get_db)):
        db.delete(db.get(Item, item_id))
    ```

    ## Use instead
    ```python
    @router.delete("/items/{item_id}")
    def delete_item(item_id: int, user: User = Depends(get_current_user), ...):
        ...
    ```
    or protect the whole router: ``APIRouter(dependencies=[Depends(get_current_user)])``;
    in Flask, ``@login_required`` or a ``before_request`` hook that aborts with 401.

    Routes that are public by purpose (a login, sign-up, token, password-reset or OAuth
    callback route, a health or version probe, the app's docs and schema, a static asset,
    under any prefix) are not flagged unless a guard is visible (a visible guard always
    wins); ``apiposture routes`` lists them with the reason. A guard whose refusal depends
    on a setting makes the route ``conditional``: not flagged, the probe settles it. An
    app that authenticates no route at all, or a stray few (under 5% of the routes that
    are not public: one admin page, a check read as a guard), gets one app-level finding,
    not one per route (``auth = "none"`` declares it open by design: info).

    ## Known problems
    Authentication done by ASGI/WSGI middleware or a reverse proxy is invisible to the
    route graph; declare such routes public or add a guard the framework can see. Reads
    are reported as high as writes: "not public" means someone decided it needs a caller.
    Purpose is read from path words and handler names: an unguarded route named like a
    login (``/api/login``) that is not one is not flagged.

    ## References
    - OWASP API2:2023 Broken Authentication
    - CWE-306: Missing Authentication for Critical Function
    """

    code = "APS201"
    name = "missing-auth"
    kind = Kind.MISSING_AUTH
    owasp = "API2:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 306
    message = "{route} is not public and no guard rejects anonymous callers"
    remediation = (
        "Require authentication: FastAPI `user: User = Depends(get_current_user)` (or "
        "`APIRouter(dependencies=[Depends(get_current_user)])`); Flask `@login_required` or "
        "a `before_request` hook that aborts with 401. If the route is meant to be public, "
        "declare it with `@apiposture.public` or the `public` setting."
    )

    # applies() is the base one: every HTTP route gets an APS201 item, so an
    # authenticated or public route shows as checked and passing, not as absent.

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        assert ctx.route is not None
        if ctx.route.auth is not Auth.NONE:
            return
        # reads too: a non-public route that answers anyone leaks whatever it returns
        finding = self.at_handler(ctx, severity=Severity.HIGH)
        if finding is not None:
            yield finding


_APP_LEVEL_MIN = 3  # open routes before one app-level finding replaces them
_GUARDED = frozenset({Auth.AUTHENTICATED, Auth.OPTIONAL, Auth.CONDITIONAL})
# Guarded routes below this share of the routes that are not public are strays (a
# pagination check read as a guard, one admin page): the app as a whole authenticates
# nothing, and one app-level finding says so better than hundreds of identical ones.
STRAY_SHARE = 0.05


def open_app(
    routes: Sequence[Route], findings: list[Finding], *, declared_open: bool, app_file: str | None
) -> list[Finding]:
    """An app that authenticates no route (or a stray few: under ``STRAY_SHARE`` of the
    routes that are not public) is one app-level finding, not one per route: either it
    is open by design (say so: ``auth = "none"``, and it reports at info) or its
    authentication lives where the route graph cannot see it (a proxy)."""
    http = [r for r in routes if r.kind == "http"]
    guarded = [r for r in http if r.auth in _GUARDED]
    judged = sum(1 for r in http if r.auth is not Auth.PUBLIC)
    if not http or len(guarded) >= max(1, STRAY_SHARE * judged):
        if declared_open:  # open by design: what is open is listed, not failed
            return [
                replace(f, severity=Severity.INFO) if f.code == MissingAuth.code else f
                for f in findings
            ]
        return findings
    per_route = [f for f in findings if f.code == MissingAuth.code and f.method]
    if len(per_route) < _APP_LEVEL_MIN:
        return findings  # two findings are no noise, and a probe can refute each
    rest = [f for f in findings if not (f.code == MissingAuth.code and f.method)]
    listed = ", ".join(f.route_key for f in per_route[:10])
    more = f" and {len(per_route) - 10} more" if len(per_route) > 10 else ""
    severity = Severity.INFO if declared_open else Severity.HIGH
    strays = (
        f"almost no route ({len(guarded)} of {judged} guarded: "
        + ", ".join(r.key for r in guarded[:3])
        + (", ..." if len(guarded) > 3 else "")
        + ")"
        if guarded
        else "no route"
    )
    app = MissingAuth.new_finding(
        severity=severity,
        message=(
            f"this API authenticates {strays}: {len(per_route)} routes answer anonymous "
            + ('callers (declared open by design: auth = "none")' if declared_open else "callers")
        ),
        remediation=(
            "If the API is open by design (run behind an authenticating proxy, a local "
            'tool), declare it: `auth = "none"` in [tool.apiposture]. Otherwise add an '
            "authentication dependency to the app or its routers "
            "(`FastAPI(dependencies=[Depends(get_current_user)])`, a `before_request` hook)."
        ),
        location=Location(app_file, 1, "<app>") if app_file else None,
        evidence=f"routes without authentication: {listed}{more}",
    )
    quiet = [replace(f, severity=Severity.INFO) for f in per_route] if declared_open else []
    return [app, *rest, *quiet]
