"""What a route takes and returns, as JSON Schema: path/query/header parameters and body.

Sources, best first: the app's OpenAPI operation; for a FastAPI route hidden from the
schema, its own dependant and body model (pydantic's JSON Schema); for Flask, the URL
rule's converters; and the adapter's ``body_fields`` when nothing better exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model import ModelField, Route
from ..openapi.refs import follow, ref_of

_JSON_TYPES = ("application/json", "application/merge-patch+json", "*/*")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Param:
    name: str
    location: str  # path | query | header
    schema: dict[str, Any]
    required: bool


@dataclass(frozen=True)
class Shape:
    params: tuple[Param, ...] = ()
    body: dict[str, Any] | None = None  # JSON Schema of the body
    body_kind: str = "none"  # json | form | none
    response: dict[str, Any] | None = None  # JSON Schema of the 2xx JSON response
    root: dict[str, Any] = field(default_factory=dict)  # document the $refs point into

    def path_param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.location == "path" and p.name == name), None)


def resolve(root: dict[str, Any], node: Any) -> dict[str, Any]:
    """Follow ``$ref`` (OpenAPI 3, Swagger 2 and pydantic ``$defs``) to a schema dict; a ref
    that cannot be followed (external, missing, circular) gives ``{}``: nothing known."""
    end, _ = follow(root, node, strict=False)
    return end if isinstance(end, dict) and ref_of(end) is None else {}


def find_operation(schema: dict[str, Any] | None, route: Route) -> dict[str, Any] | None:
    if not schema:
        return None
    paths = schema.get("paths") or {}
    item = paths.get(route.path)
    if item is None:  # parameter names may differ ({id} vs {item_id}); compare the skeleton
        skeleton = _skeleton(route.path)
        item = next((v for k, v in paths.items() if _skeleton(k) == skeleton), None)
    if not isinstance(item, dict):
        return None
    operation = item.get(route.method.lower())
    if not isinstance(operation, dict):
        return None
    shared = item.get("parameters") or []
    if shared:  # path-level parameters apply to every operation under the path
        operation = {**operation, "parameters": [*shared, *(operation.get("parameters") or [])]}
    return operation


def _skeleton(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


def shape_of(route: Route, schema: dict[str, Any] | None) -> Shape:
    operation = find_operation(schema, route)
    shape = (
        _from_operation(operation, schema or {})
        if operation is not None
        else _from_fastapi(route.raw) or Shape()
    )
    return _complete(shape, route)


def _from_operation(operation: dict[str, Any], root: dict[str, Any]) -> Shape:
    params: list[Param] = []
    body: dict[str, Any] | None = None
    body_kind = "none"
    form_props: dict[str, Any] = {}
    form_required: list[str] = []
    for raw in operation.get("parameters") or []:
        param = resolve(root, raw)
        where = param.get("in")
        if where in ("path", "query", "header"):
            spec = param.get("schema") or {
                k: v for k, v in param.items() if k not in ("in", "name")
            }
            params.append(Param(str(param.get("name")), where, spec, bool(param.get("required"))))
        elif where == "body":  # Swagger 2
            body, body_kind = param.get("schema") or {}, "json"
        elif where == "formData":
            form_props[str(param.get("name"))] = {"type": param.get("type", "string")}
            if param.get("required"):
                form_required.append(str(param.get("name")))
    if form_props and body is None:
        body, body_kind = (
            {"type": "object", "properties": form_props, "required": form_required},
            "form",
        )
    content = resolve(root, operation.get("requestBody")).get("content") or {}
    for kinds, kind in ((_JSON_TYPES, "json"), (_FORM_TYPES, "form")):
        media = next((content[t] for t in kinds if t in content), None)
        if media is not None and body is None:
            body, body_kind = media.get("schema") or {}, kind
    if body is None and any("json" in t for t in content):
        body, body_kind = (
            next(v for t, v in content.items() if "json" in t).get("schema") or {},
            "json",
        )
    return Shape(tuple(params), body, body_kind, _response_schema(operation, root), root)


def _response_schema(operation: dict[str, Any], root: dict[str, Any]) -> dict[str, Any] | None:
    responses = operation.get("responses") or {}
    for code in sorted(responses, key=str):
        if str(code).startswith("2"):
            response = resolve(root, responses[code])
            content = response.get("content") or {}
            media = next((v for t, v in content.items() if "json" in t), None)
            if media is not None and media.get("schema"):
                return dict(media["schema"])
            if "schema" in response:  # Swagger 2
                return dict(response["schema"])
    return None


def _fastapi_fields(dependant: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if dependant is None or depth > 16:
        return
    for location in ("path", "query", "header"):
        for model_field in getattr(dependant, f"{location}_params", None) or ():
            yield location, model_field
    for sub in getattr(dependant, "dependencies", None) or ():
        yield from _fastapi_fields(sub, depth + 1)


def _from_fastapi(raw: Any) -> Shape | None:
    """A FastAPI route the schema does not show: read its dependant and body model."""
    dependant = getattr(raw, "dependant", None) if raw is not None else None
    if dependant is None:
        return None
    try:
        from pydantic import TypeAdapter
    except ImportError:  # pragma: no cover - FastAPI always brings pydantic
        return None
    params: list[Param] = []
    for location, model_field in _fastapi_fields(dependant):
        info = getattr(model_field, "field_info", None)
        try:
            spec = TypeAdapter(info.annotation).json_schema() if info is not None else {}
        except Exception:  # an annotation pydantic cannot describe: fall back to a string
            spec = {"type": "string"}
        name = str(getattr(model_field, "alias", None) or model_field.name)
        required = bool(info.is_required()) if info is not None else False
        params.append(Param(name, location, spec, required))
    body: dict[str, Any] | None = None
    body_field = getattr(raw, "body_field", None)
    info = getattr(body_field, "field_info", None)
    if info is not None:
        try:
            body = TypeAdapter(info.annotation).json_schema(ref_template="#/$defs/{model}")
        except Exception:  # unusual body type: fall back to the adapter's body_fields
            body = None
    kind = "json" if body is not None else "none"
    return Shape(tuple(params), body, kind, None, body or {})


def _converter_schema(converter: Any) -> dict[str, Any]:
    kind = type(converter).__name__
    if kind == "IntegerConverter":
        low = getattr(converter, "min", None)
        return {"type": "integer", "minimum": low if low is not None else 1}
    if kind == "FloatConverter":
        return {"type": "number", "minimum": 1}
    if kind == "UUIDConverter":
        return {"type": "string", "format": "uuid"}
    if kind == "AnyConverter":
        items = getattr(converter, "items", None) or ()
        return {"type": "string", "enum": sorted(items)} if items else {"type": "string"}
    regex = getattr(converter, "regex", "[^/]+")
    if kind in ("PathConverter", "UnicodeConverter") and regex in ("[^/]+", "[^/].*?"):
        return {"type": "string"}
    return {"type": "string", "pattern": regex}


def _type_schema(type_name: str) -> dict[str, Any]:
    """JSON Schema for an adapter's display type string (``str``, ``list[int]``, ``bool | None``)."""
    text = type_name.replace("typing.", "").replace("Optional[", "").strip()
    text = text.split("|")[0].strip().rstrip("]") if "|" in text else text
    lower = text.lower()
    if lower.startswith(("list", "set", "tuple", "sequence")):
        inner = text[text.find("[") + 1 : -1] if "[" in text else "str"
        return {"type": "array", "items": _type_schema(inner)}
    if lower.startswith(("dict", "mapping")):
        return {"type": "object"}
    if lower.startswith("literal["):
        values = re.findall(r"'([^']*)'|\"([^\"]*)\"|(-?\d+)", text)
        first = values[0] if values else ("", "", "")
        return {"enum": [first[0] or first[1] or int(first[2] or 0)]}
    table = {
        "str": {"type": "string"},
        "int": {"type": "integer"},
        "float": {"type": "number"},
        "decimal": {"type": "number"},
        "bool": {"type": "boolean"},
        "emailstr": {"type": "string", "format": "email"},
        "datetime": {"type": "string", "format": "date-time"},
        "date": {"type": "string", "format": "date"},
        "uuid": {"type": "string", "format": "uuid"},
        "httpurl": {"type": "string", "format": "uri"},
        "anyurl": {"type": "string", "format": "uri"},
    }
    return dict(table.get(lower.split(".")[-1], {"type": "string"}))


def fields_schema(fields: tuple[ModelField, ...]) -> dict[str, Any]:
    properties = {(f.alias or f.name): _type_schema(f.type) for f in fields}
    required = [(f.alias or f.name) for f in fields if f.required]
    return {"type": "object", "properties": properties, "required": required or list(properties)}


def _complete(shape: Shape, route: Route) -> Shape:
    """Fill what the primary source missed: path parameters, converters, body fields."""
    params = list(shape.params)
    converters = getattr(route.raw, "_converters", None) or {}
    known = {p.name for p in params if p.location == "path"}
    for name in re.findall(r"\{([^}:]+)", route.path):
        if name in known:
            continue
        converter = converters.get(name)
        spec = _converter_schema(converter) if converter is not None else {"type": "string"}
        params.append(Param(name, "path", spec, True))
    body, kind = shape.body, shape.body_kind
    if body is None and route.body_fields:
        body, kind = fields_schema(route.body_fields), "json"
    return Shape(tuple(params), body, kind, shape.response, shape.root)
