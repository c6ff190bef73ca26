"""The sample apps' committed specs: each planted difference once, the hardened twins clean.

The expectations are the sample apps' own `expected.json` ("drift" entries), written
by the engineer who planted them. Routes come from the real adapter and the real auth
classifier, as in a run of the plugin.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.config import build_settings, read_pyproject, route_matcher
from pytest_apiposture.loading import load_app
from pytest_apiposture.model import Finding
from pytest_apiposture.openapi.drift import compare
from pytest_apiposture.openapi.lint import lint_spec
from pytest_apiposture.openapi.spec import load_spec
from pytest_apiposture.static.auth import classify
from pytest_apiposture.static.source import SourceIndex

SAMPLES = Path(__file__).parents[2] / "sample_apps"


def drift_of(sample: str) -> tuple[list[Finding], list[Finding]]:
    root = SAMPLES / sample
    settings = build_settings(root, {**read_pyproject(root), "audit": False})
    assert settings.app and settings.spec
    app = load_app(settings.app, root).app
    adapter = select_adapter(app)
    routes = classify(
        adapter.routes(app),
        knowledge=settings.knowledge,
        index=SourceIndex(root),
        is_public=route_matcher(settings.knowledge.public_routes),
    )
    committed = load_spec(root / settings.spec)
    findings = compare(
        routes,
        generated=adapter.openapi(app),
        committed=committed,
        spec_path=committed.source,
        knowledge=settings.knowledge,
    )
    return findings, lint_spec(committed, knowledge=settings.knowledge)


@pytest.mark.parametrize(
    "sample", ["fastapi_vulnerable", "fastapi_hardened", "flask_vulnerable", "flask_hardened"]
)
def test_planted_spec_differences_reported_once(sample: str) -> None:
    expected = json.loads((SAMPLES / sample / "expected.json").read_text())["drift"]
    findings, lint = drift_of(sample)
    assert sorted((f.code, f.method, f.path) for f in findings) == sorted(
        (e["code"], e["method"], e["path"]) for e in expected
    )
    assert lint == []  # APS908: none planted
