"""APS305: an input model keeps fields it does not declare."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..model import Confidence, Finding, Kind, Route, Severity
from ..static.syntax import call_name, dotted
from ._models import ClassRef, bases, find_class
from .base import Rule, RuleContext


class ExtraFieldsAllowed(Rule):
    """
    ## What it does
    Flags a request body model configured with ``extra="allow"`` (pydantic v2
    ``model_config = ConfigDict(extra="allow")``, v1 ``class Config: extra = "allow"``
    or the class keyword ``extra="allow"``).

    ## Why is this bad?
    Undeclared keys are kept on the model and come back out of ``model_dump()``. Any
    handler that copies the body into an ORM object then writes whatever the client
    sent: ``is_admin``, ``owner_id``, ``balance`` (mass assignment, OWASP API3:2023).

    ## Example
    ```python
    class ProfileUpdate(BaseModel):
        model_config = ConfigDict(extra="allow")
        display_name: str
    ```

    ## Use instead
    ```python
    class ProfileUpdate(BaseModel):
        model_config = ConfigDict(extra="forbid")  # or the default, "ignore"
        display_name: str
    ```

    ## Known problems
    Only the models of routes the app registers are checked; a model used by a route
    this run does not see is not.

    ## References
    - OWASP API3:2023 Broken Object Property Level Authorization
    - Pydantic: Configuration - `extra`
    """

    code = "APS305"
    name = "input-model-allows-extra"
    kind = Kind.MASS_ASSIGNMENT
    owasp = "API3:2023"
    severity = Severity.MEDIUM
    confidence = Confidence.LIKELY
    cwe = 915
    message = "{route} accepts undeclared fields: {model} allows extra fields"
    remediation = (
        'Use `model_config = ConfigDict(extra="forbid")` (or drop the setting: pydantic '
        "ignores unknown fields by default) and declare the fields the route accepts."
    )

    def applies(self, route: Route) -> bool:
        return super().applies(route) and route.body_model is not None

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        route = ctx.route
        assert route is not None
        cls = find_class(ctx.index, ctx.handler, route.body_model)
        line = extra_allow_line(ctx, cls) if cls is not None else None
        message = self.message.replace("{model}", route.body_model or "the body model")
        if cls is not None and line is not None:
            yield self.finding(
                ctx, file=line[0], line=line[1], symbol=str(route.body_model), message=message
            )
        elif route.body_extra_allowed and (finding := self.at_handler(ctx, message=message)):
            yield finding


def extra_allow_line(ctx: RuleContext, cls: ClassRef) -> tuple[str, int] | None:
    """(file, line) of the ``extra="allow"`` setting in the class or its bases."""
    for current in bases(ctx.index, cls):
        if any(k.arg == "extra" and _is_allow(k.value) for k in current.node.keywords):
            return current.module.path, current.node.lineno
        for stmt in current.node.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
                for sub in stmt.body:
                    if (
                        isinstance(sub, ast.Assign)
                        and any(dotted(t) == "extra" for t in sub.targets)
                        and _is_allow(sub.value)
                    ):
                        return current.module.path, sub.lineno
            targets = (
                stmt.targets
                if isinstance(stmt, ast.Assign)
                else ([stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
            )
            value = getattr(stmt, "value", None)
            is_config = any(dotted(t) == "model_config" for t in targets)
            if is_config and value is not None and _config_allows(value):
                return current.module.path, stmt.lineno
    return None


def _config_allows(value: ast.expr) -> bool:
    if isinstance(value, ast.Call) and call_name(value) in {
        "ConfigDict",
        "SettingsConfigDict",
        "dict",
    }:
        return any(k.arg == "extra" and _is_allow(k.value) for k in value.keywords)
    if isinstance(value, ast.Dict):
        return any(
            isinstance(k, ast.Constant) and k.value == "extra" and _is_allow(v)
            for k, v in zip(value.keys, value.values, strict=True)
        )
    return False


def _is_allow(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant):
        return value.value == "allow"
    return dotted(value).endswith("Extra.allow")
