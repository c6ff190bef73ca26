"""Static rules: one class per file, documented by its docstring (ruff style).

A rule is a class with the catalogue facts as class attributes and two methods:
``applies(route)`` (a cheap test on route facts, no source) and ``check(ctx)``
(yields Findings). Route rules (``scope = "route"``) are called once per route
with ``ctx.route`` and ``ctx.handler`` set; project rules (``scope = "project"``)
are called once per project file with ``ctx.module`` set. A rule reads source
only through ``ctx.index`` so the analysis cache knows which files it depended on.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..knowledge import Knowledge
from ..model import CheckInfo, Confidence, Finding, Kind, Location, Route, Severity
from ..static.source import FunctionSource, ModuleSource, SourceIndex
from ..static.syntax import TextFilter

DOC_SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Known problems",
    "References",
)
_SKIPPED_METHODS = frozenset({"HEAD", "OPTIONS"})  # mirrors of GET / CORS preflight


@dataclass(frozen=True, init=False)
class RuleContext:
    """Everything a rule may look at. ``route``/``handler`` or ``module`` is set."""

    index: SourceIndex
    knowledge: Knowledge
    routes: Sequence[Route]
    project_files: Sequence[Path] = ()
    route: Route | None = None
    handler: FunctionSource | None = None  # the route's endpoint source, when found
    module: ModuleSource | None = None  # project rules: the file being checked
    handler_defs: frozenset[tuple[str, int]] = frozenset()  # (file, def line) registered

    def __init__(
        self,
        index: SourceIndex,
        knowledge: Knowledge,
        routes: Sequence[Route],
        project_files: Sequence[Path] = (),
        route: Route | None = None,
        handler: FunctionSource | None = None,
        module: ModuleSource | None = None,
        handler_defs: frozenset[tuple[str, int]] = frozenset(),
    ) -> None:
        # the generated frozen __init__ sets each field through object.__setattr__; the
        # static pass builds one context per route, so fill the instance dict at once
        self.__dict__.update(
            index=index,
            knowledge=knowledge,
            routes=routes,
            project_files=project_files,
            route=route,
            handler=handler,
            module=module,
            handler_defs=handler_defs,
        )


class Rule:
    """Base class; subclasses set the class attributes and implement ``check``."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""  # kebab-case
    kind: ClassVar[Kind]
    owasp: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.MEDIUM
    confidence: ClassVar[Confidence] = Confidence.LIKELY
    cwe: ClassVar[int | None] = None
    status: ClassVar[str] = "stable"  # stable | preview
    scope: ClassVar[str] = "route"  # route | project
    message: ClassVar[str] = ""  # short; ``{route}`` is replaced by "GET /path"
    remediation: ClassVar[str] = ""  # what to do, with a code hint

    # project rules: a file whose lower-cased text this does not match cannot hold a finding
    text_filter: ClassVar[TextFilter | None] = None

    def applies(self, route: Route) -> bool:
        """Cheap pre-test on route facts; the default skips non-HTTP routes and HEAD/OPTIONS."""
        return route.kind == "http" and route.method not in _SKIPPED_METHODS

    def may_fire(self, lowered: bytes, knowledge: Knowledge) -> bool:
        """Project rules: False only when no finding can come from a file whose source, as
        ``syntax.filter_text`` gives it (lower-cased, NFKC), is ``lowered`` (the
        default: ``text_filter`` finds nothing). The pass does not parse a file on which
        no rule may fire."""
        return self.text_filter is None or self.text_filter.search(lowered)

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        ctx: RuleContext,
        *,
        file: str,
        line: int,
        symbol: str = "",
        message: str | None = None,
        remediation: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        evidence: str | None = None,
    ) -> Finding:
        route = ctx.route
        text = (message or self.message).replace("{route}", route.key if route else "")
        if evidence is None:
            module = ctx.module if ctx.module and ctx.module.path == file else None
            module = module or (ctx.handler.module if ctx.handler else None)
            if module is None or module.path != file:
                module = ctx.index.module(file)
            evidence = (
                module.lines[line - 1].strip() if module and line <= len(module.lines) else ""
            )
        return Finding(
            code=self.code,
            kind=self.kind,
            owasp=self.owasp,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            message=text,
            remediation=remediation or self.remediation,
            method=route.method if route else "",
            path=route.path if route else "",
            location=Location(file=file, line=line, symbol=symbol),
            evidence=evidence,
            cwe=self.cwe,
            status=self.status,
        )

    def at_handler(
        self,
        ctx: RuleContext,
        *,
        message: str | None = None,
        remediation: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> Finding | None:
        """A finding located at the handler's ``def`` line (or the route's location)."""
        if ctx.handler is not None:
            file, line, symbol = ctx.handler.path, ctx.handler.line, ctx.handler.qualname
        elif ctx.route is not None and ctx.route.location is not None:
            loc = ctx.route.location
            file, line, symbol = loc.file, loc.line, loc.symbol
        else:
            return None
        return self.finding(
            ctx,
            file=file,
            line=line,
            symbol=symbol,
            message=message,
            remediation=remediation,
            severity=severity,
            confidence=confidence,
        )


def module_nodes(ctx: RuleContext) -> list[ast.AST]:
    """Every node of ``ctx.module``, walked once per run and shared by project rules."""
    return ctx.module.all_nodes if ctx.module is not None else []


def docs_sections(doc: str) -> dict[str, str]:
    """``## Title`` sections of a rule docstring."""
    sections: dict[str, str] = {}
    title = None
    for line in inspect.cleandoc(doc).splitlines():
        match = re.match(r"^##\s+(.+?)\s*$", line)
        if match:
            title = match.group(1)
            sections[title] = ""
        elif title is not None:
            sections[title] += line + "\n"
    return {k: v.strip() for k, v in sections.items()}


def check_info(rule: type[Rule]) -> CheckInfo:
    doc = inspect.cleandoc(rule.__doc__ or "")
    what = docs_sections(doc).get("What it does", "")
    summary = re.split(r"(?<=\.)\s", what.replace("\n", " "), maxsplit=1)[0] if what else rule.name
    return CheckInfo(
        code=rule.code,
        name=rule.name,
        kind=rule.kind,
        owasp=rule.owasp,
        severity=rule.severity,
        confidence=rule.confidence,
        summary=summary,
        docs=doc,
        cwe=rule.cwe,
        status=rule.status,
    )


# The catalogue. Imported last: each rule module imports ``Rule`` from this package.
from .aps101_bola import ObjectLevelAuthorization  # noqa: E402
from .aps201_missing_auth import MissingAuth  # noqa: E402
from .aps202_optional_auth import OptionalAuth  # noqa: E402
from .aps301_response_sensitive_field import ResponseSensitiveField  # noqa: E402
from .aps302_raw_object_response import RawObjectResponse  # noqa: E402
from .aps303_privileged_body_field import PrivilegedBodyField  # noqa: E402
from .aps304_bulk_write import BulkWrite  # noqa: E402
from .aps305_extra_allowed import ExtraFieldsAllowed  # noqa: E402
from .aps306_config_exposure import ConfigExposure  # noqa: E402
from .aps401_unbounded_limit import UnboundedLimit  # noqa: E402
from .aps501_admin_without_role import AdminWithoutRole  # noqa: E402
from .aps701_ssrf import ServerSideRequestForgery  # noqa: E402
from .aps801_debug_mode import DebugMode  # noqa: E402
from .aps802_cors_credentials import CorsWildcardCredentials  # noqa: E402
from .aps803_jwt_unverified import JwtUnverified  # noqa: E402
from .aps804_hardcoded_secret import HardcodedSecret  # noqa: E402
from .aps909_unregistered_route import UnregisteredRoute  # noqa: E402

RULES: tuple[type[Rule], ...] = (
    ObjectLevelAuthorization,
    MissingAuth,
    OptionalAuth,
    ResponseSensitiveField,
    RawObjectResponse,
    PrivilegedBodyField,
    BulkWrite,
    ExtraFieldsAllowed,
    ConfigExposure,
    UnboundedLimit,
    AdminWithoutRole,
    ServerSideRequestForgery,
    DebugMode,
    CorsWildcardCredentials,
    JwtUnverified,
    HardcodedSecret,
    UnregisteredRoute,
)

__all__ = ["DOC_SECTIONS", "RULES", "Rule", "RuleContext", "check_info", "module_nodes"]
