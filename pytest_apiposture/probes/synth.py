"""Deterministic, valid request values from JSON Schema (refs, enums, formats, nested models).

The first request of every probe must pass the route's own validation, or a 422 would hide
what auth does; so values are chosen, not fuzzed: the schema's const/enum/example/default
first, then a plausible value for the format and the field name, clamped to the bounds.
``variant`` changes strings (``apiposture2@example.com``) so a second create does not
collide with a unique constraint; ``tag`` (the run's nonce, and the probe and route that
create it: ``apiposture2-3f9a1c07@example.com``) makes every name a probe creates unique
to the run, so a second run against the same database collides with nothing the first
left there. Regex patterns are satisfied through hypothesis.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..paths import skeleton
from .client import NO_BODY, ProbeRequest
from .shape import Param, Shape, resolve

_UUID_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
_BY_FORMAT: dict[str, str] = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05",
    "duration": "P1D",
    "ipv4": "192.0.2.10",
    "ipv6": "2001:db8::10",
    "hostname": "apiposture.invalid",
    "byte": "YXBpcG9zdHVyZQ==",
    "binary": "apiposture",
}
# field-name hints for plain strings (Flask bodies rarely say more than "str")
_BY_NAME: tuple[tuple[str, str], ...] = (
    (r"e-?mail", "apiposture{v}{t}@example.com"),
    (r"url|uri|link|website|homepage|callback", "http://apiposture.invalid/x{v}{t}"),
    (r"phone|mobile", "+15550100{v:02d}"),
    (r"password|passwd|secret", "Apiposture-Passw0rd!{v}"),
    (r"uuid|guid", "{uuid}"),
    (r"date|_at$|time", "2024-01-02T03:04:05Z"),
    (r"country", "US"),
    (r"currency", "USD"),
    (r"lang|locale", "en"),
    (r"color|colour", "#336699"),
    (r"zip|postal", "94105"),
)


def name_tag(nonce: str, *parts: str) -> str:
    """The tag of the names one probe creates on one route (``parts``): the run's nonce
    and a digest of the parts, so two runs, and two probes of one run, never make the
    same name; "" without a nonce."""
    if not nonce:
        return ""
    return nonce + hashlib.sha256(" ".join(parts).encode()).hexdigest()[:4]


def _fit_string(text: str, spec: Mapping[str, Any]) -> str:
    low = int(spec.get("minLength", 0) or 0)
    high = spec.get("maxLength")
    if len(text) < low:
        text = text + "x" * (low - len(text))
    if high is not None and len(text) > int(high):
        text = text[: int(high)]
    return text


@lru_cache(maxsize=256)
def from_pattern(pattern: str, preferred: str) -> str:
    """A string matching ``pattern``: ``preferred`` when it does, else a minimal example."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return preferred
    for candidate in (preferred, "apiposture", "abc", "a", "1", "A1"):
        if compiled.fullmatch(candidate):
            return candidate
    try:
        from hypothesis import HealthCheck, Phase, find, settings
        from hypothesis import strategies as st

        # find() shrinks to the simplest match, so the result is stable run to run
        return str(
            find(
                st.from_regex(pattern, fullmatch=True),
                lambda _: True,
                settings=settings(
                    database=None,
                    phases=[Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck),
                ),
            )
        )
    except Exception:  # hypothesis cannot satisfy it: send the plain value and let the app say
        return preferred


