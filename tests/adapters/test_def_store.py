"""What the Flask adapter reads from source files (where each ``def`` is, what a view
reads from the body) is kept across runs per file content: an unchanged file is not
parsed again, a changed or damaged one is, and the routes are the same either way."""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("flask")

from pytest_apiposture.adapters import _decorator_chain
from pytest_apiposture.adapters._def_store import def_store
from pytest_apiposture.adapters.flask import FlaskAdapter

_names = itertools.count()

APP = """
import functools

from flask import Flask, request

app = Flask(__name__)


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    return wrapper


@app.post("/login")
def login():
    return {"user": request.form["username"], "ok": bool(request.form.get("password"))}


@app.get("/me")
@login_required
def me():
    return {}
"""


@pytest.fixture
def module(tmp_path: Path) -> ModuleType:
    name = f"ds_app_{next(_names)}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(APP))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = _decorator_chain._index_defs

    def counted(filename: str) -> Any:
        seen.append(os.path.basename(filename))
        return original(filename)

    monkeypatch.setattr(_decorator_chain, "_index_defs", counted)
    return seen


def facts(module: ModuleType, cache: Path | None, notes: list[str] | None = None) -> list[Any]:
    with def_store(cache, [] if notes is None else notes):
        routes = FlaskAdapter().enumerate(module.app).routes
    return [
        (r.key, r.location, r.body_reads, [(g.name, g.location) for g in r.guards]) for r in routes
    ]


def app_parses(parses: list[str], module: ModuleType) -> int:
    return parses.count(f"{module.__name__}.py")


def test_an_unchanged_file_is_not_parsed_again(
    module: ModuleType, parses: list[str], tmp_path: Path
) -> None:
    first = facts(module, tmp_path / "cache")
    assert app_parses(parses, module) == 1
    login = next(f for f in first if f[0] == "POST /login")
    assert login[2] == ("username", "password")
    me = next(f for f in first if f[0] == "GET /me")
    assert me[3][0][1] is not None and me[3][0][1].symbol.startswith("login_required")
    second = facts(module, tmp_path / "cache")
    assert app_parses(parses, module) == 1, "the unchanged app file was parsed again"
    assert second == first


def test_a_fresh_checkout_of_the_same_file_is_not_parsed_again(
    module: ModuleType,
    parses: list[str],
    tmp_path: Path,
    checkout_again: Callable[[Iterable[Path]], None],
    settled: Callable[[Iterable[Path]], None],
) -> None:
    path = Path(module.__file__ or "")
    settled([path])  # recorded by its stat too: the checkout changes the stat
    first = facts(module, tmp_path / "cache")
    checkout_again([path])
    assert facts(module, tmp_path / "cache") == first
    assert app_parses(parses, module) == 1, "a new stat with the same bytes was parsed again"


@pytest.mark.parametrize(
    "age", [0, 3600, -1], ids=["just written", "an hour old", "just written, same mtime"]
)
def test_an_edited_file_is_parsed_again(
    module: ModuleType, parses: list[str], tmp_path: Path, age: int
) -> None:
    path = Path(module.__file__ or "")
    if age > 0:
        stamp = path.stat().st_mtime - age
        os.utime(path, (stamp, stamp))
    written = path.stat().st_mtime_ns
    first = facts(module, tmp_path / "cache")
    path.write_text(path.read_text().replace('"user"', '"name"'))  # the same size
    if age > 0:
        os.utime(path, (stamp + 1, stamp + 1))
    elif age < 0:  # a coarse clock: the edit kept the mtime the run saw
        os.utime(path, ns=(written, written))
    assert facts(module, tmp_path / "cache") == first
    assert app_parses(parses, module) == 2


def test_a_damaged_store_is_parsed_around_and_rewritten(
    module: ModuleType, parses: list[str], tmp_path: Path
) -> None:
    first = facts(module, tmp_path / "cache")
    (store,) = (tmp_path / "cache").glob("apiposture-defs*")
    data = store.read_bytes()
    store.write_bytes(data[:30] + bytes([data[30] ^ 1]) + data[31:])
    assert facts(module, tmp_path / "cache") == first
    assert facts(module, tmp_path / "cache") == first
    assert app_parses(parses, module) == 2


def test_without_a_cache_directory_every_run_parses(
    module: ModuleType, parses: list[str], tmp_path: Path
) -> None:
    assert facts(module, None) == facts(module, None)
    assert app_parses(parses, module) == 2


def test_a_store_that_cannot_be_written_is_a_note(module: ModuleType, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    notes: list[str] = []
    assert facts(module, blocker / "cache", notes)
    assert any("could not write the source-facts cache" in n for n in notes)
