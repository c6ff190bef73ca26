"""Apps whose routes or guards exist only once they run, or sit behind mounts.

- ``lifespan_app``: a route added by the lifespan (and one by an included router, so
  FastAPI wraps the lifespan in its merged-lifespan closure).
- ``startup_app``: a route added by an ``on_startup`` handler.
- ``startup_only_app``: every route of its own added at startup.
- ``counted_app``: a lifespan that counts its runs and adds a route.
- ``failing_app``: the lifespan raises after adding one route.
- ``lazy_app``: a mounted sub-app that builds its routes on its first request, the way
  Cadwyn's versioned apps do.
- ``twice_app``: the same router included twice (the second copy is never reached).
- ``guarded_app``: an ``@app.middleware("http")`` that answers 401 without a bearer token,
  around a route and a mounted sub-app; GZip middleware is the framework's.
- ``hanging_app``: a lifespan that never finishes starting (until the test releases it).
- ``schemas_app``: FastAPI sub-apps mounted at /api (publishes its schema) and /hidden
  (``openapi_url=None``: publishes none).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field


def plain() -> dict[str, str]:
    return {}


router = APIRouter()
router.add_api_route("/included", plain)


@asynccontextmanager
async def add_late_route(app: FastAPI) -> AsyncIterator[None]:
    app.add_api_route("/late", plain)  # apps that register routes once their config is read
    yield


lifespan_app = FastAPI(lifespan=add_late_route)
lifespan_app.include_router(router)


class _Count:
    count = 0


lifespan_runs = _Count()


@asynccontextmanager
async def counted_lifespan(app: FastAPI) -> AsyncIterator[None]:
    lifespan_runs.count += 1
    app.add_api_route("/counted", plain)
    yield


counted_app = FastAPI(lifespan=counted_lifespan)
counted_app.include_router(router)

no_startup_app = FastAPI()
no_startup_app.include_router(router)


def add_startup_route() -> None:
    startup_app.add_api_route("/started", plain)


startup_app = FastAPI(on_startup=[add_startup_route])


def add_own_routes() -> None:
    startup_only_app.add_api_route("/own", plain)


startup_only_app = FastAPI(on_startup=[add_own_routes])  # only the docs before it starts


@asynccontextmanager
async def broken_startup(app: FastAPI) -> AsyncIterator[None]:
    app.add_api_route("/before-failure", plain)
    raise RuntimeError("database unreachable")
    yield  # pragma: no cover


failing_app = FastAPI(lifespan=broken_startup)
failing_app.add_api_route("/always", plain)


class LazyApp(FastAPI):
    """Adds its routes when it is first called."""

    built = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self.built:
            self.built = True
            self.add_api_route("/v1/thing", plain)
        await super().__call__(scope, receive, send)


lazy_app = FastAPI()
lazy_app.mount("/lazy", LazyApp())

twice_app = FastAPI()
twice_app.include_router(router)
twice_app.include_router(router)


async def require_bearer(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return JSONResponse(status_code=401, content={"detail": "Not authenticated"})
    return await call_next(request)


guarded_inner = FastAPI()
guarded_inner.add_api_route("/thing", plain)

guarded_app = FastAPI()
guarded_app.add_api_route("/data", plain)
guarded_app.mount("/sub", guarded_inner)
guarded_app.middleware("http")(require_bearer)
guarded_app.add_middleware(GZipMiddleware)


class Pool(BaseModel):
    pool: str = Field(serialization_alias="name")
    slots: int = Field(validation_alias="slot_count")


def read_pool() -> Pool:
    return Pool.model_validate({"pool": "default", "slot_count": 1})


def create_pool(pool: Pool) -> Pool:
    return pool


api = FastAPI()
api.add_api_route("/pools", read_pool, response_model=Pool)
api.add_api_route("/pools", create_pool, methods=["POST"], response_model=Pool)
hidden = FastAPI(openapi_url=None)
hidden.add_api_route("/secret-ish", plain)

schemas_app = FastAPI()
schemas_app.add_api_route("/top", plain)
schemas_app.mount("/api", api)
schemas_app.mount("/hidden", hidden)


release_startup = threading.Event()  # set by the test that waits for this startup


@asynccontextmanager
async def never_ready(app: FastAPI) -> AsyncIterator[None]:
    while not release_startup.is_set():  # a database that never answers
        await anyio.sleep(0.01)
    yield


hanging_app = FastAPI(lifespan=never_ready)
hanging_app.add_api_route("/always", plain)
