"""ASGI transport: the app driven in-process over ASGI itself, no test client, no socket.

One event loop on a daemon portal thread for the whole probe session. The lifespan
protocol is entered once (startup at ``start``, shutdown at ``close``); an app that
does not speak it is called all the same, as servers do. A request is one
``http.request`` event; the response is collected from ``http.response.start/body``;
redirects are answers, never followed; nothing is remembered between requests (no
cookie jar: identities travel in headers only).

A wrapper around the app captures the exception behind a 500, cancels an async hang
inside the event loop (``anyio.fail_after``) and cuts an endless stream after
``MAX_BODY`` bytes. A hang the loop cannot cancel (a blocking call in a sync endpoint's
thread, or in the loop itself) is caught by the worker watchdog in ``client.py``; a
loop that no longer answers is then replaced, the old one abandoned.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ..adapters.lifespan import Lifespan, Served, start_portal
from ..errors import describe_exception, inner_exceptions
from .client import MAX_BODY, ProbeClient, ProbeError, ProbeRequest, _Hung, _Slot, base_url

# What a client puts on the wire for a path: already-escaped parts stay as they are.
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"
_FORM = b"application/x-www-form-urlencoded"


class _BodyLimit(Exception):
    pass


class _GuardedASGI:
    """Wraps the ASGI app: captures exceptions, cancels async hangs, cuts endless streams."""

    def __init__(self, app: Any, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Any, receive: Any, send: Any, slot: _Slot) -> None:
        import anyio

        sent = 0

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
        except Exception as exc:  # reported in the exchange; the answer is a 500
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
    def __init__(
        self, app: Any, timeout: float, host: str | None, served: Served | None = None
    ) -> None:
        super().__init__(timeout, host)
        # the app the analysis started and keeps running: reused, never restarted or
        # shut down here (its owner does that at the end of the run)
        self._served = served
        self._app = app
        self._guard = _GuardedASGI(app, timeout)
        base = urlsplit(base_url(host) or "http://testserver")
        self._scheme = base.scheme or "http"
        self._netloc = base.netloc.encode("latin-1")
        port = base.port or (443 if self._scheme == "https" else 80)
        self._server = (base.hostname or "testserver", port)
        self._root = base.path.rstrip("/")  # a base URL's path prefixes every request
        self._portal: Any = None
        self._lifespan: Lifespan | None = None
        self._state: dict[str, Any] = {}  # the lifespan's state, copied into each request

    def _grace(self) -> float:
        # the in-loop timeout fires first; this one only catches sync/loop-blocking hangs
        return 0.5 + self.timeout * 0.2

    def start(self) -> None:
        try:
            self._run(self._open, self.timeout + self._grace())
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

    def _open(self) -> None:
        """The running app the analysis kept, else a fresh event loop with the app's
        lifespan started in it (on the worker)."""
        if self._served is not None:
            self._portal, self._state = self._served.portal, self._served.lifespan.state
            return
        self._portal = start_portal()
        self._state = {}
        lifespan = Lifespan(self._app, self._state)
        lifespan.start(self._portal)
        self._lifespan = lifespan

    def _abandoned(self) -> None:
        # A sync endpoint that hangs holds one worker thread: the loop still answers, keep it.
        portal = self._portal
        if portal is not None:
            try:
                self._run(lambda: portal.call(_noop), 1.0)
                return
            except Exception:  # the event loop itself is blocked: start afresh
                pass
        # The old loop is abandoned without a shutdown (its thread is a daemon): a
        # shutdown racing the new loop's requests could close what they use.
        entered = self._lifespan is not None or self._served is not None
        self._portal, self._lifespan, self._served = None, None, None
        if entered:
            with contextlib.suppress(Exception):
                self._run(self._open, self.timeout + self._grace())

    def close(self) -> None:
        portal, lifespan = self._portal, self._lifespan
        self._portal = self._lifespan = None
        if self._served is not None and portal is self._served.portal:
            portal = None  # the owner's: it stops the app and the loop
        # shutdown problems must not fail the run
        if lifespan is not None and portal is not None:
            with contextlib.suppress(Exception):
                self._run(lambda: lifespan.stop(portal, self.timeout), self.timeout + 1.0)
        if portal is not None:  # cancel what is still running (an abandoned request)
            with contextlib.suppress(Exception):
                self._run(lambda: portal.call(portal.stop, True), 1.0)
        super().close()

    def _call(self, request: ProbeRequest, slot: _Slot) -> tuple[int, list[tuple[str, str]], bytes]:
        if self._portal is None:  # not started (no lifespan wanted), or replaced
            self._portal = start_portal()
        scope, body = self._scope(request)
        status, headers, content = self._portal.call(self._exchange_async, scope, body, slot)
        if status is None:
            if slot.timed_out or slot.exception is not None:
                return 500, [], b""  # as a server answers; the error says what happened
            raise RuntimeError("the app returned without sending a response")
        return status, headers, content

    def _scope(self, request: ProbeRequest) -> tuple[dict[str, Any], bytes]:
        raw = quote(self._root + request.path, safe=_PATH_SAFE)
        headers: list[tuple[bytes, bytes]] = []
        named: set[bytes] = set()
        for name, value in request.headers.items():
            key = name.lower().encode("latin-1")
            named.add(key)
            headers.append((key, value.encode("latin-1")))
        body = request.json_bytes()
        content_type = b"application/json"
        if body is None:
            form = request.form
            body = request.body_text().encode() if form else b""  # no body for an empty form
            content_type = _FORM
        defaults = [(b"host", self._netloc), (b"accept", b"*/*"), (b"user-agent", b"testclient")]
        if body:
            defaults += [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
        headers = [(k, v) for k, v in defaults if k not in named] + headers
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": self._scheme,
            "path": unquote(raw),
            "raw_path": raw.encode("ascii"),
            "root_path": "",
            "query_string": request.url.partition("?")[2].encode("ascii"),
            "headers": headers,
            "client": ("testclient", 50000),
            "server": self._server,
            "state": dict(self._state),  # a shallow copy per request, as the spec says
        }
        return scope, body

    async def _exchange_async(
        self, scope: dict[str, Any], body: bytes, slot: _Slot
    ) -> tuple[int | None, list[tuple[str, str]], bytes]:
        import anyio

        done = anyio.Event()
        asked = False
        status: int | None = None
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()  # the client stays connected until the response is complete
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, headers
            kind = message.get("type")
            if kind == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers", ())
                ]
            elif kind == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    done.set()

        try:
            await self._guard(scope, receive, send, slot)
        finally:
            done.set()  # a receive() still waiting for the disconnect returns now
        return status, headers, b"".join(chunks)


async def _noop() -> None:
    return None
