"""APS202: the route's only auth guard lets anonymous callers through."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Auth, Confidence, Finding, GuardRole, Kind, Severity
from .base import Rule, RuleContext


class OptionalAuth(Rule):
    """
    ## What it does
    Flags a route whose only authentication guard is optional: a security scheme with
    ``auto_error=False`` (or a hand-written dependency) that returns ``None`` instead of
    rejecting a request without credentials, and the handler does not reject it either.

    ## Why is this bad?
    The route looks protected in review and in the OpenAPI schema (it carries a
    security requirement), yet an anonymous request reaches the handler. Any code that
    then treats ``user`` as present, or simply skips the check, serves anonymous callers.

    ## Example
    ```python
    bearer = HTTPBearer(auto_error=False)

    def get_user(creds=Depends(bearer)):
        if creds is None:
            return None
        return decode(creds.credentials)

    @app.get("/orders")
    def orders(user=Depends(get_user)): ...
    ```

    ## Use instead
    ```python
    def get_user(creds=Depends(bearer)):
        if creds is None:
            raise HTTPException(status_code=401, detail="Not authenticated")
        return decode(creds.credentials)
    ```
    Keep optional authentication for routes that are public by design and declare them
    public.

    ## Known problems
    A handler that checks the optional user in a helper function it calls is not seen;
    the APS251 probe confirms with a real anonymous request.

    ## References
    - OWASP API2:2023 Broken Authentication
    - FastAPI: Security - `auto_error`
    """

    code = "APS202"
    name = "optional-auth"
    kind = Kind.MISSING_AUTH
    owasp = "API2:2023"
    severity = Severity.MEDIUM
    confidence = Confidence.LIKELY
    cwe = 306
    message = "{route} is guarded only by optional authentication ({guards})"
    remediation = (
        "Make the guard reject anonymous callers: `raise HTTPException(status_code=401)` "
        "when the credential is missing (or use the scheme with `auto_error=True`), or declare "
        "the route public if anonymous access is intended."
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        assert ctx.route is not None
        if ctx.route.auth is not Auth.OPTIONAL:
            return
        optional = [g.name for g in ctx.route.guards if g.role is GuardRole.OPTIONAL_AUTH]
        finding = self.at_handler(
            ctx,
            message=self.message.replace("{guards}", ", ".join(optional)),
            severity=Severity.HIGH if ctx.route.is_write else Severity.MEDIUM,
        )
        if finding is not None:
            yield finding
