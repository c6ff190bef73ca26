"""Marker-driven rule tests, in the style of flake8-bugbear and semgrep.

A fixture line carries what the static pass must report on it::

    def read(item_id: int):  # expect: APS101
    def read_own(item_id: int):  # ok: APS101
    def tricky(item_id: int):  # todo-expect: APS101

``expect`` must be found, ``ok`` must not be, and ``todo-expect`` documents a known
miss: it must currently *not* be found, so fixing the rule makes the test say so.
Every finding in the fixture file must be an ``expect`` mark (nothing extra).

An ``expect`` mark may state the finding's severity and confidence after its code,
and then they are asserted exactly::

    SECRET_KEY = os.getenv("SECRET_KEY") or "change-me"  # expect: APS804 low possible
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.config import route_matcher
from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE, Knowledge
from pytest_apiposture.model import Finding, Route
from pytest_apiposture.rules import RULES, Rule
from pytest_apiposture.static.engine import AnalysisResult, analyse, project_files_for
from pytest_apiposture.static.source import SourceIndex

FIXTURES = Path(__file__).parent / "fixtures"
_LEVELS = r"(?:critical|high|medium|low|info)\s+(?:confirmed|likely|possible)"
_MARK = re.compile(rf"#\s*(expect|ok|todo-expect):\s*((?:APS\d{{3}}(?:\s+{_LEVELS})?[\s,]*)+)")
_CODE = re.compile(rf"(APS\d{{3}})(?:\s+({_LEVELS}))?")


@dataclass
class Marks:
    expect: set[tuple[str, str, int]] = field(default_factory=set)
    ok: set[tuple[str, str, int]] = field(default_factory=set)
    todo: set[tuple[str, str, int]] = field(default_factory=set)
    # expect marks that state them: (code, path, line) -> "severity confidence"
    levels: dict[tuple[str, str, int], str] = field(default_factory=dict)


def read_marks(paths: Iterable[Path], root: Path) -> Marks:
    """(code, path relative to root, line) for every mark in the files."""
    marks = Marks()
    for path in paths:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for kind, codes in _MARK.findall(line):
                target = {"expect": marks.expect, "ok": marks.ok, "todo-expect": marks.todo}[kind]
                for code, levels in _CODE.findall(codes):
                    target.add((code, rel, number))
                    if levels and kind == "expect":
                        marks.levels[(code, rel, number)] = " ".join(levels.split())
    return marks


def load_fixture(name: str) -> Any:
    """Import ``tests/rules/fixtures/<name>.py`` (module names are unique: ``rx_*``)."""
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))
    return importlib.import_module(name)


def run_static(
    app: Any,
    *,
    root: Path,
    app_file: str | Path | None,
    public: Sequence[str] = (),
    knowledge: Knowledge | None = None,
    cache_dir: Path | None = None,
    routes: list[Route] | None = None,
    rules: Sequence[Rule] | None = None,
) -> AnalysisResult:
    """The static pass exactly as the plugin runs it: real adapter, real rules (or ``rules``)."""
    knowledge = (knowledge or DEFAULT_KNOWLEDGE).extended(extra_public=tuple(public))
    routes = routes if routes is not None else select_adapter(app).routes(app)
    return analyse(
        routes,
        root=root,
        knowledge=knowledge,
        index=SourceIndex(root, cache_dir=cache_dir),
        rules=[rule() for rule in RULES] if rules is None else rules,
        is_public=route_matcher(knowledge.public_routes),
        project_files=project_files_for(routes, app_file, root),
    )


def found(findings: Iterable[Finding], root: Path) -> set[tuple[str, str, int]]:
    out = set()
    for f in findings:
        assert f.location is not None, f"{f.code} {f.route_key}: finding without a location"
        path, base = Path(f.location.file).resolve(), root.resolve()
        # a finding outside the fixtures (a library's view) shows as "extra" at its own path
        rel = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        out.add((f.code, rel, f.location.line))
    return out


def levels_of(findings: Iterable[Finding], root: Path) -> dict[tuple[str, str, int], set[str]]:
    """(code, path, line) -> the "severity confidence" of the findings there."""
    out: dict[tuple[str, str, int], set[str]] = {}
    for f in findings:
        (key,) = found([f], root)
        out.setdefault(key, set()).add(f"{f.severity.value} {f.confidence.value}")
    return out


def assert_marks(
    got: set[tuple[str, str, int]],
    marks: Marks,
    levels: dict[tuple[str, str, int], set[str]] | None = None,
) -> None:
    """Exactly the ``expect`` marks; no ``ok`` mark; no ``todo-expect`` mark (yet); and
    the severity and confidence an ``expect`` mark states (``levels``: what was found)."""
    missing = sorted(marks.expect - got)
    extra = sorted(got - marks.expect)
    fixed = sorted(got & marks.todo)
    wrong = sorted(got & marks.ok)
    problems = []
    if missing:
        problems.append(f"missing (marked expect, not found): {missing}")
    if extra:
        problems.append(f"extra (found, not marked expect): {extra}")
    if fixed:
        problems.append(f"todo-expect now found, promote it to expect: {fixed}")
    if wrong:
        problems.append(f"found on a line marked ok: {wrong}")
    for key, stated in sorted(marks.levels.items()):
        seen = (levels or {}).get(key, set())
        if key in got and seen != {stated}:
            problems.append(f"{key}: marked {stated!r}, found {sorted(seen)}")
    assert not problems, "\n".join(problems)


def check_fixture(name: str, *, public: Sequence[str] = ()) -> AnalysisResult:
    """Run the static pass on fixture module ``name`` and assert its marks exactly."""
    module = load_fixture(name)
    path = Path(module.__file__)
    result = run_static(module.app, root=FIXTURES, app_file=path, public=public)
    # fixtures are self-contained: every finding must point into the fixture file
    assert_marks(
        found(result.findings, FIXTURES),
        read_marks([path], FIXTURES),
        levels_of(result.findings, FIXTURES),
    )
    return result
