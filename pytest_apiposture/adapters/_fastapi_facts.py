"""The route facts of a FastAPI or Starlette route, written in no framework's terms.

What the static pass, drift and the probes need to know about a route beyond its path
and guards: the name it is registered under, its path as the router spells it, the JSON
Schema of its path parameters, whether the framework serialises whatever the handler
returns, why the app's schema may not list it, and (computed on first use) what the
handler's signature declares it reads. Pydantic is touched only here and lazily.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from ..model import DeclaredRequest, RequestParam
from ._starlette import param_annotation

_LOCATIONS = ("path", "query", "header")
_MAX_DEPTH = 16  # sub-dependencies are shallow; this only stops pathological trees
_RAW_ROUTE = "a raw Starlette route"  # Starlette generates no schema for it


def api_route_facts(effective: Any) -> dict[str, Any]:
    """Route keywords for a FastAPI ``APIRoute`` (or the effective context of one)."""
    return {
        "endpoint_name": str(getattr(effective, "name", None) or ""),
        "path_schemas": _dependant_path_schemas(effective.dependant),
        # FastAPI runs jsonable_encoder on whatever the handler returns, ORM objects included
        "serializes_objects": True,
        "declared_request": functools.cache(functools.partial(declared_request, effective)),
        "serves": response_class_serves(getattr(effective, "response_class", None)),
    }


def response_class_serves(response_class: Any) -> str:
    """What a response class serves: "page" (HTML), "files" (a file response) or "" (FastAPI
    wraps its JSON default in a placeholder with ``.value``)."""
    cls = getattr(response_class, "value", response_class)
    try:
        from starlette.responses import FileResponse, HTMLResponse
    except ImportError:  # pragma: no cover - FastAPI requires Starlette
        return ""
    if isinstance(cls, type) and issubclass(cls, HTMLResponse):
        return "page"
    if isinstance(cls, type) and issubclass(cls, FileResponse):
        return "files"
    return ""


def static_files_app(app: Any) -> bool:
    """A Starlette ``StaticFiles`` app (a subclass included): it serves files."""
    try:
        from starlette.staticfiles import StaticFiles
    except ImportError:  # pragma: no cover
        return False
    return isinstance(app, StaticFiles)


def starlette_route_facts(effective: Any) -> dict[str, Any]:
    """Route keywords for a plain Starlette ``Route`` / ``WebSocketRoute``: its handler
    builds its own response, and nothing documents it."""
    convertors = getattr(effective, "param_convertors", None) or {}
    return {
        "endpoint_name": str(getattr(effective, "name", None) or ""),
        "path_schemas": tuple(
            RequestParam(str(name), "path", convertor_schema(convertor))
            for name, convertor in convertors.items()
        ),
        "unlisted_reason": _RAW_ROUTE,
    }


def convertor_schema(convertor: Any) -> dict[str, Any]:
    """The JSON Schema of the path segments a Starlette convertor accepts.

    Subclasses count (connexion registers signed ``int``/``float`` convertors globally);
    ``minimum`` only while the regex is Starlette's unsigned one.
    """
    from starlette import convertors

    regex = str(getattr(convertor, "regex", "[^/]+"))
    for base, kind in (
        (convertors.IntegerConvertor, "integer"),
        (convertors.FloatConvertor, "number"),
    ):
        if isinstance(convertor, base):
            return {"type": kind, "minimum": 0} if regex == base.regex else {"type": kind}
    if isinstance(convertor, convertors.UUIDConvertor):
        return {"type": "string", "format": "uuid"}
    for text in (convertors.StringConvertor, convertors.PathConvertor):
        if isinstance(convertor, text) and regex == text.regex:
            return {"type": "string"}
    return {"type": "string", "pattern": regex}


def declared_request(effective: Any) -> DeclaredRequest:
    """The path, query and header parameters of the dependant tree and the body model,
    as pydantic's JSON Schema (what the app's schema would say had it listed the route)."""
    try:
        from pydantic import TypeAdapter
    except ImportError:  # pragma: no cover - FastAPI always brings pydantic
        return DeclaredRequest()
    params: list[RequestParam] = []
    for location, model_field in _fields(effective.dependant):
        info = getattr(model_field, "field_info", None)
        try:
            schema = TypeAdapter(info.annotation).json_schema() if info is not None else {}
        except Exception:  # an annotation pydantic cannot describe: fall back to a string
            schema = {"type": "string"}
        name = str(getattr(model_field, "alias", None) or model_field.name)
        required = bool(info.is_required()) if info is not None else False
        params.append(RequestParam(name, location, schema, required))
    body: dict[str, Any] | None = None
    info = getattr(getattr(effective, "body_field", None), "field_info", None)
    if info is not None:
        try:
            body = TypeAdapter(info.annotation).json_schema(ref_template="#/$defs/{model}")
        except Exception:  # an unusual body type: the probes fall back to body_fields
            body = None
    return DeclaredRequest(tuple(params), body)


def _fields(dependant: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if dependant is None or depth > _MAX_DEPTH:
        return
    for location in _LOCATIONS:
        for model_field in getattr(dependant, f"{location}_params", None) or ():
            yield location, model_field
    for sub in getattr(dependant, "dependencies", None) or ():
        yield from _fields(sub, depth + 1)


def _dependant_path_schemas(dependant: Any) -> tuple[RequestParam, ...]:
    """Each path parameter of the dependant tree, typed by its annotation (first wins).

    Equal annotations share one schema dict (routes are many, path types few): treat
    ``RequestParam.schema`` as read-only, as ``Route.path_schema`` does.
    """
    found: dict[str, RequestParam] = {}
    stack = [(dependant, 0)]
    while stack:
        node, depth = stack.pop()
        for model_field in getattr(node, "path_params", None) or ():
            name = str(getattr(model_field, "alias", None) or model_field.name)
            if name not in found:
                schema = _annotation_schema(param_annotation(model_field))
                found[name] = RequestParam(name, "path", schema)
        if depth < _MAX_DEPTH:
            subs = getattr(node, "dependencies", None) or ()
            stack.extend((sub, depth + 1) for sub in reversed(subs))
    return tuple(found.values())


def _annotation_schema(annotation: Any) -> dict[str, Any]:
    try:
        return _cached_schema(annotation)
    except TypeError:  # an unhashable annotation: describe it uncached
        return _schema_of(annotation)


def _schema_of(annotation: Any) -> dict[str, Any]:
    try:
        from pydantic import TypeAdapter

        return dict(TypeAdapter(annotation).json_schema())
    except Exception:  # pydantic missing or the type has no JSON Schema: any string
        return {"type": "string"}


_cached_schema: Callable[[Any], dict[str, Any]] = functools.lru_cache(maxsize=512)(_schema_of)
