"""Bearer tokens (PyJWT, HS256) and the dependencies that resolve the caller."""

import logging
from datetime import datetime, timezone
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select

from .config import ACCESS_TOKEN_TTL, JWT_ALGORITHM, SECRET_KEY
from .db import SessionDep
from .models import User

logger = logging.getLogger("safeshop.security")

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
# Same scheme, but anonymous callers get None instead of a 401.
optional_oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


def create_access_token(username: str) -> str:
    now = datetime.now(timezone.utc)
    claims = {"sub": username, "iat": now, "exp": now + ACCESS_TOKEN_TTL}
    return jwt.encode(claims, SECRET_KEY, algorithm=JWT_ALGORITHM)


def _user_for_token(token: str, session: SessionDep) -> User | None:
    try:
        claims = jwt.decode(token, SECRET_KEY, algorithms=[JWT_ALGORITHM])
    except jwt.PyJWTError:
        return None
    return session.scalar(select(User).where(User.username == claims.get("sub")))


def get_current_user(token: Annotated[str, Depends(oauth2_scheme)], session: SessionDep) -> User:
    user = _user_for_token(token, session)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Could not validate credentials",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def get_optional_user(
    token: Annotated[str | None, Depends(optional_oauth2_scheme)], session: SessionDep
) -> User | None:
    return _user_for_token(token, session) if token else None


CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def require_admin(user: CurrentUser) -> User:
    if not user.has_admin_rights:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Admin role required")
    return user


AdminUser = Annotated[User, Depends(require_admin)]


def token_subject(authorization: str | None) -> str:
    """Who a request claims to be, for the access log only."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return "anonymous"
    try:
        claims = jwt.decode(authorization[7:], SECRET_KEY, algorithms=[JWT_ALGORITHM])  # ok: APS803
    except jwt.PyJWTError:
        return "invalid-token"
    return str(claims.get("sub", "unknown"))