def _string(spec: Mapping[str, Any], name: str, variant: int, tag: str = "") -> str:
    fmt = str(spec.get("format", ""))
    ident = uuid.uuid5(_UUID_NAMESPACE, f"{name}:{variant}" + (f":{tag}" if tag else ""))
    suffix = f"-{tag}" if tag else ""
    if fmt in ("uuid", "uuid4"):
        return str(ident)
    if fmt in ("email", "idn-email"):
        text = f"apiposture{variant}{suffix}@example.com"
    elif fmt in ("uri", "url", "iri", "uri-reference"):
        text = f"http://apiposture.invalid/x{variant}{suffix}"
    elif fmt in _BY_FORMAT:
        text = _BY_FORMAT[fmt]
    elif fmt == "password":
        text = f"Apiposture-Passw0rd!{variant}"
    else:
        lower = name.lower()
        text = next(
            (t.format(v=variant, t=suffix, uuid=ident) for p, t in _BY_NAME if re.search(p, lower)),
            (f"apiposture{variant}" if variant else "apiposture") + suffix,
        )
    if spec.get("pattern"):
        text = from_pattern(str(spec["pattern"]), text)
    return _fit_string(text, spec)


def _number(spec: Mapping[str, Any], integer: bool) -> int | float:
    value: float = 1
    low, high = spec.get("minimum"), spec.get("maximum")
    xlow, xhigh = spec.get("exclusiveMinimum"), spec.get("exclusiveMaximum")
    if isinstance(xlow, bool):  # OpenAPI 3.0: a flag on minimum
        xlow, low = (low, None) if xlow else (None, low)
    if isinstance(xhigh, bool):
        xhigh, high = (high, None) if xhigh else (None, high)
    if low is not None and value < low:
        value = low
    if xlow is not None and value <= xlow:
        value = xlow + 1 if integer else xlow + 0.5
    if high is not None and value > high:
        value = high
    if xhigh is not None and value >= xhigh:
        value = xhigh - 1 if integer else xhigh - 0.5
    step = spec.get("multipleOf")
    if step:
        value = step * max(1, round(value / step))
    return int(value) if integer else float(value)


def _pick(options: list[Any], root: dict[str, Any]) -> Any:
    """The first alternative that is not ``null``."""
    for option in options:
        if resolve(root, option).get("type") != "null":
            return option
    return options[0] if options else {}


def _merge_all_of(spec: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in spec.items() if k != "allOf"}
    props: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for part in spec["allOf"]:
        sub = resolve(root, part)
        if "allOf" in sub:
            sub = _merge_all_of(sub, root)
        props.update(sub.get("properties") or {})
        required += list(sub.get("required") or [])
        merged.update({k: v for k, v in sub.items() if k not in ("properties", "required")})
    if props:
        merged["properties"], merged["type"] = props, "object"
    merged["required"] = required
    return merged


def value_for(
    node: Any,
    root: dict[str, Any],
    name: str = "",
    variant: int = 0,
    depth: int = 0,
    tag: str = "",
) -> Any:
    """A valid value for the schema ``node`` (``$ref``s resolved against ``root``)."""
    spec = resolve(root, node)
    if depth > 8:
        return None
    if "allOf" in spec:
        spec = _merge_all_of(spec, root)
    for key in ("anyOf", "oneOf"):
        if key in spec:
            return value_for(_pick(list(spec[key]), root), root, name, variant, depth + 1, tag)
    if "const" in spec:
        return spec["const"]
    if spec.get("enum"):
        return next((v for v in spec["enum"] if v is not None), spec["enum"][0])
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind not in ("object", "array") and variant == 0:
        for key in ("example", "default"):
            if key in spec and spec[key] is not None:
                return spec[key]
        if spec.get("examples"):
            return spec["examples"][0]
    if kind is None:
        kind = "object" if "properties" in spec else "array" if "items" in spec else "string"
    if kind == "string":
        return _string(spec, name, variant, tag)
    if kind in ("integer", "number"):
        return _number(spec, kind == "integer")
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    if kind == "array":
        count = max(1, int(spec.get("minItems", 1) or 1))
        item = spec.get("items") or {}
        return [value_for(item, root, name, variant + i, depth + 1, tag) for i in range(count)]
    return object_for(spec, root, variant, depth, tag=tag)


