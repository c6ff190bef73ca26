"""ASGI transport: Starlette's TestClient around a wrapper that records what the app did.

The wrapper captures the exception behind a 500, cancels an async hang inside the event
loop (``anyio.fail_after``) and cuts an endless stream after ``MAX_BODY`` bytes. A hang
the loop cannot cancel (a blocking call in a sync endpoint or in the loop itself) is
caught by the worker's timeout; the client is then replaced, the old one abandoned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from ..errors import describe_exception, inner_exceptions
from .client import (
    MAX_BODY,
    ProbeClient,
    ProbeError,
    ProbeRequest,
    _Hung,
    _Slot,
    base_url,
)


class _BodyLimit(Exception):
    pass


class _GuardedASGI:
    """Wraps the ASGI app: captures exceptions, cancels async hangs, cuts endless streams."""

    def __init__(self, app: Any, timeout: float) -> None:
        self.app = app
        self.timeout = timeout
        self.slot = _Slot()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        import anyio

        slot, sent = self.slot, 0

        async def limited_send(message: Any) -> None:
            nonlocal sent
            if message.get("type") == "http.response.body":
                sent += len(message.get("body", b""))
                if sent > MAX_BODY:
                    slot.truncated = True
                    raise _BodyLimit
            await send(message)

        try:
            with anyio.fail_after(self.timeout):
                await self.app(scope, receive, limited_send)
        except TimeoutError:
            slot.timed_out = True
        except _BodyLimit:
            pass
        except Exception as exc:  # reported in the exchange; the test client answers 500
            if not _caused_by_limit(exc):
                slot.exception = exc


def _caused_by_limit(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _BodyLimit):
            return True
        if inner_exceptions(seen):
            return any(_caused_by_limit(inner) for inner in inner_exceptions(seen))
        seen = seen.__cause__ or seen.__context__
    return False


class ASGIProbeClient(ProbeClient):
    def __init__(self, base: Any, timeout: float, host: str | None) -> None:
        super().__init__(timeout, host)
        from starlette.testclient import TestClient

        self._base_url = base_url(host) or str(getattr(base, "base_url", "http://testserver"))
        self._guard = _GuardedASGI(base.app, timeout)
        self._factory: Callable[[], Any] = lambda: TestClient(
            self._guard,
            base_url=self._base_url,
            raise_server_exceptions=False,
            follow_redirects=False,
        )
        self._client = self._factory()
        self._entered = False

    @property
    def raw(self) -> Any:
        return self._client

    def _grace(self) -> float:
        # the in-loop timeout fires first; this one only catches sync/loop-blocking hangs
        return 0.5 + self.timeout * 0.2

    def start(self) -> None:
        try:
            self._run(self._client.__enter__, self.timeout + self._grace())
        except _Hung:
            raise ProbeError(
                f"the app's startup (lifespan) did not finish within {self.timeout:g}s; "
                "fix the startup or raise apiposture_probe_timeout"
            ) from None
        except Exception as exc:
            raise ProbeError(
                f"the app's startup (lifespan) failed: {describe_exception(exc)}; fix the "
                "startup or point apiposture_app at a factory that works in tests"
            ) from None
        self._entered = True

    def _abandoned(self) -> None:
        # A sync endpoint that hangs holds one worker thread: the loop still answers, keep it.
        portal = getattr(self._client, "portal", None)
        if portal is not None:
            try:
                self._run(lambda: portal.call(_noop), 1.0)
                return
            except Exception:  # the event loop itself is blocked: start afresh
                pass
        # Abandon the old client without shutting it down (its threads are daemons): a
        # shutdown racing the new client's requests could close what they use.
        self._client = self._factory()
        if self._entered:
            try:
                self._run(self._client.__enter__, self.timeout + self._grace())
            except Exception:
                self._entered = False

    def close(self) -> None:
        if self._entered:
            self._entered = False
            # shutdown problems must not fail the run
            with contextlib.suppress(Exception):
                self._run(lambda: self._client.__exit__(None, None, None), self.timeout)
        super().close()

    def _prepare(self, slot: _Slot) -> None:
        self._guard.slot = slot

    def _call(self, request: ProbeRequest, slot: _Slot) -> tuple[int, list[tuple[str, str]], bytes]:
        client = self._client
        client.cookies.clear()  # identities travel in headers only, never in a cookie jar
        headers = dict(request.headers)
        kwargs: dict[str, Any] = {"headers": headers, "params": list(request.query)}
        payload = request.json_bytes()
        if payload is not None:
            kwargs["content"] = payload
            headers.setdefault("Content-Type", "application/json")
        elif request.form is not None:
            kwargs["data"] = dict(request.form)
        response = client.request(request.method, request.path, **kwargs)
        return response.status_code, list(response.headers.multi_items()), response.content


async def _noop() -> None:
    return None
