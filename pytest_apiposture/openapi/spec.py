"""Load an OpenAPI document (Swagger 2.0, OpenAPI 3.0 / 3.1; JSON or YAML) into one shape.

``Spec`` keeps only what drift and lint compare: per operation its parameters, the
property names of its request body and responses (``$ref`` chains followed, nested
properties as dotted paths, array items as ``[]``), its effective security and
``deprecated``; plus the security schemes and the servers / basePath prefix.
Every problem with the document becomes one ``SpecError`` with a one-line message.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from .refs import RefError, follow

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")
# How deep nested object properties are listed (a.b.c); deeper ones add noise, not signal.
MAX_PROPERTY_DEPTH = 4
_TEMPLATE_RE = re.compile(r"\{[^}]*\}")


class SpecError(Exception):
    """The spec cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Parameter:
    name: str  # header and cookie names are compared case-insensitively: stored lower case
    location: str  # path | query | header | cookie
    required: bool
    type: str | None = None  # JSON type (integer, string, ...); None when not one plain type


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: str  # apiKey | http | oauth2 | openIdConnect | mutualTLS | basic (2.0)
    scheme: str | None = None  # http: basic | bearer | digest ...
    location: str | None = None  # apiKey: header | query | cookie
    key_name: str | None = None  # apiKey: the header / query parameter name
    line: int = 1

    @property
    def is_basic(self) -> bool:
        return self.type == "basic" or (
            self.type == "http" and (self.scheme or "").lower() == "basic"
        )

    def describe(self) -> str:
        if self.type == "apiKey":
            return f"apiKey in {self.location} '{self.key_name}'"
        if self.type == "http":
            return f"http {self.scheme}"
        return self.type


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    raw_path: str  # the path key as written in the document
    prefix: str  # from servers[0] / basePath, "" when none
    parameters: tuple[Parameter, ...] = ()
    request_properties: frozenset[str] | None = None  # None: no request body declared
    responses: Mapping[str, frozenset[str]] = field(default_factory=dict)  # status -> properties
    # Effective security requirements: each a set of scheme names; an empty set means
    # anonymous access is allowed. () means the operation declares no security.
    security: tuple[frozenset[str], ...] = ()
    deprecated: bool = False
    operation_id: str | None = None
    line: int = 1

    @property
    def path(self) -> str:
        return self.prefix + self.raw_path

    @property
    def requires_auth(self) -> bool:
        return bool(self.security) and all(self.security)

    @property
    def declares_security(self) -> bool:
        return any(self.security)

    def schemes_text(self) -> str:
        names = sorted({name for requirement in self.security for name in requirement})
        return ", ".join(names) or "no scheme"


@dataclass(frozen=True)
class Spec:
    source: str  # absolute file path, or a label such as "generated schema"
    version: str  # "2.0" | "3.0" | "3.1"
    prefix: str
    operations: tuple[Operation, ...]
    security_schemes: Mapping[str, SecurityScheme]
    servers: tuple[str, ...]  # server URLs (3.x) or URL schemes (2.0)
    tls_only: bool  # every server is https (3.x) / schemes is only https (2.0)

    def find(self, method: str, path: str) -> Operation | None:
        """The operation at ``path`` (prefix included), whatever its parameters are named."""
        wanted = (method.upper(), template_key(path))
        return next(
            (o for o in self.operations if (o.method, template_key(o.path)) == wanted), None
        )


def template_key(path: str) -> str:
    """``/users/{id}`` and ``/users/{user_id}`` are the same path: parameter names dropped."""
    return _TEMPLATE_RE.sub("{}", path)


def load_spec(path: Path) -> Spec:
    """Read a committed spec file; JSON or YAML by suffix (either tried when unknown)."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            f"spec file {shown} does not exist; fix --apiposture-spec / the `spec` setting"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SpecError(f"cannot read spec file {shown}: {reason}") from None
    doc = _parse(text, shown, Path(path).suffix.lower())
    if not isinstance(doc, dict):
        raise SpecError(f"{shown} is not an OpenAPI document: the top level must be a mapping")
    return spec_from_dict(doc, os.path.abspath(path), text=text)


def write_snapshot(path: Path, schema: dict[str, Any]) -> None:
    """Write the generated schema with sorted keys (JSON, indent 2; YAML for .yaml/.yml) so
    a regenerated spec diffs only where the API changed. Written atomically."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        text = yaml.safe_dump(schema, sort_keys=True, allow_unicode=True, default_flow_style=False)
    else:
        text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    partial = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        raise SpecError(f"cannot write spec snapshot {path}: {exc.strerror or exc}") from None


def _parse(text: str, shown: str, suffix: str) -> Any:
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and text.lstrip().startswith("{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(
                f"{shown}:{exc.lineno}: invalid JSON ({exc.msg}, column {exc.colno})"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark is not None else shown
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"{where}: invalid YAML ({problem})") from None


