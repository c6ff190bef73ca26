"""What a route takes and returns, as JSON Schema: path/query/header parameters and body.

Sources, best first: the app's OpenAPI operation; for a route the schema does not show,
what its handler declares (``Route.declared_request``: a FastAPI dependant and body model
as pydantic's JSON Schema); the router's path parameter types (``Route.path_schemas``: a
Werkzeug converter); and the adapter's ``body_fields`` when nothing better exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model import DeclaredRequest, ModelField, RequestParam, Route
from ..openapi.refs import follow, ref_of
from ..paths import skeleton

_JSON_TYPES = ("application/json", "application/merge-patch+json", "*/*")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


Param = RequestParam  # name, location (path | query | header), JSON Schema, required


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
        wanted = _skeleton(route.path)
        item = next((v for k, v in paths.items() if _skeleton(k) == wanted), None)
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
    return skeleton(path.rstrip("/") or "/")


def shape_of(route: Route, schema: dict[str, Any] | None) -> Shape:
    operation = find_operation(schema, route)
    shape = _from_operation(operation, schema or {}) if operation is not None else _declared(route)
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


def _declared(route: Route) -> Shape:
    """What the handler declares, for a route the schema does not show."""
    maker = route.declared_request
    declared = maker() if maker is not None else DeclaredRequest()
    kind = "json" if declared.body is not None else "none"
    return Shape(declared.params, declared.body, kind, None, declared.body or {})


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
    known = {p.name for p in params if p.location == "path"}
    for name in route.path_params:
        if name not in known:
            params.append(Param(name, "path", route.path_schema(name), True))
    body, kind = shape.body, shape.body_kind
    if body is None and route.body_fields:
        body, kind = fields_schema(route.body_fields), "json"
    return Shape(tuple(params), body, kind, shape.response, shape.root)
