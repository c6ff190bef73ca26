"""APS701: a request parameter decides where the server sends an HTTP request."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from functools import partial

from ..model import Confidence, Finding, Kind, Severity
from ..static.guardcode import dependency_params
from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name, dotted, unparse, walk
from ._calls import Hit, mentions, reach
from ._dataflow import derives, reads_request, request_params, tainted_names
from ._http import CLIENT_MODULES, HTTP_VERBS
from ._project import project_def
from .base import Rule, RuleContext

_CLIENT_FACTORIES = re.compile(r"(?:Session|Client|AsyncClient|ClientSession|PoolManager)$")
_CLIENT_WORDS = (*CLIENT_MODULES, "urlopen", "Request(")
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
    Preview: follows the value through local assignments and into project functions
    the handler calls (arguments bound to parameters, three calls deep), and takes any
    membership test on the URL or its parsed host as a sufficient allowlist. A
    parameter used only in the path of a fixed host is not reported: a literal one
    (``f"https://api.example.com/{id}"``) or one configuration chooses
    (``f"{settings.BASE_URL}/items/{id}"``, a module constant, ``os.environ[...]``)
    followed by a ``/``; whoever sets that configuration is trusted with it. Nor is a
    URL the caller picks by key from a module-level or configured mapping
    (``httpx.get(KNOWN_VIEWS[view])``), directly or through a project function whose
    every answer is an item of a list it reads from configuration (``url = await
    get_connection(url_idx)`` returning ``base_urls[url_idx]``, ``base_urls`` read from
    the settings, not from its parameters). A URL an administrator sends to an
    administrators-only route is still reported: an administrator is not always the
    one who runs the server (cloud metadata, internal services).

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
        if handler is None:
            return
        index = ctx.index
        if not may_send(index, handler):
            return
        hit = reach(
            index,
            handler,
            frozenset(request_params(index, handler)),
            question="ssrf",
            words=_CLIENT_WORDS,
            local=_controlled_call,
            taint=partial(_tainted, index),
            follow=_follow,
            carries=_host_controlled,
        )
        if hit is not None:
            finding = self.at_handler(
                ctx,
                message=self.message.replace("{arg}", hit.detail)
                + (
                    f" (line {hit.line})"
                    if not hit.via
                    else f"{hit.chain()} ({index.display(hit.path)}:{hit.line})"
                ),
            )
            if finding is not None:
                yield finding


def may_send(index: SourceIndex, fs: FunctionSource) -> bool:
    """The function or one it calls names an HTTP client (a text test)."""
    return mentions(index, fs, _CLIENT_WORDS)


def _tainted(index: SourceIndex, fs: FunctionSource, seeds: frozenset[str]) -> set[str]:
    """Names the caller's data reaches; a value validated (``allowlisted(url)``) or a URL
    whose host is fixed (``f"{BASE_URL}/items/{name}"``) does not pass it on."""

    def cleans(value: ast.expr, tainted: set[str]) -> bool:
        # judged with the names tainted so far: ``target = f"{url}/status"`` keeps the
        # caller's host, ``f"{BASE_URL}/items/{name}"`` and ``KNOWN_VIEWS[view]`` do not
        if not _host_controlled(index, fs, value, tainted):
            return True
        return _is_validator_call(index, fs, value) or _picks_configured(index, fs, value)

    return tainted_names(fs, set(seeds), cleans)


def _follow(callee: FunctionSource, seeds: frozenset[str]) -> bool:
    return bool(seeds) or reads_request(callee)


def _controlled_call(index: SourceIndex, fs: FunctionSource, seeds: frozenset[str]) -> Hit | None:
    """The first outbound call of ``fs`` whose host the seeds (or request data) decide."""
    if not any(m in fs.text for m in _CLIENT_WORDS):
        return None
    if not seeds and not reads_request(fs):
        return None
    tainted = _tainted(index, fs, seeds)
    for call, url in _outbound(fs):
        if _host_controlled(index, fs, url, tainted) and not _allowlisted(fs, tainted, call.lineno):
            return Hit(fs.path, call.lineno, unparse(url)[:60])
    return None


def _outbound(handler: FunctionSource) -> Iterator[tuple[ast.Call, ast.expr]]:
    clients = _client_names(handler)
    for call in handler.calls:
        name = dotted(call.func)
        root = name.split(".", 1)[0]
        verb = call_name(call)
        is_client = (root in CLIENT_MODULES or root in clients) and verb in HTTP_VERBS
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


def _host_controlled(
    index: SourceIndex, fs: FunctionSource, url: ast.expr, tainted: set[str]
) -> bool:
    """True unless every tainted part comes after a fixed ``scheme://host/`` prefix: a
    literal one, or a leading value the caller does not choose (``settings.BASE_URL``, a
    module constant, an environment variable) followed by a ``/``; or the URL is looked up
    by the caller's key in a mapping configuration holds (``KNOWN_VIEWS[view]``: the caller
    picks one of the server's URLs)."""
    if (
        isinstance(url, ast.Subscript)
        and not derives(url.value, tainted)
        and _server_chosen(index, fs, url.value)
    ):
        return False
    parts = _url_parts(url)
    if parts is None:
        return derives(url, tainted)
    prefix = ""
    for number, part in enumerate(parts):
        if isinstance(part, ast.Constant):
            prefix += str(part.value)
        elif derives(part, tainted):
            return not _HOST_DONE.match(prefix)
        elif number == 0 and (
            _server_chosen(index, fs, part) or _configured_local(index, fs, part)
        ):
            prefix += "configured://host"  # its host is the configuration's
        else:
            prefix += "x"
    return False


