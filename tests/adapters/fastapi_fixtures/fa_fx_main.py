"""The main fixture app: guards from every source, loops, odd endpoints, a websocket."""

# Depends(...) as a parameter default is FastAPI's own idiom, which these apps imitate.
# ruff: noqa: B008

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from fa_fx_api import api_router
from fa_fx_security import (
    RoleChecker,
    app_trace,
    audit_log,
    get_optional_user,
    oauth2_scheme,
    pagination,
    require_x_token,
    session_user,
    verify_api_key,
)
from fastapi import APIRouter, Depends, FastAPI, WebSocket
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles

app = FastAPI(title="fx main", dependencies=[Depends(app_trace)])
app.include_router(api_router, prefix="/v1")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/me", dependencies=[Depends(verify_api_key)])
def read_me(
    user: str | None = Depends(get_optional_user),
    session: str | None = Depends(session_user),
) -> dict[str, str | None]:
    return {"user": user, "session": session}


@app.delete("/admin/users/{user_id}", dependencies=[Depends(RoleChecker("admin"))])
def delete_user(user_id: str) -> None:
    return None


@app.get("/direct-scheme")
def direct_scheme(token: str = Depends(oauth2_scheme)) -> dict[str, str]:
    return {"token": token}


def _greet(greeting: str = "hello") -> dict[str, str]:
    return {"greeting": greeting}


app.add_api_route("/partial", functools.partial(_greet, greeting="hi"), methods=["GET"])
app.add_api_route("/lambda", lambda: {"ok": True})


def make_report(kind: str) -> Callable[[], dict[str, str]]:
    def report() -> dict[str, str]:
        return {"kind": kind}

    return report


for _kind in ("daily", "weekly"):
    app.add_api_route(f"/reports/{_kind}", make_report(_kind), methods=["GET", "HEAD"])

_generated: dict[str, object] = {"__name__": "fa_fx_generated"}
exec("def generated():\n    return {}\n", _generated)
app.add_api_route("/generated", _generated["generated"])  # type: ignore[arg-type]


async def raw_endpoint(request: Request) -> PlainTextResponse:
    return PlainTextResponse("raw")


app.add_route("/raw/{name}", raw_endpoint, methods=["GET", "POST"])


@app.websocket("/ws/{room}")
async def ws_room(websocket: WebSocket, room: str, token: str = Depends(require_x_token)) -> None:
    await websocket.accept()
    await websocket.close()


def traced(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


@app.get("/search")
@traced
def search(q: str, page: dict[str, int] = Depends(pagination)) -> dict[str, Any]:
    return {"q": q, **page}


def build_factory_router() -> APIRouter:
    # not a module global: old FastAPI cannot tell this router's dependencies from the route's
    router = APIRouter(prefix="/factory", dependencies=[Depends(audit_log)])

    @router.get("/stats", dependencies=[Depends(require_x_token)])
    def factory_stats() -> dict[str, int]:
        return {"n": 1}

    return router


app.include_router(build_factory_router(), dependencies=[Depends(verify_api_key)])

tools_router = APIRouter()
# FastAPI >= 0.137 serves a Mount inside an included router; older versions drop it
tools_router.mount("/files", StaticFiles(directory=os.path.dirname(__file__)))
app.include_router(tools_router, prefix="/tools")
