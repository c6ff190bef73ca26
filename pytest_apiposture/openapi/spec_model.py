"""The normalised OpenAPI document drift and lint compare: ``Spec``, its ``Operation``s,
their ``Parameter``s, the ``SecurityScheme``s; and ``SpecError``, the one error a document
can raise. ``openapi.spec`` builds these (and re-exports them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..paths import skeleton


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
    return skeleton(path)
