"""The CI recipes and the pre-commit hook parse and use the names the tool has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).parents[2]


def yaml_blocks() -> list[Any]:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)]


def test_pre_commit_hook_runs_apiposture_scan() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [(h["id"], h["entry"], h["language"], h["pass_filenames"]) for h in hooks] == [
        ("apiposture", "apiposture scan", "python", False),
        ("apiposture-system", "apiposture scan", "system", False),
    ]


def test_ci_recipes_parse_and_wire_the_reports() -> None:
    github, gitlab, pre_commit = yaml_blocks()
    steps = github["jobs"]["apiposture"]["steps"]
    upload = next(
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    )
    gate = next(s for s in steps if s.get("name") == "API posture gate")
    assert upload["with"]["sarif_file"] in gate["run"]
    assert github["permissions"]["security-events"] == "write"
    job = gitlab["apiposture"]
    assert "--junitxml=" + job["artifacts"]["reports"]["junit"] in " ".join(job["script"])
    assert "apiposture.sarif" in job["artifacts"]["paths"]
    assert [h["id"] for h in pre_commit["repos"][0]["hooks"]] == ["apiposture"]


def test_ci_recipes_cache_the_directory_the_plugin_keeps_its_cache_in(
    pytester: Any,
) -> None:
    """The recipes' cache step names pytest's cache folder the plugin writes to."""
    github, gitlab, _ = yaml_blocks()
    steps = github["jobs"]["apiposture"]["steps"]
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache@"))
    gate = steps.index(next(s for s in steps if s.get("name") == "API posture gate"))
    assert steps.index(cache) < gate
    cached = {
        cache["with"]["path"].rstrip("/"),
        *(p.rstrip("/") for p in gitlab["apiposture"]["cache"]["paths"]),
    }
    pytester.makepyfile(
        app="from fastapi import FastAPI\napp = FastAPI()\n@app.get('/x')\ndef x(): return {}\n"
    )
    pytester.runpytest("--apiposture", "--apiposture-static-only", "--apiposture-app=app:app")
    written = [p.relative_to(pytester.path) for p in pytester.path.rglob("apiposture-*.bin")]
    assert cached == {".pytest_cache/d/apiposture"}
    assert written and all(p.is_relative_to(".pytest_cache/d/apiposture") for p in written)
