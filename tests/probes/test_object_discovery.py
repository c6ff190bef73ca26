"""Collections with a trailing slash, members named by name or slug: BOLA still sees."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_apiposture.model import Confidence, Severity

from .fixtures import px_slash_app
from .harness import probe_all

AB = {"alice": {"Authorization": "Bearer t-alice"}, "bob": {"Authorization": "Bearer t-bob"}}


def bola(app: Any) -> dict[str, tuple[list[tuple[str, Severity, Confidence]], str | None]]:
    px_slash_app.reset()
    probed = probe_all(app, identities=AB, reset=px_slash_app.reset)
    return {
        key: ([(f.message, f.severity, f.confidence) for f in o.findings], o.skipped)
        for (code, key), o in probed.outcomes.items()
        if code == "APS151"
    }


def test_fastapi_trailing_slash_collection_and_names() -> None:
    assert bola(px_slash_app.app) == {
        "GET /api/v1/items/{item_name}": (
            [
                (
                    "bob read alice's object at /api/v1/items/apiposture7-alice-2 (alice "
                    "created it with POST /api/v1/items/); the anonymous control was refused "
                    "(401)",
                    Severity.HIGH,
                    Confidence.CONFIRMED,
                )
            ],
            None,
        ),
        "GET /api/v1/safe/{item_name}": ([], None),  # refuted: bob -> 404
    }


@pytest.mark.parametrize("app", [px_slash_app.flask_app], ids=["flask"])
def test_flask_trailing_slash_collection_and_slugs(app: Any) -> None:
    assert bola(app) == {
        "GET /api/v1/docs/{slug}": (
            [
                (
                    "bob read alice's object at /api/v1/docs/alice-doc (only alice's "
                    "GET /api/v1/docs/ lists it); the anonymous control was refused (401)",
                    Severity.HIGH,
                    Confidence.CONFIRMED,
                )
            ],
            None,
        ),
    }
