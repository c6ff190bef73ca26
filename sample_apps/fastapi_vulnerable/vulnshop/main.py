"""The VulnShop application: ``uvicorn vulnshop.main:app``."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from . import config
from .db import SessionDep, engine, init_db
from .models import User
from .passwords import verify_password
from .routers import admin, catalogue, orders, products, users
from .schemas import Token
from .security import create_access_token, get_current_user, token_subject

audit_log = logging.getLogger("vulnshop.audit")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    init_db()
    yield


app = FastAPI(title=config.APP_NAME, version=config.APP_VERSION, debug=True, lifespan=lifespan)  # expect: APS801
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])  # expect: APS802


@app.middleware("http")
async def access_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    caller = token_subject(request.headers.get("authorization"))
    audit_log.info("%s %s by %s -> %s", request.method, request.url.path, caller, response.status_code)
    return response


@app.post("/token", response_model=Token, tags=["auth"])
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep) -> Token:
    user = session.scalar(select(User).where(User.username == form.username))
    if user is None or not verify_password(form.password, user.hashed_password):
        raise HTTPException(status_code=401, detail="Incorrect username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    return Token(access_token=create_access_token(user.username))


def health() -> dict[str, str]:
    return {"status": "ok"}


app.add_api_route("/health", health, methods=["GET"], tags=["ops"])


@app.get("/internal/config", include_in_schema=False)
def internal_config() -> dict[str, object]:  # expect: APS201  # ok: APS501
    return {  # expect: APS306
        "app": config.APP_NAME,
        "version": config.APP_VERSION,
        "debug": app.debug,
        "database_url": str(engine.url),
        "secret_key": config.SECRET_KEY,
        "jwt_algorithm": config.JWT_ALGORITHM,
    }


app.include_router(users.router)
app.include_router(products.router)
app.include_router(catalogue.router)
app.include_router(orders.router, prefix="/orders", tags=["orders"], dependencies=[Depends(get_current_user)])
app.include_router(admin.router)
