"""Dependency callables and security schemes shared by the FastAPI fixture apps."""

# Depends(...) as a parameter default is FastAPI's own idiom, which these apps imitate.
# ruff: noqa: B008

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Cookie, Depends, Header, HTTPException, Security
from fastapi.security import (
    APIKeyHeader,
    HTTPAuthorizationCredentials,
    HTTPBearer,
    OAuth2PasswordBearer,
)

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"items:write": "write items"})
optional_bearer = HTTPBearer(auto_error=False)
api_key_header = APIKeyHeader(name="X-API-Key")


def get_db() -> Iterator[str]:
    yield "db"


def app_trace() -> None:
    return None


def audit_log() -> None:
    return None


def decode_token(token: str = Depends(oauth2_scheme)) -> dict[str, str]:
    return {"sub": token}


def get_current_user(payload: dict[str, str] = Depends(decode_token)) -> str:
    # the scheme is two levels down: get_current_user -> decode_token -> oauth2_scheme
    return payload["sub"]


def get_optional_user(
    credentials: HTTPAuthorizationCredentials | None = Depends(optional_bearer),
) -> str | None:
    return credentials.credentials if credentials else None


def verify_api_key(key: str = Security(api_key_header)) -> str:
    return key


def require_x_token(x_token: str = Header()) -> str:
    if x_token != "secret":
        raise HTTPException(status_code=401)
    return x_token


def session_user(session: str | None = Cookie(default=None)) -> str | None:
    return session


class RoleChecker:
    def __init__(self, role: str) -> None:
        self.role = role

    def __call__(self, user: str = Security(get_current_user, scopes=["admin"])) -> str:
        return user


def pagination(limit: int = 10, offset: int = 0) -> dict[str, int]:
    return {"limit": limit, "offset": offset}
