"""App-wide middleware as guard candidates of every route the app serves.

An ``@app.middleware("http")`` function or a project middleware class runs before every
route of its app, mounted sub-apps included, and may refuse the request (return a 401).
The adapter records it with ``origin="middleware"``; whether it is auth is
``auth.classify_guard``'s call, from its code, and the anonymous probe settles it.
The framework's own middleware (CORS, GZip, sessions, ...) is not a guard candidate.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..model import Guard
from ._starlette import SourceLocator, qualified_name

_FRAMEWORK_PACKAGES = ("starlette", "fastapi")


def middleware_guards(app: Any, locator: SourceLocator) -> tuple[Guard, ...]:
    """One Guard per project middleware in ``app.user_middleware``, outermost first."""
    guards: list[Guard] = []
    for entry in getattr(app, "user_middleware", ()) or ():
        func = _middleware_code(entry)
        if func is None:
            continue
        guards.append(
            Guard(
                name=qualified_name(func),
                origin="middleware",
                location=locator.locate(func),
                func=func,
                chain=(func,),
            )
        )
    return tuple(guards)


def _middleware_code(entry: Any) -> Callable[..., Any] | None:
    """The function that sees each request: a ``dispatch`` function, or the class's hook."""
    cls = getattr(entry, "cls", None)
    kwargs = getattr(entry, "kwargs", None) or getattr(entry, "options", None) or {}
    dispatch = kwargs.get("dispatch") if isinstance(kwargs, dict) else None
    if callable(dispatch):
        return dispatch  # type: ignore[no-any-return]
    if not inspect.isclass(cls) or _is_framework(cls):
        return None
    for name in ("dispatch", "__call__"):
        for klass in cls.__mro__:
            if _is_framework(klass) or klass is object:
                break
            if name in vars(klass):
                found = vars(klass)[name]
                return found if callable(found) else None
    return None


def _is_framework(cls: type) -> bool:
    return (cls.__module__ or "").split(".")[0] in _FRAMEWORK_PACKAGES
