"""Fixtures pytest-apiposture looks up by name (zero-argument: it calls them itself)."""

import pytest
from vulnnotes.auth import create_token
from vulnnotes.db import reset


@pytest.fixture
def apiposture_reset() -> None:
    """A freshly seeded database before each probe, so probes never see each other's writes."""
    reset()


@pytest.fixture
def apiposture_identities() -> dict[str, dict[str, str]]:
    """Two ordinary customers; two identities enable the cross-user (BOLA) probes."""
    return {name: {"Authorization": f"Bearer {create_token(name)}"} for name in ("alice", "bob")}
