"""An ASGI app's event loop and lifespan, driven in-process: no test client, no socket.

Used where the app must run: the adapters start it to enumerate the routes it adds at
startup (``_startup.running``), the probes for their whole session (``probes/asgi.py``).
The app runs the lifespan as one task in the portal's event loop, receiving
``lifespan.startup`` at once and ``lifespan.shutdown`` at ``stop``. As servers do
(uvicorn's "auto" mode), an app that raises before reporting a failed startup, or
returns, does not support the protocol: it is called all the same.
"""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any


def start_portal() -> Any:
    """An anyio ``BlockingPortal`` whose event loop runs on a daemon thread.

    Not ``anyio.from_thread.start_blocking_portal``: its loop runs in a
    ThreadPoolExecutor thread, which the interpreter joins at exit, so an app that
    blocks its event loop for good would keep the test run from ever ending.
    """
    import anyio
    from anyio.from_thread import BlockingPortal

    ready: concurrent.futures.Future[Any] = concurrent.futures.Future()

    async def serve() -> None:
        async with BlockingPortal() as portal:
            ready.set_result(portal)
            await portal.sleep_until_stopped()

    def loop() -> None:
        try:
            anyio.run(serve)
        except BaseException as exc:  # the loop could not even start: say so to the caller
            if not ready.done():
                ready.set_exception(exc)

    threading.Thread(target=loop, name="apiposture-asgi", daemon=True).start()
    return ready.result()


async def first_request(app: Any, path: str, host: str | None, state: dict[str, Any]) -> int:
    """One GET to ``path`` (a lazily built sub-app builds itself); the status it answers."""
    import anyio

    done = anyio.Event()
    status = 0
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message.get("type") == "http.response.start":
            status = int(message["status"])
        elif message.get("type") == "http.response.body" and not message.get("more_body"):
            done.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", (host or "testserver").encode("latin-1"))],
        "client": ("testclient", 50000),
        "server": ("testserver", 80),
        "state": dict(state),
    }
    try:
        await app(scope, receive, send)
    except Exception:  # the request built what it could; a server would answer 500
        status = status or 500
    finally:
        done.set()
    return status


class Served:
    """A started lifespan and the event loop it runs in, kept by its owner (the analysis)
    for the whole run: the probe client sends its requests through ``portal`` and gives
    each one a copy of ``lifespan.state``; only the owner shuts it down."""

    def __init__(self, portal: Any, lifespan: Lifespan) -> None:
        self.portal = portal
        self.lifespan = lifespan


class StartupFailed(Exception):
    """The app reported ``lifespan.startup.failed``; the app's own exception is chained."""


class Lifespan:
    def __init__(self, app: Any, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state  # the lifespan's state, which each request scope gets a copy of
        self.started = False  # lifespan.startup.complete received
        self.failed: str | None = None  # the lifespan.startup.failed message
        self.error: BaseException | None = None  # what the app raised, if it did
        self._stop: Any = None
        self._finished: Any = None

    def start(self, portal: Any) -> None:
        """Run startup in ``portal``'s loop; raise StartupFailed when the app says it failed."""
        portal.start_task(self._main)
        if self.failed is not None:
            message = self.failed.strip().splitlines()[-1:] or ["lifespan.startup.failed"]
            if self.error is not None:
                raise self.error
            raise StartupFailed(message[0])

    def stop(self, portal: Any, timeout: float) -> None:
        """Send ``lifespan.shutdown`` and wait (at most ``timeout``) for the app to finish."""
        portal.call(self._shutdown, timeout)

    async def _shutdown(self, timeout: float) -> None:
        import anyio

        if self._stop is None:
            return
        self._stop.set()
        with anyio.move_on_after(timeout):
            await self._finished.wait()

    async def _main(self, *, task_status: Any) -> None:
        import anyio

        self._stop, self._finished = anyio.Event(), anyio.Event()
        asked = False
        released = False

        def release() -> None:  # ``start_task`` returns once startup is decided
            nonlocal released
            if not released:
                released = True
                task_status.started()

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "lifespan.startup"}
            await self._stop.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: dict[str, Any]) -> None:
            kind = message.get("type")
            if kind == "lifespan.startup.complete":
                self.started = True
                release()
            elif kind == "lifespan.startup.failed":
                self.failed = str(message.get("message", ""))

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        try:
            await self.app(scope, receive, send)
        except Exception as exc:  # unsupported, or the failure behind startup.failed
            self.error = exc
        finally:
            self._finished.set()
            release()
