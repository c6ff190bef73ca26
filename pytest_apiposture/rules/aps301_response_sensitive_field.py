"""APS301: the response model declares a field that must not leave the server."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Confidence, Finding, Kind, Route, Severity
from ._models import field_line, find_class
from .base import Rule, RuleContext

# Issuing a token is what a login route is for (/auth/token, /auth/token/cli, /login,
# /csrf-token): a path segment that is, or ends in, one of these words.
_TOKEN_ROUTE = re.compile(
    r"/(?:[\w.-]*[-_])?(?:tokens?|login|signin|sign-in|refresh|register|signup|sign-up)(?:/|$)"
)
_TOKEN_FIELD = re.compile(r"^(?:access_?token|refresh_?token|id_?token|token|token_?type)$", re.I)
# A key or client secret is issued once, to the caller of a POST that creates it: the
# path's last segment says so (``/key/generate``, ``/connect/exchange``, ``POST /api-keys``)
_ISSUED_KEY_FIELD = re.compile(r"^(?:api_?key|key|client_?secret|secret_?key)$", re.I)
_ISSUING_SEGMENT = re.compile(
    r"(?:^|[-_])(?:generate|regenerate|issue|rotate|exchange|create|new|keys|secrets|"
    r"credentials|tokens?)$",
    re.I,
)
# The secret is text: a field typed as a number, a flag, a date or a nested model (or a
# collection of them) holds no secret itself; ``int`` only when its name counts something.
# Pydantic sends a SecretStr / SecretBytes as "**********": capitalised, no text type here.
_TEXT_TYPES = frozenset({"str", "bytes", "Any", "object", "Json"})
_NOT_TEXT_SCALARS = frozenset({"bool", "float", "datetime", "date", "time", "timedelta",
                               "Decimal"})  # fmt: skip
_CONTAINERS = frozenset({"list", "List", "dict", "Dict", "tuple", "Tuple", "set", "Set",
                         "frozenset", "Sequence", "Mapping", "Optional", "Union", "None"})  # fmt: skip
_COUNT_NAME = re.compile(r"^(?:total|num|n|count)_|_(?:count|total)$", re.I)
_TYPE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ResponseSensitiveField(Rule):
    """
    ## What it does
    Flags a sensitive field (``password``, ``hashed_password``, ``api_key``,
    ``reset_token``, ``ssn``, ...) declared in a route's response model. The finding
    points at the field's line in the model class.

    ## Why is this bad?
    The response model is the filter between the database row and the client. A
    sensitive field in it is sent to every caller of every route that uses the model
    (excessive data exposure, OWASP API3:2023).

    ## Example
    ```python
    class UserOut(BaseModel):
        id: int
        email: str
        hashed_password: str
    ```

    ## Use instead
    ```python
    class UserOut(BaseModel):
        id: int
        email: str
    ```
    or ``hashed_password: str = Field(exclude=True)``.

    ## Known problems
    Judged by field name (the ``sensitive_fields`` setting extends the list). Token
    fields in the response of a login/token route, of a POST that creates the token for
    its caller, or of a handler that takes that token as a parameter (the caller sent it:
    ``connection_test_token`` in, ``token`` back) are expected and not reported; so are
    an ``api_key`` / ``client_secret`` returned by a POST whose last path segment issues
    one (``/key/generate``, ``/connect/exchange``, ``POST /api-keys``), a field the
    route is named after (``GET /auths/api_key`` answering ``api_key``, ``PUT
    /webhooks/{id}/secret`` answering ``secret``: the route shows or rotates that
    credential, to whom is the guard's business), and a field whose
    ``field_validator``/``field_serializer`` only ever returns it redacted
    (``return redact(v)``, ``"***"``). A secret is text: a field declared as a number,
    flag, date or nested model (``api_keys: list[KeyUsageRow]``, ``total_api_keys:
    int``) is not reported (a nested model's own fields are not read), nor is a
    ``SecretStr`` / ``SecretBytes`` (Pydantic sends ``"**********"``); an ``int`` is
    reported unless its name counts (``total_``, ``_count``), since PINs are numbers.
    Attribution fields (``changed_by_api_key``, ``created_by_token``) record which
    credential acted and are not reported.

    ## References
    - OWASP API3:2023 Broken Object Property Level Authorization
    - CWE-213: Exposure of Sensitive Information Due to Incompatible Policies
    """

    code = "APS301"
    name = "response-sensitive-field"
    kind = Kind.DATA_EXPOSURE
    owasp = "API3:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 213
    message = "{route} returns the sensitive field `{field}` ({model})"
    remediation = (
        "Drop the field from the response model (a separate `UserOut` without it) or mark it "
        "`Field(exclude=True)`."
    )

    def applies(self, route: Route) -> bool:
        return super().applies(route) and bool(route.response_fields)

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        route = ctx.route
        assert route is not None
        issues_tokens = route.method == "POST" or bool(_TOKEN_ROUTE.search(route.path))
        issues_keys = route.method == "POST" and _issuing_path(route.path)
        presented = set(ctx.handler.params) if ctx.handler is not None else set()
        sensitive = [
            f
            for f in route.response_fields
            if ctx.knowledge.is_sensitive_field(f.name)
            and _holds_text(f.name, f.type)
            and not (
                _TOKEN_FIELD.match(f.name)
                and (issues_tokens or any(p.endswith(f.name) for p in presented))
            )
            and not (issues_keys and _ISSUED_KEY_FIELD.match(f.name))
            and not _named_for(route.path, f.name)
        ]
        if not sensitive:
            return
        cls = find_class(ctx.index, ctx.handler, route.response_model)
        for field in sensitive:
            message = self.message.replace("{field}", field.name).replace(
                "{model}", route.response_model or "response"
            )
            where = field_line(ctx.index, cls, field.name) if cls is not None else None
            if where is not None and where.excluded:
                continue
            if where is not None:
                yield self.finding(
                    ctx,
                    file=where.module.path,
                    line=where.line,
                    symbol=f"{route.response_model}.{field.name}",
                    message=message,
                )
            elif (finding := self.at_handler(ctx, message=message)) is not None:
                yield finding


def _issuing_path(path: str) -> bool:
    statics = [s for s in path.strip("/").split("/") if s and not s.startswith("{")]
    return bool(statics) and _ISSUING_SEGMENT.search(statics[-1]) is not None


def _named_for(path: str, name: str) -> bool:
    """The path's last static segment is the field (``GET /auths/api_key`` answering
    ``api_key``, ``PUT /webhooks/{id}/secret`` answering ``secret``): showing or rotating
    that credential is what the route is for."""
    statics = [s for s in path.strip("/").split("/") if s and not s.startswith("{")]
    return bool(statics) and statics[-1].lower().replace("-", "_") == name.lower()


def _holds_text(name: str, type_display: str) -> bool:
    """The field's declared type may hold the secret's text (unknown types may)."""
    words = set(_TYPE_WORD.findall(type_display))
    if not words or words & _TEXT_TYPES:
        return True
    if words & {"int", "UUID"}:  # a PIN, a numeric or UUID key; a count is none
        return not (_COUNT_NAME.search(name) and not words & {"UUID"})
    # numbers, flags, dates and nested models (capitalised names that are no text type)
    rest = words - _CONTAINERS - _NOT_TEXT_SCALARS
    return any(not w[:1].isupper() for w in rest)
