"""The check catalogue: every check (rule, probe, drift, lint, fuzz, audit) is one class,
documented, and everything that lists checks is derived from those classes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import pytest_apiposture
from pytest_apiposture.catalogue import all_checks, catalogue, codes_markdown
from pytest_apiposture.checks import DOC_SECTIONS, REQUIRED_SECTIONS, Check, docs_sections
from pytest_apiposture.model import Kind, Location, Severity
from pytest_apiposture.openapi.drift_checks import DRIFT_CHECKS, route_codes
from pytest_apiposture.pipeline import catalogue as pipeline_catalogue

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(pytest_apiposture.__file__).parent
CHECKS = all_checks()
# codes whose OWASP category is not the one their number says (kept for stable codes)
OWASP_EXCEPTIONS = {"APS908"}  # spec security lint: API8 misconfiguration in the 9xx range


def ids(check: type[Check]) -> str:
    return check.code


def test_docs_codes_md_is_generated_from_the_catalogue() -> None:
    current = (REPO / "docs" / "codes.md").read_text(encoding="utf-8")
    assert current == codes_markdown(), (
        "docs/codes.md is out of date: python -m pytest_apiposture.catalogue > docs/codes.md"
    )


def test_codes_are_unique_and_every_producer_is_listed() -> None:
    codes = [check.code for check in CHECKS]
    assert len(codes) == len(set(codes))
    assert {check.producer for check in CHECKS} == {"rule", "probe", "drift", "fuzz", "audit"}
    assert list(catalogue()) == codes


@pytest.mark.parametrize("check", CHECKS, ids=ids)
def test_every_check_is_documented(check: type[Check]) -> None:
    """Rules keep all six sections (ruff's model; tests/rules checks their order and code
    blocks). A probe, a drift or fuzz difference or an audit finding is documented by what
    it does and why that matters: its example is the finding's own evidence (a transcript,
    a spec line, a requirement line), so Example / Use instead are not required of them."""
    sections = docs_sections(check.docs)
    required = DOC_SECTIONS if check.producer == "rule" else REQUIRED_SECTIONS
    missing = [title for title in required if not sections.get(title)]
    assert not missing, f"{check.code}: no (or empty) {missing} in its docstring"
    assert set(sections) <= set(DOC_SECTIONS), f"{check.code}: unknown sections {list(sections)}"
    assert check.remediation.strip(), f"{check.code}: no remediation"
    summary = check.one_line()
    assert summary and "\n" not in summary


@pytest.mark.parametrize("check", CHECKS, ids=ids)
def test_code_name_and_owasp_agree(check: type[Check]) -> None:
    assert re.fullmatch(r"APS\d{3}", check.code)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", check.name)
    assert re.fullmatch(r"API\d{1,2}:2023", check.owasp)
    assert isinstance(check.kind, Kind) and check.status in {"stable", "preview"}
    if check.kind is Kind.DEPENDENCY:
        assert check.code.startswith("APS0") and check.owasp == "API8:2023"
    elif check.code not in OWASP_EXCEPTIONS:
        assert check.code[3] == check.owasp[3], f"{check.code} is not in {check.owasp}"


@pytest.mark.parametrize("check", CHECKS, ids=ids)
def test_info_is_the_class(check: type[Check]) -> None:
    info = check.info()
    assert (info.code, info.name, info.kind, info.owasp) == (
        check.code,
        check.name,
        check.kind,
        check.owasp,
    )
    assert (info.severity, info.confidence, info.cwe, info.status) == (
        check.severity,
        check.confidence,
        check.cwe,
        check.status,
    )
    assert info.docs == check.docs and info.summary == check.one_line()


def test_a_finding_takes_its_facts_from_its_check() -> None:
    check = DRIFT_CHECKS[0]
    where = Location("app.py", 3, "handler")
    finding = check.new_finding(message="m", method="GET", path="/x", location=where)
    assert (finding.code, finding.kind, finding.owasp, finding.cwe) == (
        check.code,
        check.kind,
        check.owasp,
        check.cwe,
    )
    assert (finding.severity, finding.confidence, finding.remediation, finding.status) == (
        check.severity,
        check.confidence,
        check.remediation,
        check.status,
    )
    told = check.new_finding(message="m", severity=Severity.LOW, remediation="r", cwe=1)
    assert (told.severity, told.remediation, told.cwe) == (Severity.LOW, "r", 1)


def test_only_the_check_base_builds_findings() -> None:
    """Producers go through ``Check.new_finding``; model (from_dict) and the static
    cache (decoding) rebuild findings that a check made."""
    builders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                builders.append(path.relative_to(PACKAGE).as_posix())
    assert builders == ["checks.py"]


def test_one_registry_for_every_consumer() -> None:
    assert pipeline_catalogue() == catalogue()


def test_drift_codes_that_run_on_every_route() -> None:
    assert route_codes(schema=True, spec=False) == ["APS901"]
    assert route_codes(schema=False, spec=True) == [f"APS90{i}" for i in (2, 4, 5, 6, 7)]
    assert route_codes(schema=False, spec=False) == []


def test_no_rule_module_imports_the_registry_that_imports_it() -> None:
    for path in sorted((PACKAGE / "rules").glob("aps*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert not (node.level == 1 and module == ""), f"{path.name}: from . import"
                assert module != "pytest_apiposture.rules", path.name
