"""Path templates (``/users/{user_id}/posts/{post_id:int}``): one parser for the package.

Routes carry OpenAPI-style paths; spec paths are templates of the same shape, and
Starlette adds ``:convertor`` suffixes. Every module that needs a template's parameter
names or its name-free skeleton asks here, so they all agree on what a parameter is.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Route

# ``{name}`` or ``{name:convertor}``; the name is empty only in a malformed ``{}``
_PARAM = re.compile(r"\{([^}:]*)[^}]*\}")


@functools.lru_cache(maxsize=4096)
def param_names(path: str) -> tuple[str, ...]:
    """``/users/{user_id}/posts/{post_id:int}`` -> ``("user_id", "post_id")``, in path order."""
    return tuple(name for name in _PARAM.findall(path) if name)


def skeleton(path: str, fill: str = "{}") -> str:
    """Every parameter replaced by ``fill``: ``/users/{id}`` and ``/users/{user_id}`` are one
    path (``/users/{}``); ``fill="1"`` gives a requestable path for unknown parameters."""
    return _PARAM.sub(fill, path)


def without_converters(path: str) -> str:
    """``/items/{id:int}`` -> ``/items/{id}``: the OpenAPI spelling of a Starlette path."""
    return _PARAM.sub(lambda match: "{" + match.group(1) + "}", path)


# a route pattern of the configuration: 'GET /health', '/docs*', '* /internal/*'
ROUTE_PATTERN = re.compile(r"^(?:(?P<method>[A-Za-z]+|\*)\s+)?(?P<path>/\S*)$")


def route_matcher(patterns: Sequence[str]) -> Callable[[Route], bool]:
    """'GET /health', '/docs*' (any method), '* /internal/*'. fnmatch on the path.

    Compiled once into one regex per method (plus one for any method), so a match is a
    dict lookup and at most two regex matches: the static pass asks it for every route.
    """
    by_method: dict[str, list[str]] = {}
    for pattern in patterns:
        m = ROUTE_PATTERN.match(pattern.strip())
        if m is None:
            continue
        method = m.group("method")
        key = "*" if method in (None, "*") else method.upper()
        by_method.setdefault(key, []).append(fnmatch.translate(m.group("path")))
    compiled = {k: re.compile("|".join(f"(?:{p})" for p in v)) for k, v in by_method.items()}
    any_method = compiled.pop("*", None)

    def matches(route: Route) -> bool:
        own = compiled.get(route.method)
        if own is not None and own.match(route.path):
            return True
        return any_method is not None and any_method.match(route.path) is not None

    return matches
