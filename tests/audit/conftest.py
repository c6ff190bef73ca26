"""Fixtures for the dependency-audit tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from audit_helpers import FIXTURES

from pytest_apiposture.audit import AuditResult, AuditSettings, run_audit


@pytest.fixture
def audit_fixture() -> Callable[..., tuple[AuditResult, Path]]:
    """Audit ``tests/audit/fixtures/<name>`` without the running environment."""

    def run(name: str, **options: object) -> tuple[AuditResult, Path]:
        root = FIXTURES / name
        settings = AuditSettings(root=root, include_installed=False, **options)  # type: ignore[arg-type]
        return run_audit(settings), root.resolve()

    return run
