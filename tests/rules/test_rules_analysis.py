"""The analysis pass: one result per run, a cache that never changes the answer."""

from __future__ import annotations

import ast
import importlib
import itertools
import os
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from rules_helpers import run_static

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.knowledge import Knowledge
from pytest_apiposture.model import Finding, Kind, Severity
from pytest_apiposture.rules import RULES, Rule, RuleContext
from pytest_apiposture.static import engine
from pytest_apiposture.static.engine import AnalysisResult, project_files_for

_counter = itertools.count()

MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    api_key: Mapped[str] = mapped_column(String(80))
"""

APP = """
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

from .models import Member

oauth2 = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()


def get_db():
    yield None


@app.get("/members/{name}")
def read_member(name: str, token: str = Depends(oauth2), db=Depends(get_db)):
    return db.get(Member, name)


@app.get("/open")
def open_route():
    return {}
"""


def make_app(root: Path) -> tuple[Any, Path]:
    """A small FastAPI package under root with a unique name; (app, package dir)."""
    name = f"rxcache_{next(_counter)}"
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(textwrap.dedent(MODELS))
    (package / "main.py").write_text(textwrap.dedent(APP))
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(f"{name}.main")
    finally:
        sys.path.remove(str(root))
    return module.app, package


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def summary(result: AnalysisResult, root: Path) -> list[tuple[str, str, str, int]]:
    return sorted(
        (f.code, f.route_key, Path(f.location.file).relative_to(root).as_posix(), f.location.line)
        for f in result.findings
        if f.location
    )


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = ast.parse

    def counting(source: Any, filename: str = "<unknown>", *args: Any, **kwargs: Any) -> Any:
        parsed.append(Path(filename).name)
        return real(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    return parsed


def test_a_warm_run_gives_the_cold_result_without_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, package = make_app(tmp_path)
    # a file a rule may fire on (APS804's filter) is parsed, and its syntax error noted
    (package / "broken.py").write_text('SECRET_KEY = "x"\ndef broken(:\n')
    cache = tmp_path / "cache"
    routes = select_adapter(app).routes(app)
    parsed = count_parses(monkeypatch)
    cold = run_static(
        app, root=tmp_path, app_file=package / "main.py", cache_dir=cache, routes=routes
    )
    cold_parsed = sorted(parsed)
    parsed.clear()
    warm = run_static(
        app, root=tmp_path, app_file=package / "main.py", cache_dir=cache, routes=routes
    )
    assert parsed == []
    assert cold_parsed == ["broken.py", "main.py", "models.py"]  # not the empty __init__.py
    main = f"{package.name}/main.py"
    assert summary(cold, tmp_path) == [
        ("APS201", "GET /open", main, line_of(package / "main.py", "def open_route")),
        ("APS302", "GET /members/{name}", main, line_of(package / "main.py", "return db.get")),
    ]
    assert [repr(f) for f in warm.findings] == [repr(f) for f in cold.findings]
    assert [(r.key, r.auth, r.origin, [g.role for g in r.guards]) for r in warm.routes] == [
        (r.key, r.auth, r.origin, [g.role for g in r.guards]) for r in cold.routes
    ]
    assert (
        warm.notes
        == cold.notes
        == [
            f"{package.name}/broken.py:2: syntax error: invalid syntax — the rules skipped this file"
        ]
    )


def test_a_file_no_rule_may_fire_on_is_read_not_parsed_and_its_change_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, package = make_app(tmp_path)
    helpers = package / "helpers.py"
    helpers.write_text(
        'import logging\n\ndef shout(text):\n    logging.debug("x")\n    return text.upper()\n'
    )
    cache = tmp_path / "cache"
    routes = select_adapter(app).routes(app)
    parsed = count_parses(monkeypatch)
    first = run_static(
        app, root=tmp_path, app_file=package / "main.py", cache_dir=cache, routes=routes
    )
    assert "helpers.py" not in parsed  # "debug" alone is not APS801's debug=...
    assert "APS804" not in {f.code for f in first.findings}
    helpers.write_text(helpers.read_text() + 'SIGNING_KEY = "s3cr3t-signing-value"\n')
    parsed.clear()
    second = run_static(
        app, root=tmp_path, app_file=package / "main.py", cache_dir=cache, routes=routes
    )
    assert parsed == ["helpers.py"]  # the file unit read it: its change is a cache miss
    helpers_file = f"{package.name}/helpers.py"
    assert [
        (f.code, f.location.line)
        for f in second.findings
        if f.location and f.location.file.endswith(helpers_file)
    ] == [("APS804", 6)]


def test_non_ascii_and_declared_encodings_are_filtered_as_python_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, package = make_app(tmp_path)
    (package / "texts.py").write_text('GREETING = "h\u00e9llo"\n', encoding="utf-8")
    # NFKC: Python reads the full-width attribute name as ``debug``
    (package / "switch.py").write_text(
        "import app\napp.\uff44\uff45\uff42\uff55\uff47 = True\n", encoding="utf-8"
    )
    # UTF-7: the ASCII bytes ``+AGQ-ebug`` are the name ``debug``
    (package / "seven.py").write_bytes(b"# coding: utf-7\nimport app\napp.+AGQ-ebug = True\n")
    (package / "plain.py").write_bytes(b"# coding: utf-8\nNAME = 1\n")
    parsed = count_parses(monkeypatch)
    result = run_static(app, root=tmp_path, app_file=package / "main.py", cache_dir=None)
    assert {"switch.py", "seven.py"} <= set(parsed)
    assert "plain.py" not in parsed  # declared UTF-8: filtered
    assert "texts.py" not in parsed  # non-ASCII, nothing a rule reads: filtered
    flagged = {
        (Path(f.location.file).name, f.location.line)
        for f in result.findings
        if f.code == "APS801" and f.location
    }
    assert flagged == {("switch.py", 2), ("seven.py", 3)}


def test_a_broken_file_no_rule_may_fire_on_is_not_parsed_nor_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, package = make_app(tmp_path)
    (package / "legacy.py").write_text('print "hello"\n')
    parsed = count_parses(monkeypatch)
    result = run_static(app, root=tmp_path, app_file=package / "main.py", cache_dir=None)
    assert "legacy.py" not in parsed
    assert result.notes == []  # no rule would have read it: nothing was skipped


def test_a_changed_file_invalidates_exactly_the_units_that_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, package = make_app(tmp_path)
    cache = tmp_path / "cache"
    run_static(app, root=tmp_path, app_file=package / "main.py", cache_dir=cache)
    models = package / "models.py"
    models.write_text(models.read_text().replace("api_key", "nickname"))
    routes = select_adapter(app).routes(app)
    parsed = count_parses(monkeypatch)
    after = run_static(
        app, root=tmp_path, app_file=package / "main.py", cache_dir=cache, routes=routes
    )
    open_line = line_of(package / "main.py", "def open_route")
    assert summary(after, tmp_path) == [
        ("APS201", "GET /open", f"{package.name}/main.py", open_line)
    ]
    # the route that read models.py and the models.py file unit; nothing else
    assert sorted(parsed) == ["main.py", "models.py"]


def test_a_damaged_or_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    app, package = make_app(tmp_path)
    cache = tmp_path / "cache"
    expected = summary(run_static(app, root=tmp_path, app_file=package / "main.py"), tmp_path)
    run_static(app, root=tmp_path, app_file=package / "main.py", cache_dir=cache)
    for stored in cache.iterdir():  # the unit cache and the whole-run entry
        stored.write_text('{"format": 2, "tool": "x", "units": {"a": [')
    damaged = run_static(app, root=tmp_path, app_file=package / "main.py", cache_dir=cache)
    assert summary(damaged, tmp_path) == expected
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    result = run_static(app, root=tmp_path, app_file=package / "main.py", cache_dir=blocked)
    assert summary(result, tmp_path) == expected
    assert len(result.notes) == 1
    assert result.notes[0].startswith(f"could not write the static-analysis cache {blocked}/")


class Exploding(Rule):
    """Test rule that fails on every route."""

    code = "APS299"
    name = "exploding"
    kind = Kind.MISSING_AUTH
    owasp = "API2:2023"
    message = "boom"
    remediation = "`fix`"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        raise RuntimeError("boom")


def test_a_failing_rule_is_noted_and_the_others_still_run(tmp_path: Path) -> None:
    app, package = make_app(tmp_path)
    rules = [Exploding(), *(rule() for rule in RULES)]
    result = run_static(app, root=tmp_path, app_file=package / "main.py", rules=rules)
    assert ("APS201", "GET /open") in {(f.code, f.route_key) for f in result.findings}
    assert "APS299 failed on GET /open: RuntimeError: boom (a bug in the rule)" in result.notes
    assert all(f.severity is not Severity.CRITICAL for f in result.findings)


def test_project_files_are_the_app_packages_python_files(tmp_path: Path) -> None:
    app, package = make_app(tmp_path)
    (package / "sub").mkdir()
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "deep.py").write_text("")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.py").write_text("")
    (package / ".hidden").mkdir()
    (package / ".hidden" / "y.py").write_text("")
    (tmp_path / "loose.py").write_text("")
    routes = select_adapter(app).routes(app)
    files = project_files_for(routes, package / "main.py", tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        f"{package.name}/__init__.py",
        f"{package.name}/main.py",
        f"{package.name}/models.py",
        f"{package.name}/sub/__init__.py",
        f"{package.name}/sub/deep.py",
    ]
    assert project_files_for([], tmp_path / "loose.py", tmp_path) == [tmp_path / "loose.py"]
    assert project_files_for([], tmp_path / "loose.py", package) == []


def test_project_files_follow_imports_into_namespace_packages(tmp_path: Path) -> None:
    """An app run from its folder: no ``__init__.py`` anywhere. The modules it imports
    (directly or through another project module) are project files; a sibling nobody
    imports, a library and a test folder are not."""
    app_dir = tmp_path / "svc"
    (app_dir / "core").mkdir(parents=True)
    (app_dir / "tests").mkdir()
    (app_dir / "main.py").write_text(
        "from core import security\nimport settings as conf\nfrom . import nothing\n"
    )
    (app_dir / "settings.py").write_text("from core.keys import (\n    VERIFY,\n)\n")
    (app_dir / "core" / "security.py").write_text("import os\n")
    (app_dir / "core" / "keys.py").write_text("VERIFY = False\n")
    (app_dir / "unused.py").write_text("SECRET_KEY = 'x'\n")
    (app_dir / "tests" / "test_main.py").write_text("import main\n")
    files = project_files_for([], app_dir / "main.py", tmp_path)
    assert [p.relative_to(app_dir).as_posix() for p in files] == [
        "core/keys.py",
        "core/security.py",
        "main.py",
        "settings.py",
    ]


def test_the_same_import_resolves_where_each_file_imports_it(tmp_path: Path) -> None:
    """Resolutions are shared between files (pgAdmin 4: 7,915 files importing the same
    modules), never between folders: ``from .helpers import x`` in two folders names two
    files, and a root added later is searched for names resolved before it."""
    app_dir = tmp_path / "svc"
    for folder in ("a", "b"):
        (app_dir / folder).mkdir(parents=True)
        (app_dir / folder / "view.py").write_text("from .helpers import x\nimport common\n")
        (app_dir / folder / "helpers.py").write_text("x = 1\n")
    (app_dir / "main.py").write_text("from a import view\nfrom b import view as other\n")
    (app_dir / "common.py").write_text("")
    files = project_files_for([], app_dir / "main.py", tmp_path)
    assert [p.relative_to(app_dir).as_posix() for p in files] == [
        "a/helpers.py",
        "a/view.py",
        "b/helpers.py",
        "b/view.py",
        "common.py",
        "main.py",
    ]


def test_project_rules_reach_namespace_package_modules_the_app_imports() -> None:
    """The fixture app runs from its folder (no ``__init__.py``): APS803 in
    ``rxns_core/tokens.py``, APS804 in ``rxns_settings.py`` and the SSRF in
    ``rxns_core/fetching.py`` are found; the file nobody imports is not read."""
    from rules_helpers import FIXTURES, assert_marks, found, levels_of, read_marks

    root = FIXTURES / "rx_ns_app"
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module("rxns_main")
    finally:
        sys.path.remove(str(root))
    result = run_static(module.app, root=root, app_file=Path(module.__file__))
    marks = read_marks(sorted(root.rglob("*.py")), root)
    assert_marks(found(result.findings, root), marks, levels_of(result.findings, root))
    assert marks.expect  # the fixture says something


def test_a_cache_with_a_flipped_byte_is_ignored_not_unmarshalled(tmp_path: Path) -> None:
    app, package = make_app(tmp_path)
    cache = tmp_path / "cache"
    expected = summary(run_static(app, root=tmp_path, app_file=package / "main.py"), tmp_path)
    run_static(app, root=tmp_path, app_file=package / "main.py", cache_dir=cache)
    for stored in cache.iterdir():  # the unit cache and the whole-run entry
        data = bytearray(stored.read_bytes())
        data[-5] ^= 0xFF  # inside the payload: the checksum no longer matches
        stored.write_bytes(bytes(data))
    again = run_static(app, root=tmp_path, app_file=package / "main.py", cache_dir=cache)
    assert summary(again, tmp_path) == expected
    assert again.notes == []


def test_the_whole_run_entry_is_not_reused_for_other_routes(tmp_path: Path) -> None:
    app, package = make_app(tmp_path)
    cache = tmp_path / "cache"
    main = package / "main.py"
    routes = select_adapter(app).routes(app)
    fewer = [r for r in routes if r.path != "/open"]
    run_static(app, root=tmp_path, app_file=main, cache_dir=cache, routes=routes)
    again = run_static(app, root=tmp_path, app_file=main, cache_dir=cache, routes=fewer)
    name = f"{package.name}/main.py"
    assert summary(again, tmp_path) == [
        ("APS302", "GET /members/{name}", name, line_of(main, "return db.get")),
        ("APS909", "", name, line_of(main, '@app.get("/open")')),
    ]
    assert [r.key for r in again.routes] == [r.key for r in fewer]


def test_a_same_size_edit_within_the_same_mtime_is_seen(tmp_path: Path) -> None:
    app, package = make_app(tmp_path)
    cache = tmp_path / "cache"
    main = package / "main.py"
    routes = select_adapter(app).routes(app)
    run_static(app, root=tmp_path, app_file=main, cache_dir=cache, routes=routes)
    before = main.stat()
    source = main.read_text()
    old = "return db.get(Member, name)"
    main.write_text(source.replace(old, "return {'n': name}".ljust(len(old))))
    os.utime(main, ns=(before.st_atime_ns, before.st_mtime_ns))  # stat as recorded
    assert main.stat().st_size == before.st_size
    edited = run_static(app, root=tmp_path, app_file=main, cache_dir=cache, routes=routes)
    name = f"{package.name}/main.py"
    assert summary(edited, tmp_path) == [
        ("APS201", "GET /open", name, line_of(main, "def open_route")),
    ]


def test_a_rule_whose_filter_raises_still_looks_and_the_run_goes_on(tmp_path: Path) -> None:
    class BrokenFilter(Rule):
        code, scope, kind = "APS999", "project", Kind.MISCONFIGURATION

        def may_fire(self, lowered: bytes, knowledge: Knowledge) -> bool:
            raise RuntimeError("boom")

        def check(self, ctx: RuleContext) -> Iterable[Finding]:
            if ctx.module is not None and ctx.module.path.endswith("models.py"):
                yield self.finding(ctx, file=ctx.module.path, line=1)

    app, package = make_app(tmp_path)
    result = run_static(app, root=tmp_path, app_file=package / "main.py", rules=[BrokenFilter()])
    assert [(f.code, Path(f.location.file).name) for f in result.findings if f.location] == [
        ("APS999", "models.py")
    ]
    assert (
        f"APS999 failed to filter {package.name}/models.py: RuntimeError: boom (a bug in the rule)"
        in result.notes
    )


def test_a_fresh_checkout_of_the_same_files_keeps_the_cache(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    checkout_again: Callable[[Iterable[Path]], None],
    settled: Callable[[Iterable[Path]], None],
) -> None:
    """A CI job restores the cache directory into a new checkout: every file has a new
    mtime and inode but the same bytes, so nothing is analysed again."""
    app, package = make_app(tmp_path)
    settled(package.glob("*.py"))  # recorded by their stat too: the checkout changes it
    cache = tmp_path / "cache"
    routes = select_adapter(app).routes(app)
    cold = run_static(
        app, root=tmp_path, app_file=package / "main.py", cache_dir=cache, routes=routes
    )
    checkout_again(package.glob("*.py"))
    parsed = count_parses(monkeypatch)
    replayed: list[int] = []  # the whole-run entry (static/run.py), checked by file stamps
    replay = engine._replay

    def counted(*args: Any) -> Any:
        replayed.append(1)
        return replay(*args)

    monkeypatch.setattr(engine, "_replay", counted)
    warm = run_static(
        app, root=tmp_path, app_file=package / "main.py", cache_dir=cache, routes=routes
    )
    assert parsed == []
    assert replayed == [1], "the whole-run entry did not hold across the checkout"
    assert [repr(f) for f in warm.findings] == [repr(f) for f in cold.findings]
    models = package / "models.py"
    models.write_text(models.read_text().replace("api_key", "nickname"))
    checkout_again([models])  # new content under a new stat: analysed again
    assert "APS302" not in {
        f.code
        for f in run_static(
            app, root=tmp_path, app_file=package / "main.py", cache_dir=cache, routes=routes
        ).findings
    }
    assert sorted(parsed) == ["main.py", "models.py"]
