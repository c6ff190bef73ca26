"""SourceIndex: callables to defs, each file parsed once, names resolved, bad input noted."""

from __future__ import annotations

import ast
import functools
import importlib
import itertools
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pytest_apiposture.model import Route
from pytest_apiposture.static import source as source_module
from pytest_apiposture.static.source import UNKNOWN, SourceIndex
from pytest_apiposture.static.syntax import unparse

_counter = itertools.count()


def write_package(root: Path, files: dict[str, str]) -> str:
    """A uniquely named package under root; returns its name."""
    name = f"rxsrc_{next(_counter)}"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / name / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return name


def load(monkeypatch: pytest.MonkeyPatch, root: Path, dotted: str) -> ModuleType:
    monkeypatch.syspath_prepend(str(root))
    importlib.invalidate_caches()
    return importlib.import_module(dotted)


def test_function_finds_the_def_line_behind_decorators_partials_and_instances(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = write_package(
        tmp_path,
        {
            "views.py": """
            import functools

            def logged(view):
                @functools.wraps(view)
                def wrapper(*args, **kwargs):
                    return view(*args, **kwargs)
                return wrapper

            @logged
            @logged
            def handler(item_id):
                return item_id

            def make():
                def inner():
                    return 1
                return inner

            class Checker:
                def __call__(self, user):
                    return user

            def paged(offset, size):
                return offset, size
            """
        },
    )
    views = load(monkeypatch, tmp_path, f"{pkg}.views")
    index = SourceIndex(tmp_path)
    found = {
        name: index.function(obj)
        for name, obj in {
            "decorated": views.handler,
            "nested": views.make(),
            "instance": views.Checker(),
            "partial": functools.partial(views.paged, 0),
        }.items()
    }
    assert {k: (v.name, v.line) if v else None for k, v in found.items()} == {
        "decorated": ("handler", 12),
        "nested": ("inner", 16),
        "instance": ("__call__", 21),
        "partial": ("paged", 24),
    }
    wrapper = index.function(views.handler, unwrap=False)
    assert wrapper is not None and (wrapper.name, wrapper.line) == ("wrapper", 6)
    assert index.notes == []


def test_each_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = write_package(tmp_path, {"a.py": "def one():\n    pass\n\ndef two():\n    pass\n"})
    module = load(monkeypatch, tmp_path, f"{pkg}.a")
    parsed: list[str] = []
    real_parse = ast.parse

    def counting(source: Any, filename: str = "<unknown>", *args: Any, **kwargs: Any) -> Any:
        parsed.append(filename)
        return real_parse(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    index = SourceIndex(tmp_path)
    first = index.function(module.one)
    second = index.function(module.two)
    assert first is not None and second is not None
    assert first.module is second.module is index.module(tmp_path / pkg / "a.py")
    assert parsed == [str(tmp_path / pkg / "a.py")]


def test_a_syntax_error_is_noted_once_and_never_raises(tmp_path: Path) -> None:
    bad = tmp_path / "broken.py"
    bad.write_text("def ok():\n    pass\n\ndef broken(:\n    pass\n")
    try:
        compile(bad.read_text(), str(bad), "exec")
    except SyntaxError as exc:
        expected = f"broken.py:{exc.lineno}: syntax error: {exc.msg} — the rules skipped this file"
    index = SourceIndex(tmp_path)
    assert index.module(bad) is None
    assert index.module(str(bad)) is None
    assert index.notes == [expected]


def test_code_without_a_source_file_is_noted_not_fatal(tmp_path: Path) -> None:
    namespace: dict[str, Any] = {"__name__": "rx_generated"}
    exec("def generated():\n    return 1\n", namespace)
    index = SourceIndex(tmp_path)
    assert index.function(len) is None
    assert index.function(namespace["generated"]) is None
    assert index.notes == [
        "builtins:len: no Python source (C extension or builtin); the rules skipped it",
        "rx_generated:generated: defined in <string> (exec or generated code), no source file;"
        " the rules skipped it",
    ]


def test_a_lambda_view_is_found_and_noted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = write_package(tmp_path, {"app.py": "x = 1\nview = lambda: {'ok': True}\n"})
    module = load(monkeypatch, tmp_path, f"{pkg}.app")
    index = SourceIndex(tmp_path)
    found = index.function(module.view)
    assert found is not None and found.is_lambda and found.line == 2
    assert index.notes == [
        f"{pkg}/app.py:2: {pkg}.app:<lambda> is a lambda; rules that need a function body"
        " skipped it"
    ]


def test_an_endpoint_that_lost_wrapped_is_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = write_package(
        tmp_path,
        {
            "app.py": """
            def no_wraps(view):
                def inner(*args, **kwargs):
                    return view(*args, **kwargs)
                return inner

            @no_wraps
            def handler():
                return {}
            """
        },
    )
    module = load(monkeypatch, tmp_path, f"{pkg}.app")
    index = SourceIndex(tmp_path)
    route = Route("GET", "/x", "fastapi", f"{pkg}.app:handler", endpoint=module.handler)
    found = index.handler(route)
    assert found is not None and found.name == "inner"
    assert index.notes == [
        f"GET /x: {pkg}.app:no_wraps.<locals>.inner looks like a decorator's wrapper without"
        " functools.wraps (no __wrapped__); the rules read the wrapper, not the view"
        " — add @functools.wraps(view) to it"
    ]


def test_library_code_outside_root_is_skipped_silently(tmp_path: Path) -> None:
    index = SourceIndex(tmp_path)
    assert index.function(ast.parse) is None
    assert index.notes == []


def test_resolve_follows_imports_within_root(tmp_path: Path) -> None:
    pkg = write_package(
        tmp_path,
        {
            "models.py": """
            LIMIT = 50
            ORIGINS = ["https://a.example", "https://b.example"]

            class User:
                role = "user"

                def to_dict(self):
                    return {}
            """,
            "reexport.py": "from .models import User as Member\n",
            "sub/__init__.py": "",
            "sub/deep.py": """
            from .. import models
            from ..reexport import Member
            from ..models import LIMIT, ORIGINS
            import json
            from . import missing
            """,
        },
    )
    index = SourceIndex(tmp_path)  # source only: nothing needs importing
    deep = index.module(tmp_path / pkg / "sub" / "deep.py")
    assert deep is not None

    def where(name: str) -> tuple[str, str, str] | None:
        found = index.resolve(deep, name)
        if found is None:
            return None
        return found.kind, found.name, Path(found.module.path).name

    assert where("Member") == ("class", "User", "models.py")
    assert where("models.User") == ("class", "User", "models.py")
    assert where("Member.to_dict") == ("function", "to_dict", "models.py")
    assert where("models.LIMIT") == ("assign", "LIMIT", "models.py")
    assert where("models") == ("module", "models", "models.py")
    assert where("json") is None  # the standard library is not under root
    assert where("missing") is None
    assert where("nowhere") is None
    assert index.literal(deep, ast.parse("LIMIT", mode="eval").body) == 50
    assert index.literal(deep, ast.parse("ORIGINS", mode="eval").body) == (
        "https://a.example",
        "https://b.example",
    )
    assert index.literal(deep, ast.parse("{'k': models.LIMIT}", mode="eval").body) == {"k": 50}
    assert index.literal(deep, ast.parse("json.loads('1')", mode="eval").body) is UNKNOWN


def test_recording_collects_every_file_a_lookup_read_even_on_a_memo_hit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = write_package(
        tmp_path,
        {"models.py": "class User:\n    pass\n", "views.py": "from .models import User\n"},
    )
    load(monkeypatch, tmp_path, f"{pkg}.views")
    index = SourceIndex(tmp_path)
    views = index.module(tmp_path / pkg / "views.py")
    assert views is not None
    models = str((tmp_path / pkg / "models.py").resolve())
    with index.recording() as first:
        index.resolve(views, "User")
    with index.recording() as second:
        index.resolve(views, "User")
    assert models in first.paths
    assert first.paths == second.paths
    assert index.digest(models) == index.digest(models) != source_module.ABSENT
    assert index.digest(str(tmp_path / "nope.py")) == source_module.ABSENT


@pytest.mark.parametrize(
    "expr",
    [
        "user",
        "g.user.id",
        "Item(**body.model_dump(), owner_id=user.id)",
        "db.query(Item).filter(Item.owner_id == user.id).all()",  # a Compare inside
        "body.model_dump(exclude_unset=True).items()",
        "f(1, None, True, x=-1)",  # -1 is a UnaryOp
        "f('text', *args)",
        "(1).real",
        "requests.get(url, timeout=5)",
        "a[1].b(c)",
    ],
)
def test_unparse_spells_what_ast_unparse_spells(expr: str) -> None:
    node = ast.parse(expr, mode="eval").body
    assert unparse(node) == ast.unparse(node)
