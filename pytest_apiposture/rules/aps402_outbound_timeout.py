"""APS402: an outbound HTTP call without a timeout on a request's path."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from ..model import Confidence, Finding, Kind, Severity
from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name, dotted, unparse
from ._calls import Hit, mentions, project_calls, reach
from .base import Rule, RuleContext

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
_SESSION_FACTORIES = frozenset({"requests.Session", "requests.session"})
_URLOPEN = frozenset({"request.urlopen", "urllib.request.urlopen"})
_WORDS = ("requests", "urlopen", "timeout=None")  # httpx only with timeout=None


class OutboundCallWithoutTimeout(Rule):
    """
    ## What it does
    Flags an HTTP call made while serving a request (in the handler or in a project
    function it calls, three calls deep) that can wait forever: ``requests.get(url)``
    and the other ``requests`` verbs, a ``requests.Session()``'s verbs and
    ``urllib.request.urlopen(url)`` without a ``timeout=``, and any call given
    ``timeout=None``.

    ## Why is this bad?
    ``requests`` and ``urlopen`` have no timeout by default: a slow or silent upstream
    (or one an attacker points the app at) holds the worker until the connection dies,
    and a few such requests exhaust the worker pool (unrestricted resource consumption,
    OWASP API4:2023).

    ## Example
    ```python
    @app.get("/rates")
    def rates():
        return requests.get("https://rates.example.com/latest").json()
    ```

    ## Use instead
    ```python
    @app.get("/rates")
    def rates():
        return requests.get("https://rates.example.com/latest", timeout=(3.05, 10)).json()
    ```

    ## Known problems
    Blind to defaults set elsewhere: a ``requests.Session`` subclass or
    a mounted adapter that adds a timeout, or ``socket.setdefaulttimeout``, still leaves
    each call without one here. A call given ``**kwargs`` is not reported (they may hold
    the timeout). ``httpx`` is not reported without ``timeout=None``: its functions and
    clients default to five seconds; nor is ``aiohttp`` (a five-minute total by
    default) or ``urllib3``. A call in a background task or a thread the handler starts
    is reported like any other.

    ## References
    - OWASP API4:2023 Unrestricted Resource Consumption
    - CWE-400: Uncontrolled Resource Consumption
    - https://requests.readthedocs.io/en/latest/user/advanced/#timeouts
    """

    code = "APS402"
    name = "outbound-call-without-timeout"
    kind = Kind.RESOURCE_CONSUMPTION
    owasp = "API4:2023"
    severity = Severity.MEDIUM
    confidence = Confidence.LIKELY
    cwe = 400
    message = "{route} makes an HTTP call that can wait forever: `{call}` has no timeout"
    remediation = (
        "Pass a timeout to every outbound call made while serving a request "
        "(`requests.get(url, timeout=(3.05, 10))`, `urlopen(url, timeout=10)`), so a slow "
        "upstream cannot hold the worker."
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        handler = ctx.handler
        if handler is None:
            return
        index = ctx.index
        if not _may_call(index, handler, frozenset()):
            return
        seen: set[tuple[str, int]] = set()
        hits = [Hit(handler.path, call.lineno, _short(call)) for call in _unbounded(handler)]
        for site in project_calls(index, handler):
            hit = reach(
                index,
                site.callee,
                frozenset(),
                question="no-timeout",
                words=_WORDS,
                local=_first_unbounded,
                taint=None,
                follow=_always,
                depth=2,
            )
            if hit is not None:
                hits.append(hit.through(site.callee.qualname))
        for hit in hits:
            if (hit.path, hit.line) in seen:
                continue
            seen.add((hit.path, hit.line))
            yield self.finding(
                ctx,
                file=hit.path,
                line=hit.line,
                symbol=handler.qualname,
                message=self.message.replace("{call}", hit.detail) + hit.chain(),
            )


def _always(callee: FunctionSource, seeds: frozenset[str]) -> bool:
    """Every callee: its own text test answers first. Asking ``mentions`` of each callee
    looked three levels below it, deeper than this question goes (two), and resolved
    those calls for nothing."""
    return True


def _may_call(index: SourceIndex, callee: FunctionSource, seeds: frozenset[str]) -> bool:
    # ``from requests import get`` then ``get(url)``: the function's text need not say
    # "requests", its module's imports do
    return mentions(index, callee, _WORDS) or bool(_imported_verbs(callee))


def _first_unbounded(index: SourceIndex, fs: FunctionSource, seeds: frozenset[str]) -> Hit | None:
    call = next(_unbounded(fs), None)
    return Hit(fs.path, call.lineno, _short(call)) if call is not None else None


def _short(call: ast.Call) -> str:
    text = unparse(call)
    return text if len(text) <= 60 else text[:57] + "..."


def _unbounded(fs: FunctionSource) -> Iterator[ast.Call]:
    """The HTTP calls of ``fs`` with no timeout (or ``timeout=None``)."""
    imported = _imported_verbs(fs)
    if not (imported or any(w in fs.text for w in _WORDS)):
        return
    sessions = _session_names(fs)
    for call in fs.calls:
        name = dotted(call.func)
        if not name:
            continue
        head, _, rest = name.partition(".")
        verb = call_name(call)
        timeout = next((k.value for k in call.keywords if k.arg == "timeout"), None)
        urlopen = name in _URLOPEN or (name == "urlopen" and "urlopen" in imported)
        if isinstance(timeout, ast.Constant) and timeout.value is None:
            if head in {"requests", "httpx"} or head in sessions or urlopen:
                yield call  # timeout=None: no timeout, said out loud
            continue
        if timeout is not None or any(k.arg is None for k in call.keywords):
            continue
        is_requests = (head == "requests" and rest in _VERBS) or (
            head in sessions and rest in _VERBS
        )
        if (
            is_requests
            or (verb in _VERBS and name == verb and name in imported)
            or (urlopen and len(call.args) < 3)
        ):
            yield call


def _session_names(fs: FunctionSource) -> set[str]:
    """``s = requests.Session()`` and ``with requests.Session() as s``."""
    names = {
        name
        for name, values in fs.assignments.items()
        if any(isinstance(v, ast.Call) and dotted(v.func) in _SESSION_FACTORIES for v in values)
    }
    for node in fs.body_nodes:
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            expr = node.context_expr
            if isinstance(expr, ast.Call) and dotted(expr.func) in _SESSION_FACTORIES:
                names.add(node.optional_vars.id)
    return names


def _imported_verbs(fs: FunctionSource) -> set[str]:
    """``from requests import get`` / ``from urllib.request import urlopen``: the names
    bound to those functions."""
    out = set()
    for name in (*_VERBS, "urlopen"):
        alias = fs.module.bindings.get(name)
        stmt = fs.module.import_of.get(id(alias)) if isinstance(alias, ast.alias) else None
        if isinstance(stmt, ast.ImportFrom) and stmt.module == (
            "urllib.request" if name == "urlopen" else "requests"
        ):
            out.add(name)
    return out
