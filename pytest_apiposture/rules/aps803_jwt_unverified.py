"""APS803: a JWT is decoded without verifying its signature."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..knowledge import Knowledge
from ..model import Confidence, Finding, Kind, Severity
from ..static.source import FunctionSource, ModuleSource, SourceIndex
from ..static.syntax import call_name, dotted, walk
from ._dataflow import function_source, reads_request
from .base import Rule, RuleContext, module_nodes

# the modules ``decode`` is imported from: PyJWT's and python-jose's (``jose`` itself has none)
_JWT_MODULES = ("jwt", "jose.jwt")


class JwtUnverified(Rule):
    """
    ## What it does
    Flags ``jwt.decode`` calls (PyJWT, python-jose) that skip verification:
    ``options={"verify_signature": False}``, ``verify=False`` (PyJWT 1.x), or an
    ``algorithms`` list that admits ``"none"``.

    ## Why is this bad?
    Whoever calls the API can mint their own token: change ``sub`` to another user or
    add ``"role": "admin"``, and the server believes it (broken authentication).

    ## Example
    ```python
    payload = jwt.decode(token, options={"verify_signature": False})
    ```

    ## Use instead
    ```python
    payload = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    ```

    ## Known problems
    Options built at run time (not literals or module constants) are not evaluated.
    Not reported: claims peeked before a verifying ``jwt.decode`` of the same token in
    the same function (to pick the key or the validation path); a token the function
    took from an outbound HTTP response (an ID token from the IdP's token endpoint over
    TLS, which OIDC Core 3.1.3.7 lets TLS vouch for); the project's own peek API, a
    function named ``get_unverified_*`` as python-jose's and PyJWT's are (whose calls are
    not reported either). Reported at low: a token handed in as a parameter, in a module
    that is an OAuth client (it exchanges an authorization code at a token endpoint),
    when the function does not read the request itself: most likely the IdP's token, but
    its callers decide.

    ## References
    - OWASP API2:2023 Broken Authentication; API8:2023 Security Misconfiguration
    - CWE-347: Improper Verification of Cryptographic Signature
    """

    code = "APS803"
    name = "jwt-without-verification"
    kind = Kind.MISCONFIGURATION
    owasp = "API8:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 347
    scope = "project"
    message = "JWT decoded without signature verification ({why})"
    remediation = (
        "Verify the signature with a fixed algorithm list: "
        "`jwt.decode(token, SECRET_KEY, algorithms=['HS256'])`; never `verify_signature: False` "
        "or the `none` algorithm."
    )

    def may_fire(self, lowered: bytes, knowledge: Knowledge) -> bool:
        return b"decode" in lowered and b"jwt" in lowered  # (what _is_jwt_decode needs)

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        module = ctx.module
        if module is None:  # (the pass skipped files ``may_fire`` rules out)
            return
        decodes = [
            n for n in module_nodes(ctx) if isinstance(n, ast.Call) and _is_jwt_decode(module, n)
        ]
        for node in decodes:
            why = _unverified(ctx.index, module, node)
            if not why:
                continue
            fs = _enclosing(ctx.index, module, node)
            origin = _trusted_origin(ctx.index, module, fs, node, decodes) if fs else ""
            if origin == _SKIP:
                continue
            message = self.message.replace("{why}", why)
            if origin:
                yield self.finding(
                    ctx,
                    file=module.path,
                    line=node.lineno,
                    message=f"{message}: {origin}",
                    severity=Severity.LOW,
                    confidence=Confidence.POSSIBLE,
                )
            else:
                yield self.finding(ctx, file=module.path, line=node.lineno, message=message)


def _is_jwt_decode(module: ModuleSource, call: ast.Call) -> bool:
    name = dotted(call.func)
    if call_name(call) != "decode":
        return False
    if name.endswith("jwt.decode"):
        return True
    if name == "decode":  # from jwt import decode
        alias = module.bindings.get("decode")
        stmt = module.import_of.get(id(alias)) if isinstance(alias, ast.alias) else None
        return isinstance(stmt, ast.ImportFrom) and (stmt.module or "") in _JWT_MODULES
    return False


def _unverified(index: SourceIndex, module: ModuleSource, call: ast.Call) -> str:
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    options = index.literal(module, kwargs.get("options"))
    if isinstance(options, dict) and options.get("verify_signature") is False:
        return "`verify_signature: False`"
    if index.literal(module, kwargs.get("verify")) is False:
        return "`verify=False`"
    algorithms = index.literal(module, kwargs.get("algorithms"))
    values = (algorithms,) if isinstance(algorithms, str) else algorithms
    if isinstance(values, tuple) and any(str(a).lower() == "none" for a in values):
        return "the `none` algorithm is accepted"
    return ""


_SKIP = "skip"
# calls that send a request out (``client.post(token_url, ...)``, ``requests.post``,
# ``urlopen``, an OAuth library's ``fetch_token``): their answer comes from another server
_OUTBOUND_CALLS = frozenset({"post", "request", "urlopen", "fetch_token", "fetch_access_token",
                             "authorize_access_token", "refresh_token"})  # fmt: skip
# a module that is an OAuth/OIDC client: it exchanges a code at the IdP's token endpoint
_OAUTH_CLIENT_WORDS = (b"grant_type", b"authorization_code", b"code_verifier", b"token_endpoint")


def _token(call: ast.Call) -> ast.expr | None:
    """The token a decode reads: its first argument, or PyJWT's ``jwt=`` / python-jose's
    ``token=`` keyword."""
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg in ("jwt", "token")), None)


def _token_names(token: ast.expr) -> set[str]:
    """The names a token expression reads, and its dotted form (``self._id_token``)."""
    names = {n.id for n in walk(token) if isinstance(n, ast.Name)} | {dotted(token)}
    return names - {"", "self", "cls"}


def _enclosing(index: SourceIndex, module: ModuleSource, call: ast.Call) -> FunctionSource | None:
    """The innermost ``def`` of the module that contains ``call``."""
    best: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in module.defs():
        end = node.end_lineno or node.lineno
        if node.lineno <= call.lineno <= end and (best is None or node.lineno >= best.lineno):
            best = node
    return function_source(index, module, best) if best is not None else None


def _trusted_origin(
    index: SourceIndex,
    module: ModuleSource,
    fs: FunctionSource,
    call: ast.Call,
    decodes: list[ast.Call],
) -> str:
    """``_SKIP`` when the unverified decode is harmless where it stands, a reason to report
    it at low when its token most likely comes from the IdP, "" otherwise."""
    token = _token(call)
    if token is None:
        return ""
    if fs.name.lower().lstrip("_").startswith("get_unverified_"):
        return _SKIP  # the project's own peek API, named as jose's and PyJWT's are
    names = _token_names(token)
    inside = {id(n) for n in fs.body_nodes}
    for other in decodes:  # peeked, then verified
        if other is call or id(other) not in inside or _unverified(index, module, other):
            continue
        theirs = _token(other)
        if theirs is not None and names & _token_names(theirs):
            return _SKIP
    if _from_outbound_response(fs, token):
        return _SKIP
    params = _from_params(fs)
    if (
        names & params
        and any(word in module.lowered for word in _OAUTH_CLIENT_WORDS)
        and not reads_request(fs)
        and not any(p in ("request", "req") for p in params)
    ):
        return (
            "the token is a parameter of a function in an OAuth client module, most likely "
            "the IdP's own token (verify it if a client can hand it in)"
        )
    return ""


def _from_params(fs: FunctionSource) -> set[str]:
    """The parameters and the locals the function derives from them
    (``raw = id_token if isinstance(id_token, str) else None``)."""
    names = set(fs.params) - {"self", "cls"}
    for _ in range(3):
        grown = {
            name
            for name, values in fs.assignments.items()
            if name not in names and values and all(_reads(v, names) for v in values)
        }
        if not grown:
            break
        names |= grown
    return names


def _from_outbound_response(fs: FunctionSource, token: ast.expr) -> bool:
    """``token`` derives, in this function, from what an outbound call answered (assignments
    followed; request data taints nothing here)."""
    tainted = {name for name, values in fs.assignments.items() if any(map(_outbound, values))}
    if not tainted:
        return False
    for _ in range(4):
        grown = {
            name
            for name, values in fs.assignments.items()
            if name not in tainted and any(_reads(v, tainted) for v in values)
        }
        if not grown:
            break
        tainted |= grown
    held = {  # ``self._id_token = token_content.get("id_token")``
        dotted(target)
        for node in fs.of(ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute) and _reads(node.value, tainted)
    }
    return _reads(token, tainted) or dotted(token) in held


def _reads(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in walk(node))


def _outbound(value: ast.expr) -> bool:
    for node in walk(value):
        if (
            isinstance(node, ast.Call)
            and call_name(node) in _OUTBOUND_CALLS
            and not _reads_form(node)
        ):
            return True
    return False


def _reads_form(call: ast.Call) -> bool:
    """aiohttp's ``await request.post()``: the form the client sent, not an outbound call
    (``urllib.request.urlopen`` is one)."""
    receiver = dotted(call.func.value) if isinstance(call.func, ast.Attribute) else ""
    return call_name(call) == "post" and (receiver == "request" or receiver.endswith(".request"))
