"""The ASGI lifespan protocol, driven once per probe session: startup, later shutdown.

The app runs the lifespan as one task in the portal's event loop for the whole session,
receiving ``lifespan.startup`` at once and ``lifespan.shutdown`` when the session
closes. As servers do (uvicorn's "auto" mode), an app that raises before reporting a
failed startup, or returns, does not support the protocol: it is called all the same.
"""

from __future__ import annotations

from typing import Any


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
