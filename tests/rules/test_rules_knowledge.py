"""Name tables the rules read are data: config extends them and the findings follow."""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap
from pathlib import Path

from rules_helpers import run_static

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE

_counter = itertools.count()

APP = """
from fastapi import FastAPI

app = FastAPI()
SIGNING_SEED = "hard-coded"


@app.get("/items")
def list_items(chunk: int = 50):
    return []
"""


def make_app(root: Path) -> tuple[object, Path]:
    name = f"rxknow_{next(_counter)}"
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text(textwrap.dedent(APP))
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(f"{name}.main")
    finally:
        sys.path.remove(str(root))
    return module.app, package / "main.py"


def codes(result: object, main: Path) -> set[tuple[str, int]]:
    lines = main.read_text().splitlines()
    return {
        (f.code, f.location.line)
        for f in result.findings  # type: ignore[attr-defined]
        if f.location
        and f.code in {"APS401", "APS804"}
        and lines[f.location.line - 1].strip().startswith(("def list_items", "SIGNING_SEED"))
    }


def test_extended_limit_and_secret_names_change_the_findings(tmp_path: Path) -> None:
    app, main = make_app(tmp_path)
    plain = run_static(app, root=tmp_path, app_file=main, public=("GET /items",))
    assert codes(plain, main) == set()
    knowledge = DEFAULT_KNOWLEDGE.extended(limit_names=("chunk",), secret_names=(r"seed",))
    extended = run_static(
        app, root=tmp_path, app_file=main, public=("GET /items",), knowledge=knowledge
    )
    assert codes(extended, main) == {("APS401", 9), ("APS804", 5)}


def test_the_word_tables_compile_into_case_insensitive_patterns() -> None:
    knowledge = DEFAULT_KNOWLEDGE.extended(credential_words=(r"x-tenant-key",))
    assert knowledge.credential_re.search("X-Tenant-Key")
    assert not DEFAULT_KNOWLEDGE.credential_re.search("X-Tenant-Key")
    assert DEFAULT_KNOWLEDGE.limit_name_re.match("PER_PAGE")
    assert not DEFAULT_KNOWLEDGE.limit_name_re.match("limits")
    assert DEFAULT_KNOWLEDGE.secret_name_re.search("JWT_SECRET_KEY")
    assert hash(knowledge) != hash(DEFAULT_KNOWLEDGE)
    assert knowledge != DEFAULT_KNOWLEDGE
