"""The Rule base: a static check, one class per file, documented by its docstring (ruff style).

A rule is a class with the catalogue facts as class attributes and two methods:
``applies(route)`` (a cheap test on route facts, no source) and ``check(ctx)``
(yields Findings). Route rules (``scope = "route"``) are called once per route
with ``ctx.route`` and ``ctx.handler`` set; project rules (``scope = "project"``)
are called once per project file with ``ctx.module`` set. A rule reads source
only through ``ctx.index`` so the analysis cache knows which files it depended on.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..checks import DOC_SECTIONS, Check, docs_sections
from ..knowledge import Knowledge
from ..model import CheckInfo, Confidence, Finding, Location, Route, Severity
from ..static.source import FunctionSource, ModuleSource, SourceIndex
from ..static.syntax import TextFilter

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


class Rule(Check):
    """Base class; subclasses set the class attributes and implement ``check``.

    The catalogue facts (``code``, ``name``, ``kind``, ``owasp``, ``severity``,
    ``confidence``, ``cwe``, ``status``, ``remediation``) are ``Check``'s; the docstring
    has every section of ``DOC_SECTIONS`` and the summary is its first sentence.
    """

    producer: ClassVar[str] = "rule"
    scope: ClassVar[str] = "route"  # route | project
    message: ClassVar[str] = ""  # short; ``{route}`` is replaced by "GET /path"

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
        return self.new_finding(
            message=text,
            method=route.method if route else "",
            path=route.path if route else "",
            location=Location(file=file, line=line, symbol=symbol),
            evidence=evidence,
            severity=severity,
            confidence=confidence,
            remediation=remediation,
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


def check_info(rule: type[Rule]) -> CheckInfo:
    """The rule's catalogue entry (``Check.info``)."""
    return rule.info()


__all__ = [
    "DOC_SECTIONS",
    "Rule",
    "RuleContext",
    "check_info",
    "docs_sections",
    "module_nodes",
]
