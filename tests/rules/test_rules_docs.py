"""The catalogue itself: every rule documented, coded and described consistently."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from pytest_apiposture.model import Kind
from pytest_apiposture.rules import DOC_SECTIONS, RULES, Rule, check_info, docs_sections

CODES_MD = Path(__file__).resolve().parents[2] / "docs" / "codes.md"
HEURISTIC = {"APS101", "APS401", "APS701"}  # preview until probes back them


def catalogue() -> dict[str, tuple[str, str, str]]:
    """code -> (kind, OWASP number, producer) from docs/codes.md."""
    rows = {}
    for line in CODES_MD.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and re.fullmatch(r"APS\d{3}", cells[0]):
            rows[cells[0]] = (cells[1], cells[2], cells[3])
    return rows


def ids(rule: type[Rule]) -> str:
    return rule.code


@pytest.mark.parametrize("rule", RULES, ids=ids)
def test_docstring_has_every_section_in_order(rule: type[Rule]) -> None:
    sections = docs_sections(rule.__doc__ or "")
    assert list(sections) == list(DOC_SECTIONS), f"{rule.code}: sections {list(sections)}"
    empty = [title for title, body in sections.items() if not body]
    assert not empty, f"{rule.code}: empty sections {empty}"
    assert "```python" in sections["Example"], f"{rule.code}: Example needs a code block"


@pytest.mark.parametrize("rule", RULES, ids=ids)
def test_rule_matches_the_code_catalogue(rule: type[Rule]) -> None:
    kind, owasp, producer = catalogue()[rule.code]
    assert rule.kind == Kind(kind)
    assert rule.owasp == f"{owasp}:2023"
    assert producer.startswith("rule")
    assert ("preview" in producer) == (rule.status == "preview")
    assert rule.status == ("preview" if rule.code in HEURISTIC else "stable")
    module = Path(inspect.getfile(rule)).name
    assert module.startswith(rule.code.lower() + "_"), module
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.name)


@pytest.mark.parametrize("rule", RULES, ids=ids)
def test_message_is_short_and_remediation_has_a_code_hint(rule: type[Rule]) -> None:
    assert rule.message and len(rule.message) <= 100 and "\n" not in rule.message
    assert "`" in rule.remediation, f"{rule.code}: remediation without a code hint"
    assert rule.scope in {"route", "project"}


def test_codes_are_unique_and_every_static_code_has_a_rule() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    static = {code for code, (_, _, producer) in catalogue().items() if producer.startswith("rule")}
    assert set(codes) == static


def test_check_info_carries_the_docs_and_a_one_line_summary() -> None:
    info = check_info(RULES[0])
    rule = RULES[0]
    assert (info.code, info.name, info.kind, info.status) == (
        rule.code,
        rule.name,
        rule.kind,
        rule.status,
    )
    assert info.docs == inspect.cleandoc(rule.__doc__ or "")
    assert info.summary.startswith("Flags an authenticated route with an id-like path parameter")
    assert info.summary.endswith(".") and "\n" not in info.summary