def _url_parts(url: ast.expr) -> list[ast.expr] | None:
    """An f-string's parts or a ``+`` chain's operands, in order (else None)."""
    if isinstance(url, ast.JoinedStr):
        return [p.value if isinstance(p, ast.FormattedValue) else p for p in url.values]
    if isinstance(url, ast.BinOp) and isinstance(url.op, ast.Add):
        left = _url_parts(url.left)
        return [*(left if left is not None else [url.left]), url.right]
    return None


def _server_chosen(index: SourceIndex, fs: FunctionSource, node: ast.expr) -> bool:
    """A value from configuration: an attribute or item of a module-level object or of an
    injected settings parameter (``settings.BASE_URL``, ``app.config["API"]``), a module
    constant, or an environment lookup (``os.environ[...]``, ``os.getenv(...)``)."""
    if isinstance(node, ast.Call):
        name = dotted(node.func)
        return name in {"os.getenv", "getenv", "os.environ.get"}
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    if not isinstance(node, ast.Name):
        return False
    if node.id in fs.assignments:
        return False  # a local: where it came from is another question
    if node.id in fs.params:
        return node.id in dependency_params(index, fs)  # settings = Depends(get_settings)
    return node.id in fs.module.bindings  # an import or a module-level name


def _is_validator_call(index: SourceIndex, handler: FunctionSource, value: ast.expr) -> bool:
    """A call to a project function that tests its input against fixed values and raises:
    ``url = allowlisted_image_url(body.url)``."""
    if not isinstance(value, ast.Call):
        return False
    found = project_def(index, handler.module, dotted(value.func))
    if found is None:
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


def _picks_configured(index: SourceIndex, handler: FunctionSource, value: ast.expr) -> bool:
    """A call to a project function whose every answer is an item of a list or mapping it
    reads from configuration, not from its parameters: ``url, key = await
    get_connection(url_idx)`` with ``return base_urls[url_idx], keys[url_idx]`` and
    ``base_urls = await Config.get("api_base_urls")`` (or locals bound to such items,
    ``configs.get(str(idx), {})`` too). The caller picks one of the URLs an administrator
    configured; the index chooses no host."""
    node = value.value if isinstance(value, ast.Await) else value
    name = dotted(node.func) if isinstance(node, ast.Call) else ""
    callee = project_def(index, handler.module, name)
    if callee is None:
        return False
    params = set(callee.params)
    bound = callee.assignments

    def reads(node: ast.expr) -> set[str]:
        return {n.id for n in walk(node) if isinstance(n, ast.Name)}

    def configured(container: ast.expr) -> bool:
        names = reads(container)
        if not names or names & params:
            return False
        # a local: read from anything but the parameters
        return not any(reads(v) & params for local in names & bound.keys() for v in bound[local])

    def picked(item: ast.expr, depth: int = 0) -> bool:
        if isinstance(item, ast.Subscript):
            return configured(item.value)
        if isinstance(item, ast.Call) and isinstance(item.func, ast.Attribute):
            return item.func.attr == "get" and configured(item.func.value)
        if isinstance(item, ast.Name) and item.id in bound and depth < 2:
            return all(picked(v, depth + 1) for v in bound[item.id])
        return False

    answers = [n.value for n in callee.returns if n.value is not None]
    items = [e for a in answers for e in (a.elts if isinstance(a, ast.Tuple) else [a])]
    return bool(items) and all(picked(item) for item in items)


def _configured_local(index: SourceIndex, fs: FunctionSource, node: ast.expr) -> bool:
    """A local only ever bound from such a call (``url, key = await get_connection(i)``)."""
    values = fs.assignments.get(node.id) if isinstance(node, ast.Name) else None
    return bool(values) and all(_picks_configured(index, fs, v) for v in values or ())


def _allowlisted(handler: FunctionSource, tainted: set[str], before: int) -> bool:
    """An ``if`` before the call (or on its line: ``if url in ALLOWED: return get(url)``)
    that tests the URL (or its parsed host) against fixed values: ``in``/``not in`` a
    collection, ``==``/``!=`` a string, or ``.startswith(...)``; a length or other
    comparison fixes no host."""
    for node in handler.body_nodes:
        if not isinstance(node, ast.If) or node.lineno > before:
            continue
        for sub in walk(node.test):
            if isinstance(sub, ast.Compare) and derives(sub.left, tainted):
                if any(isinstance(op, ast.In | ast.NotIn) for op in sub.ops):
                    return True
                if any(isinstance(op, ast.Eq | ast.NotEq) for op in sub.ops) and any(
                    isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value
                    for c in sub.comparators
                ):
                    return True
            if (
                isinstance(sub, ast.Call)
                and call_name(sub) == "startswith"
                and isinstance(sub.func, ast.Attribute)
                and derives(sub.func.value, tainted)
            ):
                return True
    return False
