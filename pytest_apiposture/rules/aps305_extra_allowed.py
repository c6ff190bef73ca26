"""APS305: an input model keeps fields it does not declare."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Confidence, Finding, Kind, Route, Severity
from ._dataflow import body_params
from ._models import extra_allow_line, find_class
from .aps304_bulk_write import bulk_writes
from .base import Rule, RuleContext

_NOT_STORED = (
    " (not seen written to an object: the handler reads declared fields only or hands the "
    "body on to another call)"
)


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
    The model as the app loaded it decides, not the source: a subclass that forbids what
    its base allows is not flagged, and a setting the source does not spell (a config
    taken from a variable) is reported at the handler. Only the models of routes the app
    registers are checked; a model used by a route this run does not see is not. The
    harm is in a write: when the handler is not seen
    copying the body into an object (APS304's bulk writes, three calls deep), because it
    reads only declared fields or forwards the body to another service (a proxy passing
    provider parameters through), the finding is low and says so.

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
        # the model as the app loaded it keeps undeclared fields (not a source reading: a
        # subclass may forbid what its base allows, a config may come from a variable)
        return super().applies(route) and route.body_extra_allowed

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        route = ctx.route
        assert route is not None
        cls = find_class(ctx.index, ctx.handler, route.body_model)
        line = extra_allow_line(ctx.index, cls) if cls is not None else None
        message = self.message.replace("{model}", str(route.body_model))
        severity: Severity | None = None
        confidence: Confidence | None = None
        if not self._stored(ctx, route):
            message += _NOT_STORED
            severity, confidence = Severity.LOW, Confidence.POSSIBLE
        if line is not None:  # where the model says so; else at the handler
            yield self.finding(
                ctx,
                file=line[0],
                line=line[1],
                symbol=str(route.body_model),
                message=message,
                severity=severity,
                confidence=confidence,
            )
        elif finding := self.at_handler(
            ctx, message=message, severity=severity, confidence=confidence
        ):
            yield finding

    @staticmethod
    def _stored(ctx: RuleContext, route: Route) -> bool:
        """The body reaches a bulk write (APS304's question: ``Model(**body.model_dump())``,
        ``obj.update(...)``, a ``setattr`` loop, three calls deep); True when unknown."""
        handler = ctx.handler
        if handler is None or handler.is_lambda:
            return True
        seeds = frozenset(body_params(ctx.index, handler, route))
        return bool(seeds) and next(iter(bulk_writes(ctx, handler, seeds)), None) is not None
