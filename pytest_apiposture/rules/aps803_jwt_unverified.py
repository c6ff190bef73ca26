"""APS803: a JWT is decoded without verifying its signature."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..knowledge import Knowledge
from ..model import Confidence, Finding, Kind, Severity
from ..static.source import ModuleSource, SourceIndex
from ..static.syntax import call_name, dotted
from .base import Rule, RuleContext, module_nodes

_JWT_MODULES = ("jwt", "jose", "jose.jwt", "authlib.jose")


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
        return b"decode" in lowered and (b"jwt" in lowered or b"jose" in lowered)

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        module = ctx.module
        if module is None:  # (the pass skipped files ``may_fire`` rules out)
            return
        for node in module_nodes(ctx):
            if isinstance(node, ast.Call) and _is_jwt_decode(module, node):
                why = _unverified(ctx.index, module, node)
                if why:
                    yield self.finding(
                        ctx,
                        file=module.path,
                        line=node.lineno,
                        message=self.message.replace("{why}", why),
                    )


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
