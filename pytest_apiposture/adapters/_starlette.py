"""Helpers of the FastAPI/Starlette adapter that need no FastAPI import.

Paths and methods in OpenAPI shape, "module:qualname" names, the ``def`` line of a
callable, Pydantic model fields as ``ModelField`` facts, walks over a FastAPI
``Dependant`` tree (duck-typed: ``.dependencies``, ``.header_params``, ...) and the
unwrapping of mounted apps. Pydantic is touched only through duck typing.
"""

from __future__ import annotations

import functools
import inspect
import linecache
import os
import re
import types
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from ..knowledge import CREDENTIAL_HEADERS, PAGINATION_TOKEN
from ..model import Location, ModelField
from ..paths import without_converters

_DEF_LINE = re.compile(r"^\s*(?:async\s+)?def\s")
_CLASS_LINE = re.compile(r"^\s*class\s")
# How far past co_firstlineno a ``def`` may sit (decorators with long argument lists).
_MAX_DECORATOR_LINES = 200
_COLLECTIONS = (list, set, frozenset, tuple)
# Parameter names that carry a credential besides knowledge.CREDENTIAL_HEADERS
# (compared with "-" and "_" removed).
_CREDENTIAL_WORDS = ("token", "apikey")
_CREDENTIAL_COOKIE_WORDS = ("session",)  # a session cookie is the credential of a browser app
_MAX_DEPTH = 64  # dependency trees are shallow; this only stops pathological recursion


def openapi_path(path: str) -> str:
    """``/items/{id:int}`` -> ``/items/{id}`` (Starlette convertors dropped)."""
    return without_converters(path)


def route_methods(methods: Iterable[str] | None) -> list[str]:
    """Sorted methods without OPTIONS, and without HEAD when GET serves it."""
    found = {m.upper() for m in methods or ()}
    found.discard("OPTIONS")
    if "GET" in found:
        found.discard("HEAD")
    return sorted(found)


def callable_target(obj: object) -> Any:
    """The function or class whose source defines ``obj``.

    Unwraps ``functools.partial``, bound methods and ``__wrapped__`` chains; a
    callable instance is represented by its class.
    """
    for _ in range(32):  # bounded: a __wrapped__ cycle must not hang the run
        if isinstance(obj, functools.partial):
            obj = obj.func
        elif inspect.ismethod(obj):
            obj = obj.__func__
        elif (wrapped := getattr(obj, "__wrapped__", None)) is not None and wrapped is not obj:
            obj = wrapped
        else:
            break
    if inspect.isfunction(obj) or inspect.isclass(obj) or inspect.isbuiltin(obj):
        return obj
    return type(obj)


def qualified_name(obj: object, sep: str = ".") -> str:
    """``pkg.mod.func`` (sep ".") or ``pkg.mod:func`` (sep ":") of a callable's target."""
    target = callable_target(obj)
    module = getattr(target, "__module__", None) or "?"
    qualname = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module}{sep}{qualname}"


