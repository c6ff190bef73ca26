"""FastAPI and Starlette: the routes an app really registers, with raw guard facts.

The walk over routers and mounts is ``_fastapi_routes``; the framework-neutral facts of
each route are ``_fastapi_facts``. Mounts are followed (sub-apps, routers, a WSGI Flask
app); anything else mounted is one opaque ``kind="mount"`` route.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ..model import Route
from ._fastapi_routes import RouteCollector, route_objects
from ._openapi import with_mounted_schemas
from ._starlette import one_line, openapi_path, qualified_name, route_methods
from .base import AdapterError, Enumeration, Transport


class FastAPIAdapter:
    name = "fastapi"

    def matches(self, app: object) -> bool:
        try:
            from starlette.applications import Starlette
        except ImportError:
            return False
        return isinstance(app, Starlette)

    def routes(self, app: Any) -> list[Route]:
        return self.enumerate(app).routes

    def enumerate(self, app: Any) -> Enumeration:
        collector = RouteCollector()
        return Enumeration(collector.collect(app), collector.notes)

    def openapi(self, app: Any) -> dict[str, Any] | None:
        try:
            from fastapi import FastAPI
        except ImportError:
            return None
        if not isinstance(app, FastAPI):
            return None
        try:
            schema = app.openapi()
        except Exception as exc:
            raise AdapterError(
                f"FastAPI could not generate its OpenAPI schema{_openapi_culprit(app)}: "
                f"{type(exc).__name__}: {one_line(exc)}; fix that model or annotation, or "
                "exclude the route with include_in_schema=False"
            ) from exc
        return with_mounted_schemas(schema, app)

    def running(
        self, app: Any, host: str | None = None, *, lifespan: bool = True
    ) -> contextlib.AbstractContextManager[list[str]]:
        """The app started (lifespan, lazy sub-apps built) for the block; yields notes."""
        from ._startup import running

        return running(app, host, lifespan=lifespan)

    def transport(self, app: Any) -> Transport:
        """ASGI: the app is its own callable."""
        from ._transport import asgi_transport

        return asgi_transport(app)

    def client(self, app: Any) -> Any:
        from starlette.testclient import TestClient

        return TestClient(app, raise_server_exceptions=False)


@contextlib.contextmanager
def lifespan_started(app: Any) -> Iterator[None]:
    """Run the app's lifespan/startup handlers in-process for the duration of the block.

    Routes that an app registers at startup exist only after this has run.
    """
    from starlette.testclient import TestClient

    client = TestClient(app)
    try:
        client.__enter__()
    except Exception as exc:
        raise AdapterError(
            f"the app's lifespan/startup failed: {type(exc).__name__}: {one_line(exc)}; "
            "make startup work in tests (a test database, env vars) or pass an app factory"
        ) from exc
    try:
        yield
    finally:
        client.__exit__(None, None, None)


def _openapi_culprit(app: Any) -> str:
    """ " at GET /x (pkg.mod:handler)" for the first route whose schema fails alone."""
    from fastapi.openapi.utils import get_openapi
    from fastapi.routing import APIRoute

    for effective, original in route_objects(app.routes):
        if not isinstance(original, APIRoute) or not effective.include_in_schema:
            continue
        try:
            get_openapi(title="probe", version="0", routes=[effective])
        except Exception:
            methods = ",".join(route_methods(effective.methods))
            handler = qualified_name(effective.endpoint, ":")
            return f" at {methods} {openapi_path(effective.path)} ({handler})"
    return ""
