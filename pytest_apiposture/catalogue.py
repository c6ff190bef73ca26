"""The check catalogue: every check class, once, and what is derived from them.

``catalogue()`` is what ``posture.checks`` (hence the JSON, SARIF and HTML reports),
``apiposture rules`` and ``apiposture explain`` read; ``codes_markdown()`` is
docs/codes.md (``python -m pytest_apiposture.catalogue > docs/codes.md``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

from .checks import Check
from .model import CheckInfo

HEADER = """\
# Finding codes

<!-- Generated from the check classes by `python -m pytest_apiposture.catalogue > docs/codes.md`;
edit a check's docstring or class attributes, not this file (a test compares them). -->

`APS` + OWASP API Top 10 (2023) number + two digits. `x01` to `x49`: static rules and
drift; `x51` to `x99`: runtime probes and fuzzing (confirmed by a request); `APS0xx`: the
dependency audit. One code, one check.
"""


def all_checks(extra_rules: Sequence[type[Any]] = ()) -> tuple[type[Check], ...]:
    """Every check class: rules (and the conftest's extra rules), drift and spec lint,
    fuzz, probes, audit."""
    from .audit.catalog import AUDIT_CHECKS
    from .openapi.drift_checks import DRIFT_CHECKS
    from .openapi.fuzz_checks import FUZZ_CHECKS
    from .probes import PROBES
    from .rules import RULES

    return (*RULES, *extra_rules, *DRIFT_CHECKS, *FUZZ_CHECKS, *PROBES, *AUDIT_CHECKS)


def catalogue(extra_rules: Sequence[type[Any]] = ()) -> dict[str, CheckInfo]:
    """code -> CheckInfo for every check any stage can report."""
    return {check.code: check.info() for check in all_checks(extra_rules)}


def producer(check: type[Check]) -> str:
    """The producer column of docs/codes.md: ``rule (preview)``, ``probe``, ``drift``..."""
    return check.producer + (" (preview)" if check.status == "preview" else "")


def codes_markdown(checks: Sequence[type[Check]] | None = None) -> str:
    """docs/codes.md: the table of every code, then each check's documentation."""
    ordered = sorted(all_checks() if checks is None else checks, key=lambda c: c.code)
    lines = [
        HEADER,
        "| code | kind | OWASP | producer | what |",
        "|---|---|---|---|---|",
    ]
    for check in ordered:
        cells = (check.code, check.kind.value, check.owasp.split(":")[0], producer(check))
        lines.append(f"| {' | '.join(cells)} | {_cell(check.one_line())} |")
    for check in ordered:
        lines += ["", *_section(check)]
    return "\n".join(lines) + "\n"


def _section(check: type[Check]) -> list[str]:
    facts = [
        f"`{check.name}`",
        check.kind.value,
        f"OWASP {check.owasp}",
        f"{check.severity.value} severity",
        f"{check.confidence.value} confidence",
        *([f"CWE-{check.cwe}"] if check.cwe is not None else []),
        producer(check),
    ]
    # the check's own `## Section` headings sit below this code's `## APSnnn`
    docs = re.sub(r"^## ", "### ", check.docs, flags=re.M)
    fix = f"**Fix** {check.remediation}"
    return [f"## {check.code}", "", " · ".join(facts), "", docs, "", fix]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(codes_markdown())
