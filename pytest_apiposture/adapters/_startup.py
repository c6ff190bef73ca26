"""Bring an ASGI app to the state a server would enumerate: started, lazy parts built.

Some apps register routes in their lifespan/startup handlers; some mounted sub-apps
build their routes on their first request (Cadwyn's versioned apps override
``__call__`` for that). Starting the lifespan costs app code (a database, services),
so it only happens when the app has one. Everything stays in-process: the app is driven
over ASGI on an event loop of our own (``lifespan.py``), never a socket. Not Starlette's
TestClient: on the anyio 3 of Starlette 0.27 its loop thread is joined at interpreter
exit, so a startup that never finishes kept the test run from ever ending.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from ._starlette import one_line, unwrap_mounted
from .base import Running

_MAX_MOUNT_DEPTH = 16
# A startup that waits on a service the test machine lacks must not hang the session;
# generous, since real startups migrate databases.
STARTUP_TIMEOUT = 120.0


def has_startup(app: Any) -> bool:
    """True when starting ``app`` would run app code: a lifespan or startup/shutdown handlers."""
    router = getattr(app, "router", None)
    if router is None:
        return False
    if getattr(router, "on_startup", None) or getattr(router, "on_shutdown", None):
        return True
    return _runs_code(getattr(router, "lifespan_context", None), depth=0)


def _runs_code(context: Any, depth: int) -> bool:
    if context is None:
        return False
    if type(context).__name__ == "_DefaultLifespan":  # startup handlers were checked above
        return False
    # FastAPI wraps the lifespan on every include_router: merged(original, nested).
    merged = getattr(context, "__wrapped__", context)
    code = getattr(merged, "__code__", None)
    if code is not None and code.co_name == "merged_lifespan" and depth < 64:
        cells = dict(zip(code.co_freevars, merged.__closure__ or (), strict=False))
        parts = [
            cells[name].cell_contents
            for name in ("original_context", "nested_context")
            if name in cells
        ]
        if len(parts) == 2:
            return any(_runs_code(part, depth + 1) for part in parts)
    return True  # an app lifespan, or a wrapper we do not know: start it


def lazy_mounts(app: Any) -> list[str]:
    """Paths of mounted sub-apps whose class replaces Starlette's ``__call__``.

    Such an app may still be building itself (routes on first request); one in-process
    request to its prefix lets it finish, as the first real request would.
    """
    from starlette.applications import Starlette
    from starlette.routing import Mount

    found: list[str] = []
    stack: list[tuple[Any, str, int]] = [(app, "", 0)]
    while stack:
        current, prefix, depth = stack.pop()
        for route in getattr(getattr(current, "router", None), "routes", ()):
            if not isinstance(route, Mount) or depth >= _MAX_MOUNT_DEPTH:
                continue
            inner = unwrap_mounted(route.app)
            path = prefix + route.path
            if isinstance(inner, Starlette):
                if _overrides_call(type(inner), Starlette):
                    found.append(path)
                stack.append((inner, path, depth + 1))
    return found


def _overrides_call(cls: type, base: type) -> bool:
    for klass in cls.__mro__:
        if klass is base or klass.__module__.split(".")[0] in ("fastapi", "starlette"):
            return False
        if "__call__" in vars(klass):
            return True
    return False


@contextlib.contextmanager
def running(app: Any, host: str | None = None, *, lifespan: bool = True) -> Iterator[Running]:
    """The app started (lifespan) with its lazy mounts built, for the block; yields notes.

    A startup that fails is a note, not an error: the routes registered before it
    still get enumerated. A startup that worked is yielded as ``notes.served``: the
    probe session sends its requests to that same running app (one lifetime per run).
    ``lifespan=False`` (a run that sends no requests): the startup code is not run, since
    it is the app's (a database migration, services) and costs seconds; the lazy mounts
    are still built.
    """
    notes = Running()
    lazy = lazy_mounts(app)
    start = has_startup(app)
    if start and not lifespan:
        notes.startup_skipped, start = True, False
    if not lazy and not start:
        yield notes
        return
    from .lifespan import Lifespan, Served, first_request, start_portal

    portal = start_portal()
    state: dict[str, Any] = {}
    life = Lifespan(app, state)
    started = False
    if start:
        error = _within(STARTUP_TIMEOUT, lambda: life.start(portal))
        started = error is None
        if started:
            notes.served = Served(portal, life)
        else:
            notes.append(
                f"the app's lifespan/startup {error}; routes it would register are missing: "
                "make startup work in tests (a test database, env vars) or pass an app factory"
            )
    try:
        for path in lazy:
            error = _within(
                STARTUP_TIMEOUT,
                lambda p=path: portal.call(first_request, app, p.rstrip("/") + "/", host, state),
            )
            if error is not None:
                notes.append(
                    f"building the sub-application mounted at {path}: the first request "
                    f"{error}; its routes may be missing"
                )
        yield notes
    finally:
        notes.served = None
        if started:
            _within(STARTUP_TIMEOUT, lambda: life.stop(portal, STARTUP_TIMEOUT))
            if life.error is not None:
                exc = life.error
                notes.append(f"the app's shutdown failed: {type(exc).__name__}: {one_line(exc)}")
        # what still runs (a startup that never finished) is cancelled; the loop's
        # thread is a daemon in any case
        _within(1.0, lambda: portal.call(portal.stop, True))


def _within(seconds: float, call: Any) -> str | None:
    """Run ``call`` on a daemon thread; None when it returned in time, else what went wrong.

    A call that outlives ``seconds`` is abandoned (its thread cannot keep the process alive).
    """
    failure: list[BaseException] = []

    def target() -> None:
        try:
            call()
        except BaseException as exc:  # SystemExit from a startup hook too: reported, not raised
            failure.append(exc)

    thread = threading.Thread(target=target, name="apiposture-startup", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return f"did not finish in {seconds:g} s"
    if failure:
        return f"failed ({type(failure[0]).__name__}: {one_line(failure[0])})"
    return None