class SourceLocator:
    """Finds the ``def``/``class`` line of callables; caches per instance, not globally."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[object, Location | None]] = {}

    def locate(self, obj: object) -> Location | None:
        target = callable_target(obj)
        cached = self._cache.get(id(target))
        if cached is not None and cached[0] is target:
            return cached[1]
        try:
            found = (
                _function_location(target)
                if inspect.isfunction(target)
                else (_class_location(target) if inspect.isclass(target) else None)
            )
        except (OSError, TypeError, ValueError):  # no source: C code, exec, REPL
            found = None
        self._cache[id(target)] = (target, found)
        return found


def _function_location(func: types.FunctionType) -> Location | None:
    code = func.__code__
    filename = code.co_filename
    if not filename or filename.startswith("<"):
        return None
    path = os.path.abspath(filename)
    lines = linecache.getlines(path)
    line = code.co_firstlineno
    # co_firstlineno is the first decorator; the def line is what a reader looks for.
    if func.__name__ != "<lambda>":
        for offset in range(_MAX_DECORATOR_LINES):
            index = line - 1 + offset
            if index >= len(lines):
                break
            if _DEF_LINE.match(lines[index]):
                line += offset
                break
    return Location(file=path, line=line, symbol=func.__qualname__)


def _class_location(cls: type) -> Location | None:
    filename = inspect.getsourcefile(cls)
    if not filename:
        return None
    source, start = inspect.getsourcelines(cls)
    line = start
    for offset, text in enumerate(source):
        if _CLASS_LINE.match(text):
            line = start + offset
            break
    return Location(file=os.path.abspath(filename), line=line, symbol=cls.__qualname__)


def type_display(tp: object) -> str:
    """A short readable type: ``bool``, ``list[str]``, ``str | None``, ``Item``."""
    if tp is type(None) or tp is None:
        return "None"
    if tp is Ellipsis:
        return "..."
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is Annotated:
        return type_display(args[0])
    if origin is Union or origin is types.UnionType:
        return " | ".join(type_display(a) for a in args)
    if origin is Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if origin is not None:
        name = getattr(origin, "__name__", None) or str(origin).replace("typing.", "")
        return f"{name}[{', '.join(type_display(a) for a in args)}]" if args else name
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def model_class(tp: object) -> type | None:
    """The Pydantic model inside ``Item``, ``Item | None``, ``list[Item]``, ``Annotated[...]``."""
    for _ in range(8):
        if isinstance(tp, type) and hasattr(tp, "model_fields"):
            return tp
        origin = get_origin(tp)
        args = [a for a in get_args(tp) if a is not type(None)]
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif ((origin is Union or origin is types.UnionType) and len(args) == 1) or (
            (origin in _COLLECTIONS or _is_abc_sequence(origin)) and args
        ):
            tp = args[0]
        else:
            return None
    return None


def _is_abc_sequence(origin: object) -> bool:
    return getattr(origin, "__module__", "") == "collections.abc"


def model_fields(
    model: type, side: Literal["request", "response"] = "request"
) -> tuple[ModelField, ...]:
    """The model's fields; ``alias`` is the name on the wire for that side of the exchange.

    ``Field(serialization_alias="name")`` renames a field in responses only,
    ``validation_alias`` in requests only; ``alias`` does both.
    """
    fields: dict[str, Any] = getattr(model, "model_fields", None) or {}
    return tuple(
        ModelField(
            name=name,
            type=type_display(info.annotation),
            required=bool(info.is_required()),
            alias=_wire_alias(info, side),
        )
        for name, info in fields.items()
    )


def _wire_alias(info: Any, side: str) -> str | None:
    specific = getattr(
        info, "serialization_alias" if side == "response" else "validation_alias", None
    )
    if isinstance(specific, str):  # an AliasPath / AliasChoices is no single wire name
        return specific
    alias = getattr(info, "alias", None)
    return alias if isinstance(alias, str) else None


def param_annotation(field: Any) -> Any:
    """The declared type of a FastAPI parameter field (Pydantic 2, or 1's outer_type_)."""
    annotation = getattr(field.field_info, "annotation", None)
    return annotation if annotation is not None else getattr(field, "outer_type_", None)


def param_required(field: Any) -> bool:
    required = getattr(field, "required", None)  # FastAPI < 0.137 has it; newer does not
    if isinstance(required, bool):
        return required
    is_required = getattr(field.field_info, "is_required", None)
    return bool(is_required()) if callable(is_required) else False


def extra_allowed(model: type) -> bool:
    config = getattr(model, "model_config", None) or {}
    return bool(config.get("extra") == "allow")


def nearest_dependant(root: Any, find: Callable[[Any], Any]) -> tuple[list[Any], Any] | None:
    """Breadth-first: the path of dependants from root to the nearest one ``find`` accepts."""
    queue: list[list[Any]] = [[root]]
    while queue:
        path = queue.pop(0)
        found = find(path[-1])
        if found:
            return path, found
        if len(path) < _MAX_DEPTH:
            queue.extend([*path, sub] for sub in path[-1].dependencies)
    return None


def credential_param(dependant: Any) -> tuple[str, bool] | None:
    """("header:authorization", auto_error) when a parameter reads a credential."""
    for where, fields in (
        ("header", dependant.header_params),
        ("cookie", dependant.cookie_params),
        ("query", dependant.query_params),
    ):
        for field in fields:
            name = _request_name(field, where)
            # a pagination cursor (``page-token``) is no credential
            squashed = PAGINATION_TOKEN.sub("", name.replace("-", "").replace("_", ""))
            words = _CREDENTIAL_WORDS + (_CREDENTIAL_COOKIE_WORDS if where == "cookie" else ())
            if name in CREDENTIAL_HEADERS or any(w in squashed for w in words):
                return f"{where}:{name}", param_required(field)
    return None


def _request_name(field: Any, where: str) -> str:
    """The name the client sends; FastAPI turns header underscores into hyphens."""
    name = str(field.alias or field.name)
    converts = getattr(field.field_info, "convert_underscores", False)
    if where == "header" and converts and field.alias in (None, field.name):
        name = name.replace("_", "-")
    return name.lower()


def security_scopes(root: Any) -> tuple[str, ...]:
    """Security scopes anywhere in the sub-tree, in order, without repeats."""
    found: list[str] = []
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        # new FastAPI: own_oauth_scopes; old: security_scopes (already cumulative)
        own = getattr(node, "own_oauth_scopes", None) or getattr(node, "security_scopes", None)
        found.extend(s for s in own or () if s not in found)
        if depth < _MAX_DEPTH:
            stack.extend((sub, depth + 1) for sub in reversed(node.dependencies))
    return tuple(found)


def query_param_names(root: Any) -> tuple[str, ...]:
    """Query parameter names over the whole dependency tree; a Query model is expanded."""
    names: list[str] = []
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        for field in node.query_params:
            model = model_class(param_annotation(field))
            if model is not None:
                names.extend(f.alias or f.name for f in model_fields(model))
            else:
                names.append(str(field.alias or field.name))
        if depth < _MAX_DEPTH:
            stack.extend((sub, depth + 1) for sub in reversed(node.dependencies))
    return tuple(dict.fromkeys(names))


def unwrap_mounted(app: Any) -> Any:
    """Follow ``.app`` through middleware (WSGIMiddleware, CORS, ...) to a known app."""
    from starlette.applications import Starlette
    from starlette.routing import Router

    for _ in range(16):
        if isinstance(app, (Starlette, Router)) or is_flask_app(app):
            return app
        inner = getattr(app, "app", None)
        if inner is None or not callable(inner):
            return app
        app = inner
    return app


def is_flask_app(app: Any) -> bool:
    return hasattr(app, "url_map") and hasattr(app, "view_functions")


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."
