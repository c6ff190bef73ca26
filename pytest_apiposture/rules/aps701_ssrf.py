"""APS701: a request parameter decides where the server sends an HTTP request."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from functools import partial

from ..model import Confidence, Finding, Kind, Severity
from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name, dotted, unparse, walk
from ._dataflow import derives, request_params, tainted_names
from .base import Rule, RuleContext

_HTTP_VERBS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"}
)
_CLIENT_MODULES = ("requests", "httpx", "aiohttp", "urllib3")
_CLIENT_FACTORIES = re.compile(r"(?:Session|Client|AsyncClient|ClientSession|PoolManager)$")
_HOST_DONE = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]+/", re.IGNORECASE)


class ServerSideRequestForgery(Rule):
    """
    ## What it does
    Flags an outbound HTTP call (``requests``, ``httpx``, ``aiohttp``, ``urllib``) in a
    handler whose URL comes from a request parameter: a query/path/body value, Flask
    ``request.args``/``request.json``, or a string built from one where the parameter
    controls the scheme or host.

    ## Why is this bad?
    The caller makes the server fetch any URL it can reach: cloud metadata endpoints
    (``169.254.169.254``), admin interfaces on localhost, internal services behind the
    firewall (server-side request forgery, OWASP API7:2023).

    ## Example
    ```python
    @app.get("/preview")
    def preview(url: str):
        return httpx.get(url).text
    ```

    ## Use instead
    ```python
    ALLOWED_HOSTS = {"images.example.com"}

    @app.get("/preview")
    def preview(url: str):
        if urlparse(url).hostname not in ALLOWED_HOSTS:
            raise HTTPException(status_code=400)
        return httpx.get(url, follow_redirects=False).text
    ```

    ## Known problems
    Preview: follows the value through local assignments only, and takes any
    membership test on the URL or its parsed host as a sufficient allowlist. A
    parameter used only in the path of a fixed host (``f"https://api.example.com/{id}"``)
    is not reported.

    ## References
    - OWASP API7:2023 Server Side Request Forgery
    - CWE-918: Server-Side Request Forgery (SSRF)
    """

    code = "APS701"
    name = "ssrf"
    kind = Kind.SSRF
    owasp = "API7:2023"
    severity = Severity.HIGH
    confidence = Confidence.POSSIBLE
    cwe = 918
    status = "preview"
    message = "{route} sends an HTTP request to a URL the caller controls (`{arg}`)"
    remediation = (
        "Check the target against an allowlist before the call "
        "(`if urlparse(url).hostname not in ALLOWED_HOSTS: raise HTTPException(400)`), or "
        "take an identifier and build the URL server-side."
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        handler = ctx.handler
        if handler is None or handler.is_lambda:
            return
        text = handler.text
        if not any(m in text for m in (*_CLIENT_MODULES, "urlopen", "Request(")):
            return
        cleans = partial(_is_validator_call, ctx.index, handler)
        tainted = tainted_names(handler, request_params(ctx.index, handler), cleans)
        for call, url in _outbound(handler):
            if _host_controlled(url, tainted) and not _allowlisted(handler, tainted, call.lineno):
                finding = self.at_handler(
                    ctx,
                    message=self.message.replace("{arg}", unparse(url)[:60])
                    + f" (line {call.lineno})",
                )
                if finding is not None:
                    yield finding
                return


def _outbound(handler: FunctionSource) -> Iterator[tuple[ast.Call, ast.expr]]:
    clients = _client_names(handler)
    for call in handler.calls:
        name = dotted(call.func)
        root = name.split(".", 1)[0]
        verb = call_name(call)
        is_client = (root in _CLIENT_MODULES or root in clients) and verb in _HTTP_VERBS
        if not (is_client or verb == "urlopen" or name.endswith("request.Request")):
            continue
        position = 1 if verb == "request" else 0
        url = next((k.value for k in call.keywords if k.arg == "url"), None)
        if url is None and len(call.args) > position:
            url = call.args[position]
        if url is not None:
            yield call, url


def _client_names(handler: FunctionSource) -> set[str]:
    """``client = httpx.Client()`` and ``async with httpx.AsyncClient() as client``."""
    names = {
        name
        for name, values in handler.assignments.items()
        if any(isinstance(v, ast.Call) and _CLIENT_FACTORIES.search(dotted(v.func)) for v in values)
    }
    for node in handler.body_nodes:
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            expr = node.context_expr
            if isinstance(expr, ast.Call) and _CLIENT_FACTORIES.search(dotted(expr.func)):
                names.add(node.optional_vars.id)
    return names


def _host_controlled(url: ast.expr, tainted: set[str]) -> bool:
    """True unless the tainted part comes after a fixed ``scheme://host/`` prefix."""
    if isinstance(url, ast.JoinedStr):
        prefix = ""
        for part in url.values:
            if isinstance(part, ast.Constant):
                prefix += str(part.value)
            elif derives(part, tainted):
                return not _HOST_DONE.match(prefix)
            else:
                prefix += "x"
        return False
    if isinstance(url, ast.BinOp) and isinstance(url.op, ast.Add):
        left = url.left
        if (
            isinstance(left, ast.Constant)
            and isinstance(left.value, str)
            and _HOST_DONE.match(left.value)
        ):
            return False
    return derives(url, tainted)


def _is_validator_call(index: SourceIndex, handler: FunctionSource, value: ast.expr) -> bool:
    """A call to a project function that tests its input against fixed values and raises:
    ``url = allowlisted_image_url(body.url)``."""
    if not isinstance(value, ast.Call):
        return False
    name = dotted(value.func)
    found = index.resolve(handler.module, name) if name else None
    if found is None or not isinstance(found.node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    nodes = list(walk(found.node))
    raises = any(
        isinstance(n, ast.Raise) or (isinstance(n, ast.Call) and call_name(n) == "abort")
        for n in nodes
    )
    tests = any(
        (isinstance(n, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in n.ops))
        or (isinstance(n, ast.Call) and call_name(n) == "startswith")
        for n in nodes
    )
    return raises and tests


def _allowlisted(handler: FunctionSource, tainted: set[str], before: int) -> bool:
    """An ``if`` before the call that tests the URL (or its parsed host) against fixed values:
    ``in``/``not in`` a collection, ``==``/``!=`` a string, or ``.startswith(...)``."""
    for node in handler.body_nodes:
        if not isinstance(node, ast.If) or node.lineno >= before:
            continue
        for sub in walk(node.test):
            if isinstance(sub, ast.Compare) and derives(sub.left, tainted):
                if any(isinstance(op, ast.In | ast.NotIn) for op in sub.ops):
                    return True
                if any(isinstance(c, ast.Constant) and c.value for c in sub.comparators):
                    return True
            if (
                isinstance(sub, ast.Call)
                and call_name(sub) == "startswith"
                and isinstance(sub.func, ast.Attribute)
                and derives(sub.func.value, tainted)
            ):
                return True
    return False
