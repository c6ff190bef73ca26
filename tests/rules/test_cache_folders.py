"""The static cache depends on folders as well as files: a namespace package (a folder
without ``__init__.py``) that appears between two runs changes what a name resolves to,
so the units that looked are recomputed. (The ``__init__.py`` files that decide where a
package's absolute imports start are recorded as reads too.)"""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap
from pathlib import Path
from typing import Any

from rules_helpers import run_static

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.static.resolve import FOLDER
from pytest_apiposture.static.source import SourceIndex

_counter = itertools.count()

MAIN = """
from fastapi import FastAPI

try:
    from {lib} import helpers
except ImportError:  # the helpers come later
    pass

app = FastAPI()


@app.get("/rates")
def rates():
    return helpers.fetch("https://rates.example.com/latest")
"""

HELPERS = """
import requests


def fetch(url):
    return requests.get(url).json()
"""


def make_app(root: Path) -> tuple[Any, Path, str]:
    """An app run from its folder (no ``__init__.py``) whose handler calls into a
    namespace package ``lib`` that does not exist yet: (app, app folder, lib name)."""
    number = next(_counter)
    lib = f"rxfolderlib_{number}"
    app_dir = root / "svc"
    app_dir.mkdir()
    main = app_dir / f"rxfolder_main_{number}.py"
    main.write_text(textwrap.dedent(MAIN.format(lib=lib)))
    sys.path.insert(0, str(app_dir))
    try:
        module = importlib.import_module(main.stem)
    finally:
        sys.path.remove(str(app_dir))
    return module.app, app_dir, lib


def timeouts(result: Any) -> list[tuple[str, str]]:
    return sorted(
        (f.route_key, Path(f.location.file).name)
        for f in result.findings
        if f.code == "APS402" and f.location
    )


def test_a_namespace_package_appearing_between_runs_is_seen(tmp_path: Path) -> None:
    app, app_dir, lib = make_app(tmp_path)
    routes = select_adapter(app).routes(app)
    main = next(app_dir.glob("rxfolder_main_*.py"))
    cache = tmp_path / "cache"

    def run() -> Any:
        return run_static(app, root=tmp_path, app_file=main, cache_dir=cache, routes=routes)

    assert timeouts(run()) == []  # no helpers: nothing to follow
    (app_dir / lib).mkdir()
    (app_dir / lib / "helpers.py").write_text(textwrap.dedent(HELPERS))
    expected = [("GET /rates", "helpers.py")]
    assert timeouts(run()) == expected  # the folder is new: the route is looked at again
    assert timeouts(run()) == expected  # and the new answer is what is cached
    uncached = run_static(app, root=tmp_path, app_file=main, routes=routes)
    assert timeouts(uncached) == expected


def test_a_folder_has_its_own_digest(tmp_path: Path) -> None:
    index = SourceIndex(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "mod.py").write_text("X = 1\n")
    assert index.digest(str(tmp_path / "pkg")) == FOLDER
    assert index.digest(str(tmp_path / "absent")) != FOLDER
    assert index.digest(str(tmp_path / "mod.py")) not in (FOLDER, index.digest("/absent"))
