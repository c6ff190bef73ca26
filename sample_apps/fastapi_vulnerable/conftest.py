"""Fixtures pytest-apiposture looks up by name (zero-argument: it calls them itself)."""

import pytest
from vulnshop.db import reset
from vulnshop.security import create_access_token


@pytest.fixture
def apiposture_reset() -> None:
    """A freshly seeded database before each probe, so probes never see each other's writes."""
    reset()


@pytest.fixture
def apiposture_identities() -> dict[str, dict[str, str]]:
    """Two ordinary customers; two identities enable the cross-user (BOLA) probes."""
    return {name: {"Authorization": f"Bearer {create_access_token(name)}"} for name in ("alice", "bob")}
