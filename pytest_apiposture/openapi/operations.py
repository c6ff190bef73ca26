"""Path items into ``Operation``s: parameters, request and response properties (``$ref``
chains followed strictly: a ref that cannot be followed is a ``SpecError``), security."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .refs import RefError, follow
from .spec_model import Operation, Parameter, SpecError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")
# How deep nested object properties are listed (a.b.c); deeper ones add noise, not signal.
MAX_PROPERTY_DEPTH = 4


def requirements(value: Any, where: str) -> tuple[frozenset[str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise SpecError(f"{where} must be a list of {{scheme: [scopes]}} mappings")
    return tuple(frozenset(str(name) for name in requirement) for requirement in value)


class Resolver:
    """Follows local ``$ref`` chains; a missing, external or circular chain is a SpecError."""

    def __init__(self, doc: Mapping[str, Any], source: str) -> None:
        self.doc = doc
        self.source = source

    def resolve(self, node: Any, where: str) -> tuple[Any, tuple[str, ...]]:
        """The node at the end of a ``$ref`` chain and the refs passed on the way."""
        try:
            return follow(self.doc, node, strict=True)
        except RefError as exc:
            raise SpecError(self._problem(exc, where)) from None

    def _problem(self, exc: RefError, where: str) -> str:
        if exc.reason == "external":
            return (
                f"{self.source}: external $ref '{exc.ref}' at {where} is not supported; bundle "
                "the spec into one file first (e.g. `redocly bundle`)"
            )
        if exc.reason == "cycle":
            return f"{self.source}: $ref cycle {' -> '.join([*exc.chain, exc.ref])} at {where}"
        return f"{self.source}: $ref '{exc.ref}' at {where} does not resolve; fix the reference"


@dataclass(frozen=True)
class OperationBuilder:
    resolver: Resolver
    version: str
    prefix: str
    global_security: tuple[frozenset[str], ...]
    # the request and response properties: only a comparison of two specs reads them, and
    # on a large generated schema they are most of the reading (LiteLLM: about 1 s)
    properties: bool = True

    def build(self, raw_path: str, item: Any, line: int) -> Iterator[Operation]:
        where = f"paths.{raw_path}"
        item, _ = self.resolver.resolve(item, where)
        if not isinstance(item, dict):
            raise SpecError(
                f"{self.resolver.source}: {where} must be a mapping of method -> operation"
            )
        shared, shared_body = self._parameters(item.get("parameters"), where)
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op_where = f"{where}.{method}"
            op = item[method]
            if not isinstance(op, dict):
                raise SpecError(f"{self.resolver.source}: {op_where} must be a mapping")
            own, own_body = self._parameters(op.get("parameters"), op_where)
            params = {**shared, **own}
            security = (
                requirements(op["security"], f"{self.resolver.source}: {op_where}.security")
                if "security" in op
                else self.global_security
            )
            yield Operation(
                method=method.upper(),
                raw_path=raw_path,
                prefix=self.prefix,
                parameters=tuple(p for p in params.values() if p.location in PARAMETER_LOCATIONS),
                request_properties=self._request(op, params, own_body or shared_body, op_where)
                if self.properties
                else None,
                responses=self._responses(op.get("responses"), op_where) if self.properties else {},
                security=security,
                deprecated=bool(op.get("deprecated", False)),
                operation_id=op.get("operationId")
                if isinstance(op.get("operationId"), str)
                else None,
                line=line,
            )

    def _parameters(self, raw: Any, where: str) -> tuple[dict[tuple[str, str], Parameter], Any]:
        """(location, name) -> Parameter, and the 2.0 `in: body` parameter's schema."""
        found: dict[tuple[str, str], Parameter] = {}
        body: Any = None
        for index, entry in enumerate(raw if isinstance(raw, list) else []):
            param, _ = self.resolver.resolve(entry, f"{where}.parameters[{index}]")
            if not isinstance(param, dict) or "name" not in param or "in" not in param:
                raise SpecError(
                    f"{self.resolver.source}: {where}.parameters[{index}] needs `name` and `in`"
                )
            location, name = str(param["in"]), str(param["name"])
            if location == "body":
                body = param.get("schema") or {}
            if location in ("header", "cookie"):
                name = name.lower()
            required = location == "path" or bool(param.get("required", False))
            schema = param if self.version == "2.0" else param.get("schema")
            kind = self._json_type(schema, f"{where}.parameters[{index}]")
            found[(location, name)] = Parameter(name, location, required, kind)
        return found, body

    def _request(
        self,
        op: Mapping[str, Any],
        params: Mapping[tuple[str, str], Parameter],
        body: Any,
        where: str,
    ) -> frozenset[str] | None:
        if self.version == "2.0":
            form = {name for (location, name) in params if location == "formData"}
            if body is None:
                return frozenset(form) if form else None
            return frozenset(form) | self._properties(body, f"{where}.parameters.body")
        request, _ = self.resolver.resolve(op.get("requestBody"), f"{where}.requestBody")
        if not isinstance(request, dict):
            return None
        return self._properties(_media_schema(request.get("content")), f"{where}.requestBody")

    def _responses(self, raw: Any, where: str) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}
        for status, entry in raw.items() if isinstance(raw, dict) else ():
            response, _ = self.resolver.resolve(entry, f"{where}.responses.{status}")
            if not isinstance(response, dict):
                continue
            schema = (
                response.get("schema")
                if self.version == "2.0"
                else _media_schema(response.get("content"))
            )
            out[str(status)] = self._properties(schema, f"{where}.responses.{status}")
        return out

    def _json_type(self, schema: Any, where: str) -> str | None:
        """The one JSON type a parameter schema allows (null aside: 3.1 spells Optional so)."""
        types = self._json_types(schema, where) - {"null"}
        return types.pop() if len(types) == 1 and "?" not in types else None

    def _json_types(self, schema: Any, where: str) -> set[str]:
        node, _ = self.resolver.resolve(schema, where)
        if not isinstance(node, dict):
            return {"?"}
        declared = node.get("type")
        types = {str(t) for t in declared} if isinstance(declared, list) else {str(declared)}
        members = (node.get("anyOf") or []) + (node.get("oneOf") or [])
        for member in members:
            types |= self._json_types(member, where)
        return types - {"None"} if declared or members else {"?"}

    def _properties(self, schema: Any, where: str) -> frozenset[str]:
        """Property names, nested ones dotted (``owner.name``), array items as ``[]``."""
        found: set[str] = set()

        def collect(schema: Any, prefix: str, depth: int, stack: tuple[str, ...]) -> None:
            ref = schema.get("$ref") if isinstance(schema, dict) else None
            if schema is None or depth > MAX_PROPERTY_DEPTH or ref in stack:
                return  # too deep, or a recursive model whose properties were listed above
            node, chain = self.resolver.resolve(schema, where)
            if not isinstance(node, dict):
                return
            stack = stack + chain
            for combinator in ("allOf", "anyOf", "oneOf"):
                for sub in node.get(combinator) or []:
                    collect(sub, prefix, depth, stack)
            if isinstance(node.get("items"), dict):  # detail[].msg, [].id
                collect(node["items"], prefix.removesuffix(".") + "[].", depth + 1, stack)
            properties = node.get("properties")
            for name, sub in properties.items() if isinstance(properties, dict) else ():
                found.add(f"{prefix}{name}")
                collect(sub, f"{prefix}{name}.", depth + 1, stack)

        collect(schema, "", 0, ())
        return frozenset(found)


def _media_schema(content: Any) -> Any:
    """The schema of the JSON media type, else of the first one."""
    if not isinstance(content, dict) or not content:
        return None
    chosen = next((mt for mt in content if "json" in str(mt)), next(iter(content)))
    media = content[chosen]
    return media.get("schema") if isinstance(media, dict) else None
