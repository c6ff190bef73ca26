"""Path templates (``/users/{user_id}/posts/{post_id:int}``): one parser for the package.

Routes carry OpenAPI-style paths; spec paths are templates of the same shape, and
Starlette adds ``:convertor`` suffixes. Every module that needs a template's parameter
names or its name-free skeleton asks here, so they all agree on what a parameter is.
"""

from __future__ import annotations

import functools
import re

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
