"""A startup that never finishes must not keep the test run from ending.

Starlette 0.27's TestClient ran the app's loop in a ThreadPoolExecutor thread, which the
interpreter joins at exit: a hanging startup hung the whole run after its last test.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest
from starlette.applications import Starlette

from pytest_apiposture.adapters import _startup
from pytest_apiposture.adapters.fastapi import FastAPIAdapter


def test_an_abandoned_startup_leaves_only_daemon_threads_of_our_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        while not release.is_set():  # a database that never answers
            await anyio.sleep(0.01)
        yield

    monkeypatch.setattr(_startup, "STARTUP_TIMEOUT", 0.2)
    before = set(threading.enumerate())
    try:
        with FastAPIAdapter().running(Starlette(lifespan=lifespan)) as notes:
            assert notes == [
                "the app's lifespan/startup did not finish in 0.2 s; routes it would register "
                "are missing: make startup work in tests (a test database, env vars) or pass "
                "an app factory"
            ]
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        # no concurrent.futures thread (joined at exit), nothing that is not a daemon
        assert all(t.daemon and t.name.startswith("apiposture-") for t in left), left
    finally:
        release.set()
