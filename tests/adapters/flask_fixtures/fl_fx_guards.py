"""Decorators the fixture apps use: the shapes real Flask projects write by hand."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g, request


def token_required(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def decorated(*args: Any, **kwargs: Any) -> Any:  # mark: token_required.decorated
        if not request.headers.get("Authorization"):
            abort(401)
        return func(*args, **kwargs)

    return decorated


def login_required(func: Callable[..., Any]) -> Callable[..., Any]:
    """The shape of flask_login.login_required."""

    @functools.wraps(func)
    def decorated_view(*args: Any, **kwargs: Any) -> Any:  # mark: login_required.decorated_view
        if getattr(g, "user", None) is None:
            abort(401)
        return func(*args, **kwargs)

    return decorated_view


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:  # mark: roles_required.wrapper
            if getattr(g, "role", None) not in roles:
                abort(403)
            return func(*args, **kwargs)

        return wrapper

    return decorator


def audit_log(func: Callable[..., Any]) -> Callable[..., Any]:
    """Loses __wrapped__: no functools.wraps."""

    def logged(*args: Any, **kwargs: Any) -> Any:  # mark: audit_log.logged
        return func(*args, **kwargs)

    logged.__name__ = func.__name__
    return logged


def async_token_required(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    async def decorated(*args: Any, **kwargs: Any) -> Any:  # mark: async_token_required.decorated
        if not request.headers.get("Authorization"):
            abort(401)
        return await func(*args, **kwargs)

    return decorated


def _record(name: str) -> None:
    pass


def audit_with_hook(func: Callable[..., Any]) -> Callable[..., Any]:
    """Loses __wrapped__ and closes over two functions: nothing says which one it wraps."""
    hook = _record

    def logged(*args: Any, **kwargs: Any) -> Any:  # mark: audit_with_hook.logged
        hook(func.__name__)
        return func(*args, **kwargs)

    return logged
