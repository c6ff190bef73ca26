"""The sample apps end to end: each planted probe flaw confirmed, nothing on the hardened twins."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from pytest_apiposture.probes import ProbeSettings

from .harness import Probed, probe_all

SAMPLES = Path(__file__).resolve().parents[2] / "sample_apps"


def expected_probes(directory: str) -> tuple[set[tuple[str, str]], list[str]]:
    """(code, route) pairs the sample's expected.json says probes confirm; never-probe routes."""
    data = json.loads((SAMPLES / directory / "expected.json").read_text())
    confirmed = {(p["code"], f"{p['method']} {p['path']}") for p in data["probes"]}
    return confirmed, list(data["never_probe"])


def load(
    directory: str, package: str, token_module: str, token_function: str
) -> tuple[Any, Callable[[], None], dict[str, Any], dict[str, Any]]:
    """(app, reset, identities, [tool.apiposture]) of a sample app, as its conftest gives them."""
    root = SAMPLES / directory
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module, _, attr = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["apiposture"][
        "app"
    ].partition(":")
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["apiposture"]
    app = getattr(importlib.import_module(module), attr)
    reset = importlib.import_module(f"{package}.db").reset
    token = getattr(importlib.import_module(f"{package}.{token_module}"), token_function)
    identities = {name: {"Authorization": f"Bearer {token(name)}"} for name in ("alice", "bob")}
    return app, reset, identities, config


def probe_sample(directory: str, package: str, token_module: str, token_function: str) -> Probed:
    app, reset, identities, config = load(directory, package, token_module, token_function)
    never = expected_probes(directory)[1]
    settings = ProbeSettings(timeout=5.0, exclude=(*config.get("probe_exclude", ()), *never))
    return probe_all(
        app, identities=identities, reset=reset, public=config.get("public", ()), settings=settings
    )


@pytest.mark.parametrize(
    ("directory", "package", "token_module", "token_function"),
    [
        ("fastapi_vulnerable", "vulnshop", "security", "create_access_token"),
        ("fastapi_hardened", "safeshop", "security", "create_access_token"),
        ("flask_vulnerable", "vulnnotes", "auth", "create_token"),
        ("flask_hardened", "safenotes", "auth", "create_token"),
    ],
)
def test_sample_app_probes(
    directory: str, package: str, token_module: str, token_function: str
) -> None:
    expected, never = expected_probes(directory)
    probed = probe_sample(directory, package, token_module, token_function)
    assert probed.confirmed() == expected
    # a route that must never be probed (it fetches a URL for real) is never called
    called = {e.route for o in probed.outcomes.values() for e in o.transcript}
    assert called.isdisjoint(never)
    # no probe crashed
    crashed = {k: why for k, why in probed.skipped().items() if "could not run" in why}
    assert crashed == {}
