"""APS802: CORS allows any origin and credentials together."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..model import Confidence, Finding, Kind, Severity
from ..static.source import ModuleSource, SourceIndex
from ..static.syntax import TextFilter, call_name, dotted
from .base import Rule, RuleContext, module_nodes

_ANY_ORIGIN_REGEX = frozenset({".*", "^.*$", "https?://.*", "^https?://.*$", ".+", "*"})


class CorsWildcardCredentials(Rule):
    """
    ## What it does
    Flags a CORS configuration that allows every origin and credentials at once:
    Starlette/FastAPI ``CORSMiddleware`` with ``allow_origins=["*"]`` (or
    ``allow_origin_regex=".*"``) and ``allow_credentials=True``; flask-cors ``CORS(...)``
    or ``@cross_origin(...)`` with ``supports_credentials=True`` and the default or a
    ``"*"`` origin.

    ## Why is this bad?
    With credentials allowed, these middlewares echo the caller's ``Origin`` back, so
    any web page a logged-in user visits can call the API with the user's cookies and
    read the answers.

    ## Example
    ```python
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    ```

    ## Use instead
    ```python
    app.add_middleware(
        CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True
    )
    ```

    ## Known problems
    Origins read from configuration at run time are not evaluated; only literals and
    module constants are.

    ## References
    - OWASP API8:2023 Security Misconfiguration
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    """

    code = "APS802"
    name = "cors-wildcard-with-credentials"
    kind = Kind.MISCONFIGURATION
    owasp = "API8:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 942
    scope = "project"
    text_filter = TextFilter((b"cors",), rb"cors")
    message = "CORS allows any origin together with credentials"
    remediation = (
        "List the trusted origins explicitly (`allow_origins=['https://app.example.com']`) "
        "when credentials are allowed, or drop `allow_credentials` / `supports_credentials`."
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        module = ctx.module
        if module is None:  # (the pass skipped files ``text_filter`` rules out)
            return
        for node in module_nodes(ctx):
            if isinstance(node, ast.Call) and _wildcard_with_credentials(ctx.index, module, node):
                yield self.finding(ctx, file=module.path, line=node.lineno)


def _wildcard_with_credentials(index: SourceIndex, module: ModuleSource, call: ast.Call) -> bool:
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    name = call_name(call)
    if name in {"add_middleware", "Middleware"}:
        # the class: positional, or by Starlette's keyword (``middleware_class=``, ``cls=``)
        cls = call.args[0] if call.args else kwargs.get("middleware_class") or kwargs.get("cls")
        if not dotted(cls).endswith("CORSMiddleware"):
            return False
        if index.literal(module, kwargs.get("allow_credentials")) is not True:
            return False
        origins = index.literal(module, kwargs.get("allow_origins"))
        regex = index.literal(module, kwargs.get("allow_origin_regex"))
        return _has_star(origins) or (isinstance(regex, str) and regex in _ANY_ORIGIN_REGEX)
    if name in {"CORS", "cross_origin"}:
        if index.literal(module, kwargs.get("supports_credentials")) is not True:
            return False
        if "origins" in kwargs:
            return _has_star(index.literal(module, kwargs["origins"]))
        resources = index.literal(module, kwargs.get("resources"))
        if isinstance(resources, dict):
            return any(
                not isinstance(v, dict) or "origins" not in v or _has_star(v["origins"])
                for v in resources.values()
            )
        # path patterns alone (a string or a list), or none given: flask-cors's default
        # origins, "*" (an explicit ``resources=None`` is an error in flask-cors)
        return True
    return False


def _has_star(value: object) -> bool:
    if isinstance(value, str):
        return value in {"*", ".*"}
    return isinstance(value, tuple) and any(v == "*" for v in value)
