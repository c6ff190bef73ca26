"""Bearer tokens (PyJWT, HS256) and the ``token_required`` decorator."""

import functools
from collections.abc import Callable
from datetime import datetime, timezone
from typing import ParamSpec, TypeVar

import jwt
from flask import abort, current_app, g, has_app_context, request
from sqlalchemy import select

from .config import JWT_ALGORITHM, SECRET_KEY, TOKEN_TTL
from .db import get_db
from .models import User

P = ParamSpec("P")
R = TypeVar("R")


def signing_key() -> str:
    key: str = current_app.config["SECRET_KEY"] if has_app_context() else SECRET_KEY
    return key


def create_token(username: str) -> str:
    now = datetime.now(timezone.utc)
    claims = {"sub": username, "iat": now, "exp": now + TOKEN_TTL}
    return jwt.encode(claims, signing_key(), algorithm=JWT_ALGORITHM)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def user_named(username: object) -> User | None:
    return get_db().scalar(select(User).where(User.username == str(username)))


def user_from_request() -> User | None:
    token = bearer_token()
    if token is None:
        return None
    try:
        claims = jwt.decode(token, signing_key(), algorithms=[JWT_ALGORITHM])
    except jwt.PyJWTError:
        return None
    return user_named(claims.get("sub"))


def token_required(view: Callable[P, R]) -> Callable[P, R]:
    """Reject the request with 401 unless it carries a valid token; sets ``g.user``."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        user = user_from_request()
        if user is None:
            abort(401, description="A valid bearer token is required")
        g.user = user
        return view(*args, **kwargs)

    return wrapper
