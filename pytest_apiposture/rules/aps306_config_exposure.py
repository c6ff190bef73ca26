"""APS306: a handler returns the app's configuration or settings."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from ..model import Confidence, Finding, Kind, Severity
from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name, dotted, walk
from ._dataflow import class_of
from ._models import attributes, is_settings_class
from ._returns import returned_values
from .base import Rule, RuleContext

_CONFIG_MAPPINGS = frozenset({"app.config", "current_app.config", "flask.current_app.config"})
_ENVIRON = frozenset({"os.environ", "environ"})
# cheap pre-test on the handler's source; every shape below mentions one of these
_MENTIONS_CONFIG = re.compile(r"config|environ|setting|getenv|secret", re.IGNORECASE)
_CONFIG_BYTES = re.compile(rb"config|environ|setting|getenv|secret")
_DUMPS = frozenset({"dict", "model_dump", "copy", "items", "to_dict"})
# a yes/no setting whose name holds a secret's word: ``enable_signup_password_confirmation``,
# ``is_api_key_required``, ``password_reset_enabled`` say whether, not what
_FLAG_NAME = re.compile(
    r"^(?:enable|disable|is|has|allow|require|show|use|can)_|_(?:enabled|disabled|required|allowed)$",
    re.IGNORECASE,
)


class ConfigExposure(Rule):
    """
    ## What it does
    Flags a handler that returns a configuration mapping that holds secrets: Flask's
    ``app.config`` / ``current_app.config`` (always has ``SECRET_KEY``), ``os.environ``,
    a pydantic ``BaseSettings`` object (or its ``model_dump()``) with secret-looking
    fields, or a dict literal that copies a secret-looking setting.

    ## Why is this bad?
    A "debug", "status" or "config" endpoint that echoes settings hands out the session
    signing key, database password and API keys: full compromise from one GET
    (security misconfiguration and data exposure).

    ## Example
    ```python
    @app.get("/debug/config")
    def show_config():
        return jsonify(dict(current_app.config))
    ```

    ## Use instead
    ```python
    @app.get("/debug/config")
    def show_config():
        return jsonify({"version": current_app.config["VERSION"]})
    ```

    ## Known problems
    Only mappings the handler returns directly, through a local variable or nested in a
    returned dict or list (``{"environment": dict(os.environ)}``) are seen; not one a
    helper builds.
    A settings class is recognised by ``BaseSettings`` in its bases. A key that names a
    yes/no setting (``enable_signup_password_confirmation``, ``password_reset_enabled``)
    is not a secret, whatever word it holds.

    ## References
    - OWASP API3:2023 Broken Object Property Level Authorization
    - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    """

    code = "APS306"
    name = "config-exposure"
    kind = Kind.DATA_EXPOSURE
    owasp = "API3:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 200
    message = "{route} returns {what}"
    remediation = (
        "Return only the non-secret values clients need, named one by one "
        "(`{'version': settings.version}`); never the whole config, environment or settings."
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        handler = ctx.handler
        if handler is None or not handler.module.may_mention(_CONFIG_BYTES):
            return
        if not _MENTIONS_CONFIG.search(handler.text):
            return
        lines: set[int] = set()
        for returned in returned_values(handler):
            if returned.line in lines:
                continue  # one finding a line: a dict and the mapping nested in it
            what = config_source(ctx, handler, returned.node, 0)
            if what is not None:
                lines.add(returned.line)
                confidence = Confidence.POSSIBLE if "environment" in what else None
                yield self.finding(
                    ctx,
                    file=handler.path,
                    line=returned.line,
                    symbol=handler.qualname,
                    message=self.message.replace("{what}", what),
                    confidence=confidence,
                )


def config_source(
    ctx: RuleContext, handler: FunctionSource, node: ast.AST, depth: int
) -> str | None:
    """A description of the secret-holding mapping ``node`` evaluates to, else None."""
    if depth > 4:
        return None
    text = dotted(node)
    if text in _CONFIG_MAPPINGS:
        return f"the whole `{text}` (SECRET_KEY included)"
    if text in _ENVIRON:
        return "the process environment (`os.environ`)"
    if isinstance(node, ast.Name):
        for value in handler.assignments.get(node.id, []):
            found = config_source(ctx, handler, value, depth + 1)
            if found is not None:
                return found
    if isinstance(node, ast.Call):
        if call_name(node) in _DUMPS | {"vars"} and isinstance(node.func, ast.Attribute):
            return config_source(ctx, handler, node.func.value, depth + 1)
        if dotted(node.func) in {"dict", "vars"} and node.args:
            return config_source(ctx, handler, node.args[0], depth + 1)
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        return config_source(ctx, handler, node.value, depth + 1)
    if isinstance(node, ast.DictComp):
        return next(
            (s for g in node.generators if (s := config_source(ctx, handler, g.iter, depth + 1))),
            None,
        )
    if isinstance(node, ast.Dict):
        return _dict_literal(ctx, handler, node, depth)
    return _settings_object(ctx.index, ctx, handler, node)


def _dict_literal(
    ctx: RuleContext, handler: FunctionSource, node: ast.Dict, depth: int
) -> str | None:
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None:  # {**app.config}
            found = config_source(ctx, handler, value, depth + 1)
            if found is not None:
                return found
        elif (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and ctx.knowledge.is_sensitive_field(key.value)
            and not _FLAG_NAME.search(key.value)
            and _reads_config(ctx, handler, value)
        ):
            return f"the secret setting `{key.value}`"
        else:  # {"environment": dict(os.environ)}: a whole mapping under any key
            found = config_source(ctx, handler, value, depth + 1)
            if found is not None:
                label = str(key.value) if isinstance(key, ast.Constant) else "..."
                return f"{found} under `{label}`"
    return None


def _reads_config(ctx: RuleContext, handler: FunctionSource, node: ast.AST) -> bool:
    for sub in walk(node):
        text = dotted(sub)
        if any(text.startswith(p) for p in (*_CONFIG_MAPPINGS, *_ENVIRON, "os.getenv")):
            return True
        if isinstance(sub, ast.Attribute) and _settings_object(ctx.index, ctx, handler, sub.value):
            return True
    name = dotted(node)
    if name and name.split(".", 1)[0] not in {*handler.params, *handler.assignments}:
        found = ctx.index.resolve(handler.module, name)  # config.SECRET_KEY, a module setting
        return found is not None and found.kind == "assign"
    return False


def _settings_object(
    index: SourceIndex, ctx: RuleContext, handler: FunctionSource, node: ast.AST
) -> str | None:
    cls = class_of(index, handler, node)
    if cls is None or not is_settings_class(index, cls):
        return None
    secret = [a.name for a in attributes(index, cls) if ctx.knowledge.is_sensitive_field(a.name)]
    if not secret:
        return None
    return f"the settings object `{cls.node.name}` (with {', '.join(f'`{s}`' for s in secret)})"