def spec_from_dict(doc: dict[str, Any], source: str, *, text: str | None = None) -> Spec:
    """Normalise a parsed document; ``text`` (the file's content) gives line numbers."""
    version = _version(doc, source)
    lines = _KeyLines(text)
    resolver = _Resolver(doc, source)
    paths = doc.get("paths") or {}
    if not isinstance(paths, dict):
        raise SpecError(f"{source}: `paths` must be a mapping of path -> operations")
    if version == "2.0":
        prefix = _base_path(doc.get("basePath"))
        raw_schemes = doc.get("schemes") or []
        servers = tuple(str(s) for s in raw_schemes) if isinstance(raw_schemes, list) else ()
        tls_only = bool(servers) and all(s in ("https", "wss") for s in servers)
    else:
        servers = _server_urls(doc.get("servers"))
        prefix = _base_path(urlparse(servers[0]).path) if servers else ""
        tls_only = bool(servers) and all(
            s.lower().startswith(("https://", "wss://")) for s in servers
        )
    global_security = _requirements(doc.get("security"), f"{source}: security")
    builder = _OperationBuilder(resolver, version, prefix, global_security)
    operations: list[Operation] = []
    seen: set[tuple[str, str]] = set()
    for raw_path, item in paths.items():
        raw_path = str(raw_path)
        if raw_path.startswith("x-"):
            continue
        if not raw_path.startswith("/"):
            raise SpecError(f"{source}: path key '{raw_path}' must start with '/'")
        line = lines.find(raw_path, after="paths")
        for operation in builder.build(raw_path, item, line):
            key = (operation.method, template_key(operation.raw_path))
            if key not in seen:  # /a/{id} and /a/{name} twice: the first one counts
                seen.add(key)
                operations.append(operation)
    schemes = _security_schemes(doc, version, resolver, lines)
    return Spec(source, version, prefix, tuple(operations), schemes, servers, tls_only)


def _version(doc: Mapping[str, Any], source: str) -> str:
    key = "openapi" if "openapi" in doc else "swagger" if "swagger" in doc else ""
    if not key:
        raise SpecError(
            f"{source}: no `openapi` or `swagger` version key; is this an OpenAPI document?"
        )
    value = str(doc[key])  # YAML reads `openapi: 3.0` / `swagger: 2.0` as floats
    major_minor = ".".join(value.split(".")[:2])
    if (key, major_minor) in (("openapi", "3.0"), ("openapi", "3.1"), ("swagger", "2.0")):
        return major_minor
    raise SpecError(
        f"{source}: unsupported `{key}: {value}`; expected openapi 3.0.x or 3.1.x, or swagger 2.0"
    )


def _base_path(path: Any) -> str:
    text = str(path or "").rstrip("/")
    return text if not text or text.startswith("/") else "/" + text


def _server_urls(servers: Any) -> tuple[str, ...]:
    urls: list[str] = []
    for server in servers if isinstance(servers, list) else []:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url: str = server["url"]
        variables = server.get("variables") or {}
        for name, variable in variables.items() if isinstance(variables, dict) else ():
            default = variable.get("default", "") if isinstance(variable, dict) else ""
            url = url.replace("{" + str(name) + "}", str(default))
        urls.append(url)
    return tuple(urls)


def _requirements(value: Any, where: str) -> tuple[frozenset[str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise SpecError(f"{where} must be a list of {{scheme: [scopes]}} mappings")
    return tuple(frozenset(str(name) for name in requirement) for requirement in value)


class _Resolver:
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
class _OperationBuilder:
    resolver: _Resolver
    version: str
    prefix: str
    global_security: tuple[frozenset[str], ...]

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
                _requirements(op["security"], f"{self.resolver.source}: {op_where}.security")
                if "security" in op
                else self.global_security
            )
            yield Operation(
                method=method.upper(),
                raw_path=raw_path,
                prefix=self.prefix,
                parameters=tuple(p for p in params.values() if p.location in PARAMETER_LOCATIONS),
                request_properties=self._request(op, params, own_body or shared_body, op_where),
                responses=self._responses(op.get("responses"), op_where),
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


def _security_schemes(
    doc: Mapping[str, Any], version: str, resolver: _Resolver, lines: _KeyLines
) -> dict[str, SecurityScheme]:
    if version == "2.0":
        raw, section = doc.get("securityDefinitions"), "securityDefinitions"
    else:
        components = doc.get("components")
        raw = components.get("securitySchemes") if isinstance(components, dict) else None
        section = "securitySchemes"
    schemes: dict[str, SecurityScheme] = {}
    for name, entry in raw.items() if isinstance(raw, dict) else ():
        scheme, _ = resolver.resolve(entry, f"{section}.{name}")
        if not isinstance(scheme, dict) or "type" not in scheme:
            raise SpecError(f"{resolver.source}: security scheme '{name}' needs a `type`")
        schemes[str(name)] = SecurityScheme(
            name=str(name),
            type=str(scheme["type"]),
            scheme=str(scheme["scheme"]).lower() if "scheme" in scheme else None,
            location=str(scheme["in"]) if "in" in scheme else None,
            key_name=str(scheme["name"]) if "name" in scheme else None,
            line=lines.find(str(name), after=section),
        )
    return schemes


class _KeyLines:
    """Line numbers of mapping keys in the spec text (1 when unknown)."""

    def __init__(self, text: str | None) -> None:
        self.lines = text.splitlines() if text else []

    def find(self, key: str, *, after: str) -> int:
        start = self._index(after, 0)
        found = self._index(key, start if start is not None else 0)
        return found + 1 if found is not None else 1

    def _index(self, key: str, start: int) -> int | None:
        spelled = {json.dumps(key), f"'{key}'", key, json.dumps(key).replace("/", "\\/")}
        pattern = re.compile(
            r"^\s*(?:-\s+)?(?:" + "|".join(re.escape(s) for s in spelled) + r")\s*:"
        )
        # minified JSON matches nothing: everything is on line 1 anyway
        return next(
            (n for n in range(start, len(self.lines)) if pattern.match(self.lines[n])), None
        )
