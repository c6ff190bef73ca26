"""APS801: the app runs in debug mode."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from ..model import Confidence, Finding, Kind, Severity
from ..static.syntax import NAME_END, TextFilter, call_name, dotted
from .base import Rule, RuleContext, module_nodes

_DEBUG_CALLS = frozenset(
    {
        "run",
        "FastAPI",
        "Starlette",
        "APIFlask",
        "Flask",
        "Quart",
        "update",
        "from_mapping",
        "run_simple",
    }
)


class DebugMode(Rule):
    """
    ## What it does
    Flags debug mode switched on in code: ``app.run(debug=True)``,
    ``app.config["DEBUG"] = True``, ``app.debug = True``,
    ``app.config.update(DEBUG=True)``, ``FastAPI(debug=True)``, ``Starlette(debug=True)``.

    ## Why is this bad?
    Flask's debugger serves an interactive Python console on any unhandled error:
    remote code execution for whoever triggers one. Starlette/FastAPI debug mode
    returns tracebacks with source and local values to the client.

    ## Example
    ```python
    app = FastAPI(debug=True)
    ```

    ## Use instead
    ```python
    app = FastAPI(debug=os.environ.get("APP_DEBUG") == "1")
    ```
    and run with ``flask run --debug`` locally instead of hard-coding it.

    ## Known problems
    A ``DEBUG = True`` attribute of a config class or module loaded with
    ``from_object`` is not reported (it is usually a development config).

    ## References
    - OWASP API8:2023 Security Misconfiguration
    - CWE-489: Active Debug Code
    """

    code = "APS801"
    name = "debug-mode"
    kind = Kind.MISCONFIGURATION
    owasp = "API8:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 489
    scope = "project"
    # debug=, use_debugger=, .debug =, ["DEBUG"] =, {"DEBUG": ...}
    text_filter = TextFilter((b"debug",), rb"debug(?:ger)?" + NAME_END + rb"[=:]")
    message = "debug mode is switched on: `{code}`"
    remediation = (
        "Never hard-code debug on: read it from the environment "
        "(`debug=os.environ.get('APP_DEBUG') == '1'`) and keep it off in production."
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        module = ctx.module
        if module is None:  # (the pass skipped files ``text_filter`` rules out)
            return
        for node in module_nodes(ctx):
            if _switches_debug_on(node, lambda value: ctx.index.literal(module, value) is True):
                assert isinstance(node, ast.stmt | ast.expr)
                yield self.finding(
                    ctx,
                    file=module.path,
                    line=node.lineno,
                    message=self.message.replace("{code}", _shown(node)),
                )


def _shown(node: ast.stmt | ast.expr) -> str:
    """``FastAPI(debug=...)`` for a call (its other arguments are noise), else the code."""
    if isinstance(node, ast.Call):
        keyword = next((k for k in node.keywords if k.arg and k.arg.lower() == "debug"), None)
        if keyword is not None:
            return f"{dotted(node.func) or call_name(node)}(debug={ast.unparse(keyword.value)})"
    code = ast.unparse(node)
    return code if len(code) < 70 else code[:67] + "..."


def _switches_debug_on(node: ast.AST, is_true: Callable[[ast.expr], bool]) -> bool:
    """``is_true`` evaluates literals and module constants (``debug=config.DEBUG``)."""
    if isinstance(node, ast.Call) and call_name(node) in _DEBUG_CALLS:
        if any(
            k.arg in {"debug", "DEBUG", "use_debugger"} and is_true(k.value) for k in node.keywords
        ):
            return True
        return call_name(node) in {"update", "from_mapping"} and any(
            isinstance(a, ast.Dict) and _dict_sets_debug(a, is_true) for a in node.args
        )
    if isinstance(node, ast.Assign) and is_true(node.value):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "debug":
                return True
            if (
                isinstance(target, ast.Subscript)
                and dotted(target.value).endswith("config")
                and isinstance(target.slice, ast.Constant)
                and target.slice.value == "DEBUG"
            ):
                return True
    return False


def _dict_sets_debug(node: ast.Dict, is_true: Callable[[ast.expr], bool]) -> bool:
    return any(
        isinstance(k, ast.Constant) and k.value == "DEBUG" and is_true(v)
        for k, v in zip(node.keys, node.values, strict=True)
    )
