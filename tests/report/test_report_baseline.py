"""Baselines: a real FastAPI module whose handler moves 20 lines stays baselined."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.routing import APIRoute

from pytest_apiposture.model import Confidence, Finding, Kind, Location, Severity
from pytest_apiposture.suppress import (
    Baseline,
    BaselineError,
    apply_baseline,
    load_baseline,
    write_baseline,
)

HANDLER = textwrap.dedent(
    """\
    @app.get("/orders/{order_id}")
    def read_order(order_id: int) -> dict[str, int]:
        return {"id": order_id}
    """
)
HEADER = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
# 20 lines pushed in above the handler: the helper a teammate adds later
HELPER = (
    "def order_total(items: list[int]) -> int:\n"
    + "".join(f"    # step {n}\n" for n in range(1, 18))
    + "    return sum(items)\n\n"
)


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def findings_for(path: Path, module_name: str) -> list[Finding]:
    """What the pipeline would report: located at the real handler's def line."""
    app = load(path, module_name).app
    route = next(
        r for r in app.routes if isinstance(r, APIRoute) and r.path == "/orders/{order_id}"
    )
    code = route.endpoint.__code__
    def_line = code.co_firstlineno + 1  # co_firstlineno is the decorator's line
    where = Location(str(path), def_line, code.co_name)
    return [
        Finding(
            "APS201",
            Kind.MISSING_AUTH,
            "API2:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "route has no authenticating guard",
            "add auth",
            "GET",
            route.path,
            where,
        ),
        Finding(
            "APS101",
            Kind.BOLA,
            "API1:2023",
            Severity.HIGH,
            Confidence.POSSIBLE,
            "no owner check",
            "check the owner",
            "GET",
            route.path,
            Location(str(path), def_line + 1, code.co_name),
            status="preview",
        ),
    ]


def test_baseline_survives_a_handler_moving_down(tmp_path: Path) -> None:
    source = tmp_path / "shop" / "orders.py"
    source.parent.mkdir()
    source.write_text(HEADER + HANDLER)
    before = findings_for(source, "apiposture_baseline_v1")
    baseline_path = tmp_path / ".apiposture-baseline.json"
    write_baseline(baseline_path, before, root=str(tmp_path))

    stored = json.loads(baseline_path.read_text())
    assert stored == {
        "version": 1,
        "tool": "pytest-apiposture",
        "findings": [
            {
                "fingerprint": before[1].fingerprint(str(tmp_path)),
                "code": "APS101",
                "method": "GET",
                "path": "/orders/{order_id}",
                "file": "shop/orders.py",
                "symbol": "read_order",
            },
            {
                "fingerprint": before[0].fingerprint(str(tmp_path)),
                "code": "APS201",
                "method": "GET",
                "path": "/orders/{order_id}",
                "file": "shop/orders.py",
                "symbol": "read_order",
            },
        ],
    }

    source.write_text(HEADER + HELPER + HANDLER)
    after = findings_for(source, "apiposture_baseline_v2")
    assert [f.location.line for f in after if f.location] == [
        f.location.line + 20 for f in before if f.location
    ]

    marked, fixed = apply_baseline(after, load_baseline(baseline_path), root=str(tmp_path))
    assert [(f.code, f.baselined) for f in marked] == [("APS201", True), ("APS101", True)]
    assert fixed == []


def test_renamed_handler_is_new_and_the_old_entry_is_fixed(tmp_path: Path) -> None:
    source = tmp_path / "orders.py"
    source.write_text(HEADER + HANDLER)
    before = findings_for(source, "apiposture_baseline_v3")
    baseline_path = tmp_path / "baseline.json"
    write_baseline(baseline_path, before[:1], root=str(tmp_path))
    source.write_text(HEADER + HANDLER.replace("read_order", "get_order"))
    after = findings_for(source, "apiposture_baseline_v4")
    marked, fixed = apply_baseline(after, load_baseline(baseline_path), root=str(tmp_path))
    assert [(f.code, f.baselined) for f in marked] == [("APS201", False), ("APS101", False)]
    assert fixed == [before[0].fingerprint(str(tmp_path))]


def test_suppressed_findings_are_not_written(tmp_path: Path) -> None:
    source = tmp_path / "orders.py"
    source.write_text(HEADER + HANDLER)
    first, second = findings_for(source, "apiposture_baseline_v5")
    from dataclasses import replace

    path = tmp_path / "b.json"
    write_baseline(path, [first, replace(second, suppressed=True), first], root=str(tmp_path))
    assert [e["code"] for e in json.loads(path.read_text())["findings"]] == ["APS201"]


def test_missing_baseline_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    assert load_baseline(path) == Baseline(frozenset(), path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2", "not valid JSON (line 1: Expecting ',' delimiter)"),
        ("[]", "expected an object with a 'findings' list"),
        ('{"version": 2, "findings": []}', "version 2 is not 1"),
        ('{"version": 1, "findings": [{"code": "APS201"}]}', "entry #0 has no 'fingerprint'"),
        ('{"version": 1, "findings": ["abc"]}', "entry #0 has no 'fingerprint'"),
    ],
)
def test_malformed_baseline_is_a_one_line_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(BaselineError) as info:
        load_baseline(path)
    text = str(info.value)
    assert text.startswith(f"baseline {path}: {message}")
    assert text.endswith("fix it or delete it and rerun with --apiposture-update-baseline")
    assert "\n" not in text
