"""APS201: a route that is not public has no authenticating guard."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Auth, Confidence, Finding, Kind, Severity
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

    ## Known problems
    Authentication done by ASGI/WSGI middleware or a reverse proxy is invisible to the
    route graph; declare such routes public or add a guard the framework can see. Reads
    are reported as high as writes: "not public" means someone decided it needs a caller.

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
