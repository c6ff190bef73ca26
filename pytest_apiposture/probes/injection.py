"""Which privileged fields to inject into a request body, and with which values.

Candidates are fields the object really has but the request model does not take: fields
of the response models (the route's and its read route's) and privileged names (from the
knowledge table) seen in the app's own responses. Values are distinctive and typed, and a
boolean is flipped from what the control request showed, so an echo is never a
coincidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..knowledge import Knowledge
from ..model import Route
from .discover import records
from .secrets import walk
from .shape import Shape, resolve

DISTINCT_INT = 987654
DISTINCT_TIME = "2001-02-03T04:05:06"
# hidden flags worth trying when an admin route exists to test for gained access
ACCESS_FLAGS: tuple[str, ...] = ("is_admin", "role", "is_superuser", "is_staff")
_BOOLISH = re.compile(
    r"^(?:is_|has_|can_)|(?:verified|approved|active|admin|superuser|staff|enabled)$"
)
_LISTISH = re.compile(r"^(?:roles|permissions|scopes|groups)$")
_STRING_BY_NAME: tuple[tuple[str, str], ...] = (
    (r"role", "admin"),
    (r"plan|tier", "enterprise"),
    (r"status|state", "approved"),
    (r"hash|password", "apiposture-injected-hash"),
)
_SKIP = frozenset({"id", "created_at", "updated_at"})  # tried last: often generated columns


def _request_properties(shape: Shape) -> dict[str, Any]:
    spec = resolve(shape.root, shape.body)  # (no body: None, which resolves to {})
    properties: dict[str, Any] = dict(spec.get("properties") or {})
    for part in spec.get("allOf") or []:
        properties.update(resolve(shape.root, part).get("properties") or {})
    return properties


def required_fields(shape: Shape) -> set[str]:
    spec = resolve(shape.root, shape.body)
    required = set(spec.get("required") or [])
    for part in spec.get("allOf") or []:
        required.update(resolve(shape.root, part).get("required") or [])
    return {str(name) for name in required}


def request_fields(shape: Shape) -> set[str]:
    return set(_request_properties(shape))


def request_types(shape: Shape) -> dict[str, str]:
    """Field -> JSON type of the request model (``anyOf`` with null unwrapped)."""
    return {name: _schema_type(shape, sub) for name, sub in _request_properties(shape).items()}


def _schema_type(shape: Shape, node: Any) -> str:
    resolved = resolve(shape.root, node)
    kind = resolved.get("type")
    if not kind:
        options = [
            resolve(shape.root, o) for o in resolved.get("anyOf") or resolved.get("oneOf") or []
        ]
        kind = next((o.get("type") for o in options if o.get("type") not in (None, "null")), None)
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return str(kind or "string")


def model_types(route: Route, shape: Shape) -> dict[str, str]:
    """Field name -> JSON type of the route's declared response (``boolean``, ``string``...)."""
    types: dict[str, str] = {}
    for model_field in route.response_fields:
        types[model_field.alias or model_field.name] = _display_type(model_field.type)
    spec = resolve(shape.root, shape.response)
    if spec.get("type") == "array":
        spec = resolve(shape.root, spec.get("items"))
    for name, sub in (spec.get("properties") or {}).items():
        types.setdefault(name, _schema_type(shape, sub))
    return types


def candidates(
    knowledge: Knowledge,
    taken: set[str],
    declared: Mapping[str, str],
    observed: Iterable[Any],
    want_access: bool,
) -> dict[str, str]:
    """Field -> JSON type, privileged ones first, those the request already takes left out."""
    found: dict[str, str] = {}
    seen_keys: dict[str, str] = {}
    for doc in observed:
        for hit in walk(doc):
            seen_keys.setdefault(hit.key, _json_type(hit.value))
    names = [*declared, *(k for k in seen_keys if knowledge.is_privileged_field(k))]
    if want_access:
        names += list(ACCESS_FLAGS)
    for name in names:  # (a name seen twice gets the same type again)
        if name not in taken:
            found[name] = declared.get(name) or seen_keys.get(name) or _guess_type(name)
    ordered = sorted(found, key=lambda n: (not knowledge.is_privileged_field(n), n in _SKIP, n))
    return {name: found[name] for name in ordered}


def _display_type(text: str) -> str:
    """JSON type of an adapter's display type string (``bool``, ``int | None``...)."""
    lower = text.lower().replace("optional[", "")
    for prefixes, kind in (
        (("bool",), "boolean"),
        (("int",), "integer"),
        (("float", "decimal"), "number"),
        (("list", "set", "tuple"), "array"),
        (("dict",), "object"),
    ):
        if lower.startswith(prefixes):
            return kind
    return "string"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _guess_type(name: str) -> str:
    lower = name.lower()
    if _BOOLISH.search(lower):
        return "boolean"
    if _LISTISH.match(lower):
        return "array"
    if lower.endswith("_id") or lower in (
        "balance",
        "credit",
        "credits",
        "price",
        "discount",
        "created_by",
    ):
        return "integer"
    return "string"


def current_values(docs: Iterable[Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for doc in docs:
        for record in records(doc):
            for key, value in record.items():
                values.setdefault(key, value)
    return values


def choose(fields: Mapping[str, str], current: Mapping[str, Any]) -> dict[str, Any]:
    """A distinctive value per field, different from what the control showed."""
    chosen: dict[str, Any] = {}
    for name, kind in fields.items():
        before = current.get(name)
        if kind == "boolean":
            chosen[name] = not before if isinstance(before, bool) else True
        elif kind in ("integer", "number"):
            chosen[name] = DISTINCT_INT if before != DISTINCT_INT else DISTINCT_INT + 1
        elif kind == "array":
            chosen[name] = ["admin"]
        elif kind == "object":
            continue
        elif name.lower().endswith(("_at", "date", "time")):
            chosen[name] = DISTINCT_TIME
        else:
            text = next(
                (v for p, v in _STRING_BY_NAME if re.search(p, name.lower())), f"apiposture-{name}"
            )
            chosen[name] = text if text != before else f"apiposture-{name}"
    return chosen


def same(found: Any, injected: Any) -> bool:
    if isinstance(injected, bool) or isinstance(found, bool):
        return found is injected
    if isinstance(injected, str) and isinstance(found, str):
        return found == injected or (injected == DISTINCT_TIME and found.startswith(DISTINCT_TIME))
    if isinstance(injected, list) and isinstance(found, list):
        return [str(v) for v in found] == [str(v) for v in injected]
    return bool(found == injected)


def holds(doc: Any, name: str, value: Any) -> bool:
    """Does the JSON document carry ``name`` with ``value`` (at any depth)?"""
    return any(hit.key == name and same(hit.value, value) for hit in walk(doc))