def object_for(
    spec: dict[str, Any],
    root: dict[str, Any],
    variant: int = 0,
    depth: int = 0,
    omit: frozenset[str] = frozenset(),
    tag: str = "",
) -> Any:
    """The required properties, or (none required) every property not in ``omit``."""
    properties: dict[str, Any] = spec.get("properties") or {}
    required = [str(r) for r in spec.get("required") or []]
    chosen = required or [p for p in properties if p.lower() not in omit]
    out: dict[str, Any] = {}
    for prop in chosen:
        sub = properties.get(prop, {})
        if resolve(root, sub).get("readOnly"):
            continue
        out[prop] = value_for(sub, root, prop, variant, depth + 1, tag)
    return out


def body_for(
    shape: Shape, variant: int = 0, omit: frozenset[str] = frozenset(), tag: str = ""
) -> Any:
    """The request body value, or NO_BODY when the route takes none.

    Optional top-level fields named in ``omit`` (privileged ones) are left out, so a
    valid body never sets a flag by itself.
    """
    if shape.body is None or shape.body_kind == "none":
        return NO_BODY
    spec = resolve(shape.root, shape.body)
    if spec.get("type") == "object" or "properties" in spec:
        return object_for(spec, shape.root, variant, 0, omit, tag)
    return value_for(shape.body, shape.root, "body", variant, tag=tag)


_GENERATED = re.compile(r"^(?:id|uuid|pk|_id|created_at|updated_at|created|modified)$")


def body_from_record(
    record: Mapping[str, Any], variant: int, omit: frozenset[str], tag: str = ""
) -> dict[str, Any]:
    """A body shaped like an object the app returned, for routes that declare none.

    Generated and privileged fields are dropped; strings get fresh values, other scalars
    keep the app's own (they are known to be valid).
    """
    body: dict[str, Any] = {}
    for key, value in record.items():
        if _GENERATED.match(key) or key.lower() in omit or isinstance(value, (dict, list)):
            continue
        if key.endswith("_id"):
            continue
        body[key] = _string({}, key, variant, tag) if isinstance(value, str) else value
    return body


def param_value(param: Param, shape: Shape, variant: int = 0, tag: str = "") -> str:
    value = value_for(param.schema, shape.root, param.name, variant, tag=tag)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def build_request(
    method: str,
    path: str,
    shape: Shape,
    *,
    path_values: Mapping[str, Any] | None = None,
    variant: int = 0,
    body: Any = None,
    credential_headers: frozenset[str] = frozenset(),
    omit: frozenset[str] = frozenset(),
    tag: str = "",
) -> ProbeRequest:
    """A valid request for the route: path filled, required query/headers set, body built.

    ``body`` replaces the synthesised body when given. Required header parameters that
    carry credentials are left to the identity. ``tag`` goes into every name.
    """
    values = dict(path_values or {})
    filled = path
    for param in shape.params:
        if param.location == "path":
            raw = values.get(param.name)
            text = str(raw) if raw is not None else param_value(param, shape, variant, tag)
            filled = filled.replace("{" + param.name + "}", _quote(text, param))
    filled = skeleton(filled, "1")  # any name the shape did not know
    query = tuple(
        (p.name, param_value(p, shape, variant, tag))
        for p in shape.params
        if p.location == "query" and p.required
    )
    headers = {
        p.name: param_value(p, shape, variant, tag)
        for p in shape.params
        if p.location == "header" and p.required and p.name.lower() not in credential_headers
    }
    payload = body_for(shape, variant, omit, tag) if body is None else body
    if shape.body_kind == "form" and isinstance(payload, dict):
        form = {str(k): "" if v is None else str(v) for k, v in payload.items()}
        return ProbeRequest(method, filled, query, NO_BODY, form, headers)
    return ProbeRequest(method, filled, query, payload, None, headers)


def _quote(text: str, param: Param) -> str:
    from urllib.parse import quote

    keep = "/" if param.schema.get("pattern") == "[^/].*?" else ""
    return quote(text, safe=keep + "@:-_.~")
