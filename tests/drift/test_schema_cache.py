"""The generated OpenAPI schema is kept across runs, and only while nothing it was built
from changed: each test changes one thing the key must see and asserts, through the
app's own ``openapi()`` being called or not (never through timing), that it is seen."""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("fastapi")

from pytest_apiposture.config import build_settings
from pytest_apiposture.openapi.schema_cache import FORMAT, SchemaCache
from pytest_apiposture.pipeline import Analysis, analyse

_names = itertools.count()

APP = """
from fastapi import FastAPI

app = FastAPI(title="schema cache")
calls = []
_generate = app.openapi


edit_while_generating = []  # a test puts a file here to edit it during the generation


def _counted():
    calls.append(1)
    for path in edit_while_generating:
        with open(path, "a") as fh:
            fh.write("# edited while the schema was generated\\n")
    app.openapi_schema = None  # as Prefect's override: built anew on every call
    return _generate()


app.openapi = _counted


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, ModuleType]:
    name = f"sc_app_{next(_names)}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(APP))
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
    return tmp_path, module


def run(root: Path, module: ModuleType, cache: Path | None = None) -> Analysis:
    options = {"app": f"{module.__name__}:app", "audit": False, "static_only": True}
    cache_dir = root / "cache" if cache is None else cache
    return analyse(build_settings(root, options, cache_dir=cache_dir))


def test_an_unchanged_second_run_reads_the_stored_schema(
    project: tuple[Path, ModuleType],
) -> None:
    root, module = project
    first = run(root, module)
    assert module.calls == [1]
    second = run(root, module)
    assert module.calls == [1], "the second run generated the schema again"
    assert second.schema == first.schema
    assert "/items/{item_id}" in (second.schema or {}).get("paths", {})
    assert [f.fingerprint() for f in second.posture.findings] == [
        f.fingerprint() for f in first.posture.findings
    ]


@pytest.mark.parametrize(
    "age", [0, 3600, -1], ids=["just written", "an hour old", "just written, same mtime"]
)
def test_a_code_edit_regenerates(project: tuple[Path, ModuleType], age: int) -> None:
    """A file written just before the run is recorded by its content, an older one by
    its stat (mtime, size, inode): an edit is seen either way."""
    root, module = project
    path = Path(module.__file__ or "")
    if age > 0:
        stamp = path.stat().st_mtime - age
        os.utime(path, (stamp, stamp))
    written = path.stat().st_mtime_ns
    run(root, module)
    run(root, module)
    assert module.calls == [1]
    path.write_text(path.read_text().replace("schema cache", "schema-cache"))  # same size
    if age > 0:
        os.utime(path, (stamp + 1, stamp + 1))
    elif age < 0:  # a coarse clock: the edit kept the mtime the run saw
        os.utime(path, ns=(written, written))
    run(root, module)
    assert module.calls == [1, 1]


def test_a_fresh_checkout_of_the_same_code_reads_the_stored_schema(
    project: tuple[Path, ModuleType],
    monkeypatch: pytest.MonkeyPatch,
    checkout_again: Callable[[Iterable[Path]], None],
    settled: Callable[[Iterable[Path]], None],
) -> None:
    """A CI job restores the cache into a new checkout (new mtimes and inodes, the same
    bytes) with its own run ids: the stored schema holds; an edit still regenerates."""
    root, module = project
    path = Path(module.__file__ or "")
    settled([path])  # recorded by its stat too: the checkout changes the stat
    monkeypatch.setenv("GITHUB_RUN_ID", "101")
    monkeypatch.setenv("CI_JOB_ID", "7")
    run(root, module)
    checkout_again([path])
    monkeypatch.setenv("GITHUB_RUN_ID", "102")
    monkeypatch.setenv("CI_JOB_ID", "8")
    monkeypatch.setenv("HOSTNAME", "runner-2")
    run(root, module)
    assert module.calls == [1], "a checkout of the same code generated the schema again"
    path.write_text(path.read_text().replace("schema cache", "schema-cache"))
    checkout_again([path])
    run(root, module)
    assert module.calls == [1, 1]


def test_a_file_edited_while_the_schema_is_generated_regenerates_next_time(
    project: tuple[Path, ModuleType],
) -> None:
    """The stored schema was made from the code as imported: a module changed after the
    import began may not be that code, so the next run does not trust the entry."""
    root, module = project
    path = Path(module.__file__ or "")
    old = path.stat().st_mtime - 3600
    os.utime(path, (old, old))  # settled: only the edit during the run is recent
    module.edit_while_generating.append(str(path))
    run(root, module)
    module.edit_while_generating.clear()
    run(root, module)
    assert module.calls == [1, 1], "a schema made before an edit was trusted"
    run(root, module)
    assert module.calls == [1, 1]


def test_an_environment_variable_regenerates(
    project: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, module = project
    run(root, module)
    monkeypatch.setenv("SC_APP_FEATURE", "on")
    run(root, module)
    assert module.calls == [1, 1]
    run(root, module)
    assert module.calls == [1, 1]  # and the new environment's schema is kept
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw7")  # per worker: not part of the key
    monkeypatch.setenv("COLUMNS", "80")  # an xdist worker's terminal
    run(root, module)
    assert module.calls == [1, 1]


def test_an_env_file_edit_regenerates(project: tuple[Path, ModuleType]) -> None:
    root, module = project
    run(root, module)
    (root / ".env").write_text("SC_TITLE=other\n")
    run(root, module)
    assert module.calls == [1, 1]


def test_a_route_added_regenerates(project: tuple[Path, ModuleType]) -> None:
    root, module = project
    first = run(root, module)

    @module.app.get("/extra")
    def extra() -> dict[str, str]:
        return {}

    second = run(root, module)
    assert module.calls == [1, 1]
    assert "/extra" in (second.schema or {})["paths"]
    assert "/extra" not in (first.schema or {})["paths"]


def test_a_module_the_app_newly_imports_regenerates(
    project: tuple[Path, ModuleType], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An optional dependency installed since: no recorded file changed, but the app's
    import loaded a module the stored run never saw."""
    root, module = project
    analysis = run(root, module)
    assert analysis.loaded is not None
    where = tmp_path_factory.mktemp("site")
    name = f"sc_optional_{next(_names)}"
    (where / f"{name}.py").write_text("")
    before = frozenset(sys.modules)
    sys.path.insert(0, str(where))
    try:
        importlib.import_module(name)
    finally:
        sys.path.remove(str(where))

    def cache(new_modules: frozenset[str]) -> SchemaCache:
        opened = SchemaCache.open(
            root / "cache",
            target=analysis.loaded.target,  # type: ignore[union-attr]
            root=str(root),
            routes=analysis.posture.routes,
            new_modules=new_modules,
        )
        assert opened is not None
        return opened

    assert cache(frozenset()).get() == analysis.schema
    assert cache(frozenset(sys.modules) - before).get() is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-7],
        lambda data: data[:40] + bytes([data[40] ^ 1]) + data[41:],
        lambda data: b"not a cache at all",
        lambda data: FORMAT + b"\0" * 16 + b"garbage",
    ],
    ids=["truncated", "flipped byte", "foreign", "bad checksum"],
)
def test_a_damaged_entry_regenerates_and_is_replaced(
    project: tuple[Path, ModuleType], damage: object
) -> None:
    root, module = project
    first = run(root, module)
    (entry,) = (root / "cache").glob("apiposture-schema-*.bin")
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    second = run(root, module)
    assert module.calls == [1, 1]
    assert second.schema == first.schema
    run(root, module)
    assert module.calls == [1, 1]  # the regenerated schema was stored again


def test_without_a_cache_directory_nothing_is_stored(
    project: tuple[Path, ModuleType],
) -> None:
    root, module = project
    options = {"app": f"{module.__name__}:app", "audit": False, "static_only": True}
    for _ in range(2):
        analyse(build_settings(root, options))
    assert module.calls == [1, 1]
    assert not list(root.rglob("apiposture-schema-*"))


def test_a_cache_that_cannot_be_written_is_a_note(
    project: tuple[Path, ModuleType],
) -> None:
    root, module = project
    blocker = root / "not-a-folder"
    blocker.write_text("")
    analysis = run(root, module, cache=blocker / "cache")
    assert analysis.schema is not None
    assert any("could not write the OpenAPI schema cache" in n for n in analysis.posture.notes)
