"""Small apps: startup-registered routes, a broken schema, a plain Starlette app."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles


def late() -> dict[str, str]:
    return {"late": "yes"}


def create_lifespan_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.add_api_route("/late", late)
        yield

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/early")
    def early() -> dict[str, str]:
        return {"early": "yes"}

    return app


class Widget:
    """Not a Pydantic type: fine at runtime, impossible to describe in JSON Schema."""


class Gadget(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    widget: Widget


broken = FastAPI()


@broken.get("/fine")
def fine() -> dict[str, str]:
    return {}


@broken.get("/gadget", response_model=Gadget)
def gadget() -> Gadget:
    return Gadget(widget=Widget())


async def home(request: Request) -> PlainTextResponse:
    return PlainTextResponse("home")


plain = Starlette(
    routes=[
        Route("/", home),
        Mount("/assets", StaticFiles(directory=os.path.dirname(__file__), check_dir=False)),
    ]
)


@broken.get("/boom")
def boom() -> dict[str, str]:
    raise RuntimeError("boom")


def create_failing_lifespan_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        raise RuntimeError("database unreachable")
        yield

    return FastAPI(lifespan=lifespan)
