"""Load an OpenAPI document (Swagger 2.0, OpenAPI 3.0 / 3.1; JSON or YAML) into one shape.

``Spec`` keeps only what drift and lint compare: per operation its parameters, the
property names of its request body and responses (``$ref`` chains followed, nested
properties as dotted paths, array items as ``[]``), its effective security and
``deprecated``; plus the security schemes and the servers / basePath prefix.
Every problem with the document becomes one ``SpecError`` with a one-line message.
The shapes are in ``spec_model``, reading one path's operations in ``operations``.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from .operations import OperationBuilder, Resolver, requirements
from .spec_model import (
    Operation,
    Parameter,
    SecurityScheme,
    Spec,
    SpecError,
    template_key,
)

__all__ = [
    "Operation",
    "Parameter",
    "SecurityScheme",
    "Spec",
    "SpecError",
    "load_spec",
    "spec_from_dict",
    "template_key",
    "write_snapshot",
]


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


def spec_from_dict(
    doc: dict[str, Any], source: str, *, text: str | None = None, properties: bool = True
) -> Spec:
    """Normalise a parsed document; ``text`` (the file's content) gives line numbers.
    ``properties=False``: the operations' request and response properties are left empty
    (unread, so a broken ``$ref`` under a body goes unseen), for a spec that is only
    matched against the routes."""
    version = _version(doc, source)
    lines = _KeyLines(text)
    resolver = Resolver(doc, source)
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
    global_security = requirements(doc.get("security"), f"{source}: security")
    builder = OperationBuilder(resolver, version, prefix, global_security, properties)
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


def _security_schemes(
    doc: Mapping[str, Any], version: str, resolver: Resolver, lines: _KeyLines
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
    """Line numbers of mapping keys in the spec text (1 when unknown).

    Every line is read once: key -> the (0-based) lines it opens, so a look-up is a
    bisection, not a scan of the text per key (a spec of thousands of operations).
    """

    _KEY = re.compile(
        r"""^\s*(?:-\s+)?(?:"(?P<double>(?:[^"\\]|\\.)*)"|'(?P<single>[^']*)'|(?P<bare>[^\s'"{}\[\],][^:]*?))\s*:"""
    )

    def __init__(self, text: str | None) -> None:
        self.lines: dict[str, list[int]] = {}
        for number, line in enumerate(text.splitlines() if text else ()):
            match = self._KEY.match(line)
            if match is None:
                continue  # minified JSON matches nothing: everything is on line 1 anyway
            double, single, bare = match.group("double", "single", "bare")
            if double is not None:
                try:
                    key = json.loads(f'"{double}"')
                except ValueError:
                    continue
            else:
                key = single if single is not None else bare
            self.lines.setdefault(key, []).append(number)

    def find(self, key: str, *, after: str) -> int:
        start = self._index(after, 0)
        found = self._index(key, start if start is not None else 0)
        return found + 1 if found is not None else 1

    def _index(self, key: str, start: int) -> int | None:
        numbers = self.lines.get(key, ())
        position = bisect.bisect_left(numbers, start)
        return numbers[position] if position < len(numbers) else None
