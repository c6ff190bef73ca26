"""The one base of every check: static rules, runtime probes, drift, spec lint, fuzz, audit.

A check is a class. Its class attributes are the catalogue facts (code, kind, OWASP,
severity, ...), its docstring is the user documentation (``## What it does``,
``## Why is this bad?``, ...), and producers make findings through ``new_finding`` so the
facts are written once, on the class. ``info()`` turns the class into the ``CheckInfo``
reports carry; ``catalogue.catalogue()`` collects every check.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from .model import CheckInfo, Confidence, Finding, Kind, Location, Severity

DOC_SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Known problems",
    "References",
)
# every check documents at least these; rules document all of DOC_SECTIONS
REQUIRED_SECTIONS = DOC_SECTIONS[:2]
_HEADING = re.compile(r"^##\s+(.+?)\s*$")
# the audit's older form: a paragraph that opens with the title in bold
_BOLD_LEAD = re.compile(r"^\*\*(.+?)\*\*\s*(.*)$")


class Check:
    """Base class; a subclass sets the class attributes and documents itself."""

    code: ClassVar[str] = ""  # APS201
    name: ClassVar[str] = ""  # kebab-case
    kind: ClassVar[Kind]
    owasp: ClassVar[str] = ""  # API2:2023
    severity: ClassVar[Severity] = Severity.MEDIUM
    confidence: ClassVar[Confidence] = Confidence.LIKELY
    cwe: ClassVar[int | None] = None
    status: ClassVar[str] = "stable"  # stable | preview
    summary: ClassVar[str] = ""  # one line; default: the first sentence of "What it does"
    remediation: ClassVar[str] = ""  # what to do, with a code hint; a finding may say more
    producer: ClassVar[str] = ""  # rule | probe | drift | fuzz | audit (docs/codes.md)
    # the class's own docstring, dedented: the markdown ``apiposture explain`` prints
    docs: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.docs = inspect.cleandoc(cls.__doc__ or "")  # never a base class's

    @classmethod
    def sections(cls) -> dict[str, str]:
        return docs_sections(cls.docs)

    @classmethod
    def one_line(cls) -> str:
        """``summary``, else the first sentence of "What it does", else the name."""
        if cls.summary:
            return cls.summary
        what = cls.sections().get("What it does", "").replace("\n", " ")
        return re.split(r"(?<=\.)\s", what, maxsplit=1)[0] if what else cls.name

    @classmethod
    def info(cls) -> CheckInfo:
        return CheckInfo(
            code=cls.code,
            name=cls.name,
            kind=cls.kind,
            owasp=cls.owasp,
            severity=cls.severity,
            confidence=cls.confidence,
            summary=cls.one_line(),
            docs=cls.docs,
            cwe=cls.cwe,
            status=cls.status,
        )

    @classmethod
    def new_finding(
        cls,
        *,
        message: str,
        method: str = "",
        path: str = "",
        location: Location | None = None,
        evidence: str = "",
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        remediation: str | None = None,
        cwe: int | None = None,
        repro: str = "",
    ) -> Finding:
        """A finding of this check: code, kind, OWASP and status come from the class;
        severity, confidence, remediation and CWE too unless this finding says otherwise."""
        return Finding(
            code=cls.code,
            kind=cls.kind,
            owasp=cls.owasp,
            severity=severity or cls.severity,
            confidence=confidence or cls.confidence,
            message=message,
            remediation=remediation or cls.remediation,
            method=method,
            path=path,
            location=location,
            evidence=evidence,
            cwe=cwe if cwe is not None else cls.cwe,
            status=cls.status,
            repro=repro,
        )


def docs_sections(doc: str) -> dict[str, str]:
    """Title -> body of a check's documentation: ``## Title`` headings, or paragraphs that
    open with ``**Title**`` (the form the audit's documentation has always used)."""
    sections: dict[str, str] = {}
    title = None
    for line in inspect.cleandoc(doc).splitlines():
        heading = _HEADING.match(line) or _BOLD_LEAD.match(line)
        if heading:
            title = heading.group(1)
            rest = heading.group(2) if heading.re is _BOLD_LEAD else ""
            sections[title] = rest + "\n" if rest else ""
        elif title is not None:
            sections[title] += line + "\n"
    return {k: v.strip() for k, v in sections.items()}


C = TypeVar("C", bound=Check)


def by_code(checks: Iterable[type[C]]) -> dict[str, type[C]]:
    return {check.code: check for check in checks}
