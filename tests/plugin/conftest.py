"""The ``shop`` project fixture for the end-to-end tests."""

from __future__ import annotations

import pytest
from e2e_helpers import SHOP, write_project


@pytest.fixture(autouse=True)
def _lean_subprocesses(monkeypatch: pytest.MonkeyPatch) -> None:
    # schemathesis and hypothesis register pytest plugins that cost ~3 s of imports in
    # every subprocess run; nothing here uses them.
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:schemathesis -p no:hypothesispytest")


@pytest.fixture
def shop(pytester: pytest.Pytester) -> pytest.Pytester:
    write_project(pytester, SHOP)
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\napiposture_app = "e2e_shop.main:app"\n')
    return pytester
