"""Hooks other plugins and conftests implement to extend apiposture.

Registered with ``pytest_addhooks``, the way pytest-xdist's ``newhooks.py`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .model import Finding, Route


def pytest_apiposture_identities(config: pytest.Config) -> Mapping[str, Mapping[str, str]] | None:
    """Return name -> request headers for the probes (e.g. log in through the app).

    Results of all implementations are merged; later names win.
    """


@pytest.hookspec(firstresult=True)
def pytest_apiposture_route_is_public(route: Route) -> bool | None:
    """Return True to treat ``route`` as public on purpose, False to insist it is not,
    None to let the configuration decide."""


def pytest_apiposture_rules() -> Sequence[type[Any]] | None:
    """Return extra rule classes (subclasses of ``pytest_apiposture.rules.Rule``)."""


def pytest_apiposture_modify_findings(findings: list[Finding]) -> None:
    """Filter or re-rank ``findings`` in place before items and reports see them."""
