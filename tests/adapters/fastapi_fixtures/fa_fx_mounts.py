"""Mounts: a FastAPI sub-app, a Starlette app, static files and a WSGI Flask app."""

from __future__ import annotations

import os
import warnings

from fa_fx_security import get_current_user, verify_api_key
from fastapi import APIRouter, Depends, FastAPI
from flask import Flask
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

with warnings.catch_warnings():  # deprecated in new Starlette, still the one everyone has
    warnings.simplefilter("ignore")
    from starlette.middleware.wsgi import WSGIMiddleware

sub = FastAPI(
    dependencies=[Depends(verify_api_key)], docs_url=None, redoc_url=None, openapi_url=None
)


@sub.get("/ping/{n:int}")
def sub_ping(n: int) -> dict[str, int]:
    return {"n": n}


sub_router = APIRouter(prefix="/r")


@sub_router.post("/echo")
def sub_echo(text: str) -> dict[str, str]:
    return {"text": text}


sub.include_router(sub_router, dependencies=[Depends(get_current_user)])


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


class Things(HTTPEndpoint):
    async def get(self, request: Request) -> PlainTextResponse:
        return PlainTextResponse("things")

    async def post(self, request: Request) -> PlainTextResponse:
        return PlainTextResponse("made")


async def star_live(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.close()


star = Starlette(
    routes=[
        Route("/hello/{name}", hello),
        Route("/things", Things),
        WebSocketRoute("/live", star_live),
        Mount("/deep", routes=[Route("/x", hello, methods=["DELETE"])]),
    ]
)

flask_app = Flask(__name__, static_folder=None)


@flask_app.get("/hello")
def flask_hello() -> str:
    return "hello from flask"


app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
app.mount("/sub", sub)
app.mount("/star", star)
app.mount("/static", StaticFiles(directory=os.path.dirname(__file__), check_dir=False))
app.mount("/legacy", WSGIMiddleware(flask_app))


@app.get("/top")
def top() -> dict[str, str]:
    return {"top": "yes"}
