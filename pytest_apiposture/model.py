"""The data that flows through the pipeline: Route in, Finding out.

Everything downstream of an adapter speaks these types only; no framework object
leaks past ``adapters/`` except through the ``endpoint``/``func`` callables that the
source index uses to find code. What the rest needs to know about a framework's route
(its URL rule, how it types path parameters, whether it serialises returned objects) the
adapter writes onto ``Route`` as plain facts.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .paths import param_names


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for thresholds and sorting."""
        return _SEVERITY_RANK[self]

    def __str__(self) -> str:
        return self.value


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Confidence(str, Enum):
    CONFIRMED = "confirmed"  # a probe observed it
    LIKELY = "likely"
    POSSIBLE = "possible"

    def __str__(self) -> str:
        return self.value


class Kind(str, Enum):
    MISSING_AUTH = "missing-auth"
    FUNCTION_LEVEL_AUTH = "function-level-auth"
    BOLA = "bola"
    MASS_ASSIGNMENT = "mass-assignment"
    DATA_EXPOSURE = "data-exposure"
    SHADOW_ENDPOINT = "shadow-endpoint"
    SPEC_DRIFT = "spec-drift"
    MISCONFIGURATION = "misconfiguration"
    RESOURCE_CONSUMPTION = "resource-consumption"
    SSRF = "ssrf"
    DEPENDENCY = "dependency"

    def __str__(self) -> str:
        return self.value


class Auth(str, Enum):
    """How a route treats anonymous callers."""

    AUTHENTICATED = "authenticated"  # a guard rejects anonymous callers
    OPTIONAL = "optional"  # a guard that can let anonymous callers through
    CONDITIONAL = "conditional"  # a guard whose refusal depends on a setting
    PUBLIC = "public"  # declared public by config or marker, or public by purpose
    NONE = "none"

    def __str__(self) -> str:
        return self.value


class GuardRole(str, Enum):
    """What a guard candidate turned out to be once classified."""

    AUTH = "auth"  # rejects anonymous callers
    CONDITIONAL_AUTH = "conditional-auth"  # rejects them only under some configuration
    OPTIONAL_AUTH = "optional-auth"  # identifies callers but lets anonymous ones through
    AUTHORIZATION = "authorization"  # role / scope / permission check on top of auth
    PUBLIC_MARKER = "public-marker"  # the package's @public marker
    OTHER = "other"  # a db session, a pagination helper, ...

    def __str__(self) -> str:
        return self.value


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Location:
    """A place in source. ``file`` is absolute; reports make it relative."""

    file: str
    line: int
    symbol: str = ""
    end_line: int | None = None

    def display(self, root: str | None = None) -> str:
        return f"{relative_path(self.file, root)}:{self.line}"


def relative_path(path: str, root: str | None) -> str:
    import os

    if not root or not path:
        return path
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


@dataclass(frozen=True)
class Guard:
    """Something that runs before the handler and may stop the request.

    Adapters record every candidate (dependency, decorator, hook) with the facts
    the framework gives; ``auth.classify_guard`` assigns ``role``.
    """

    name: str  # qualname, e.g. "app.deps.get_current_user"
    origin: str  # app-dependency | router-dependency | route-dependency | parameter |
    # decorator | before_request | url_value_preprocessor | methodview-decorator |
    # method-decorator (a Resource's method_decorators) | middleware
    # The credential source found in its sub-tree: a SecurityBase class name
    # ("OAuth2PasswordBearer", "HTTPBearer", "APIKeyHeader", ...) or, for a plain
    # parameter that reads a credential, "header:authorization" / "cookie:session".
    scheme: str | None = None
    auto_error: bool | None = None  # of that scheme; False means it may let anonymous through
    scopes: tuple[str, ...] = ()
    location: Location | None = None
    role: GuardRole | None = None  # set by classification
    func: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    # callables from this guard down to the scheme (nested dependencies, wrapper
    # functions), so classification can look for a 401/403 raise anywhere on the way
    chain: tuple[Callable[..., Any], ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class ModelField:
    """A field of a request body or response model."""

    name: str
    type: str  # display string, e.g. "str", "bool", "list[Item]"
    required: bool = False
    alias: str | None = None


@dataclass(frozen=True)
class RequestParam:
    """A parameter a route reads, with the JSON Schema of the values it takes."""

    name: str
    location: str  # path | query | header
    schema: dict[str, Any] = field(default_factory=dict, hash=False)
    required: bool = True


@dataclass(frozen=True)
class DeclaredRequest:
    """What a handler's signature declares it reads (a FastAPI route's dependant and body
    model), for the probes when the schema does not show the operation."""

    params: tuple[RequestParam, ...] = ()  # path, query and header parameters
    body: dict[str, Any] | None = field(default=None, hash=False)  # JSON Schema; $refs inside


@dataclass(frozen=True)
class Route:
    method: str  # upper case; one Route per method
    path: str  # OpenAPI style: /users/{user_id}
    framework: str  # fastapi | starlette | flask
    handler: str  # "pkg.mod:qualname"
    location: Location | None = None
    guards: tuple[Guard, ...] = ()
    body_model: str | None = None  # class name of the request body model
    body_fields: tuple[ModelField, ...] = ()
    body_extra_allowed: bool = False  # model_config extra="allow"
    response_model: str | None = None
    response_fields: tuple[ModelField, ...] = ()
    in_schema: bool = True
    origin: tuple[str, ...] = ("runtime",)  # runtime | static | schema
    kind: str = "http"  # http | websocket | mount
    query_params: tuple[str, ...] = ()
    auth: Auth = Auth.NONE  # set by classification
    # why: "guard get_user at app/deps.py:12", "login entry point", "config", "SERVER_MODE"
    auth_reason: str = ""
    deprecated: bool = False
    mount_prefix: str = ""  # the Mount this route was found under, if any
    # --- facts only the adapter can know, written in no framework's terms ---
    # the name the framework files the route under (a Flask endpoint "bp.view", a
    # FastAPI/Starlette route name); hooks exempt routes by it (``request.endpoint``)
    endpoint_name: str = ""
    # the path as the app's own router spells it, converters included: a Werkzeug rule
    # ``/items/<int:id>`` (relative to a mounted WSGI app), a Starlette ``/items/{id:int}``
    rule: str = ""
    # the JSON Schema of each path parameter the router enforces before the handler runs
    # (a Werkzeug converter, a FastAPI annotation); a parameter absent here takes any string.
    # Schemas may be shared between routes: read them, or copy with ``path_schema``
    path_schemas: tuple[RequestParam, ...] = field(default=(), hash=False)
    # the handler may read a request body nothing declares (a Flask view reads
    # ``request.json`` / ``request.form`` itself): worth sending one even without a model
    undeclared_body: bool = False
    # the body fields such a handler reads itself, by name (``request.form["password"]``,
    # ``data = request.get_json(); data.get("email")``): what it expects, undeclared
    body_reads: tuple[str, ...] = ()
    # the framework turns whatever the handler returns into JSON, a whole ORM object
    # included (FastAPI without a response model); otherwise only dicts and lists are sent
    serializes_objects: bool = False
    # why the app's schema generator may leave the route out although nothing hides it
    # ("a raw Starlette route"); "" when it lists every route it serves
    unlisted_reason: str = ""
    # served by a mounted app of another framework (Flask inside FastAPI): the host
    # app's schema generator cannot see it
    foreign_mount: bool = False
    # what the route answers with when it is no API operation, as the framework declares
    # it: "page" (an HTML response class) or "files" (a static files app); "" otherwise
    # or unknown (``static.pages.serves`` also reads the handler's code)
    serves: str = ""
    # the handler's declared inputs, computed on first use (probes ask only for routes the
    # schema does not describe); None when the framework declares nothing
    declared_request: Callable[[], DeclaredRequest] | None = field(
        default=None, compare=False, repr=False
    )
    endpoint: Callable[..., Any] | None = field(default=None, compare=False, repr=False)

    @property
    def path_params(self) -> tuple[str, ...]:
        """The path's parameter names, in order: ``/users/{user_id}`` -> ``("user_id",)``."""
        return param_names(self.path)

    def path_schema(self, name: str) -> dict[str, Any]:
        """The JSON Schema the router enforces for path parameter ``name`` (any string when
        the adapter knows none)."""
        found = next((p.schema for p in self.path_schemas if p.name == name), None)
        return copy.deepcopy(found) if found is not None else {"type": "string"}

    @property
    def key(self) -> str:
        """Display and item name: ``GET /users/{id}``."""
        return f"{self.method} {self.path}"

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def auth_guards(self) -> tuple[Guard, ...]:
        roles = {
            GuardRole.AUTH, GuardRole.OPTIONAL_AUTH, GuardRole.AUTHORIZATION,
            GuardRole.CONDITIONAL_AUTH,
        }  # fmt: skip
        return tuple(g for g in self.guards if g.role in roles)


@dataclass(frozen=True)
class Finding:
    """One problem, from any producer: rule, drift, probe or audit."""

    code: str  # APS201
    kind: Kind
    owasp: str  # API2:2023
    severity: Severity
    confidence: Confidence
    message: str
    remediation: str
    method: str = ""
    path: str = ""
    location: Location | None = None
    evidence: str = ""
    cwe: int | None = None
    status: str = "stable"  # stable | preview
    baselined: bool = False
    suppressed: bool = False
    # probe findings: a curl command (credentials as $VARS) and the pytest rerun line
    repro: str = ""

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}" if self.method else self.path

    def to_dict(self) -> dict[str, Any]:
        """Lossless plain-data form, to carry probe findings from xdist workers."""
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["kind"], data["severity"] = self.kind.value, self.severity.value
        data["confidence"] = self.confidence.value
        loc = self.location
        data["location"] = None if loc is None else [loc.file, loc.line, loc.symbol, loc.end_line]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        values = dict(data)
        values["kind"] = Kind(values["kind"])
        values["severity"] = Severity(values["severity"])
        values["confidence"] = Confidence(values["confidence"])
        loc = values.get("location")
        values["location"] = None if loc is None else Location(*loc)
        return cls(**values)

    def fingerprint(self, root: str | None = None) -> str:
        """rule + route + file + symbol; never the line, so moving code keeps it."""
        file = relative_path(self.location.file, root) if self.location else ""
        symbol = self.location.symbol if self.location else ""
        raw = "\x1f".join((self.code, self.method, self.path, file, symbol))
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class CheckInfo:
    """What a report needs to know about a check (rule, probe, drift or audit code)."""

    code: str
    name: str  # kebab-case, e.g. "response-model-sensitive-field"
    kind: Kind
    owasp: str
    severity: Severity
    confidence: Confidence
    summary: str  # one line
    docs: str = ""  # markdown; for rules, the class docstring
    cwe: int | None = None
    status: str = "stable"  # stable | preview

    @property
    def help_uri(self) -> str:
        return f"https://github.com/apiposture/pytest-apiposture/blob/main/docs/codes.md#{self.code.lower()}"


@dataclass
class Posture:
    """The whole result of one analysis: what every report is made from."""

    app: str  # the target as configured ("pkg.main:app") or discovered
    framework: str
    root: str  # rootdir; report paths are relative to it
    routes: list[Route] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks: dict[str, CheckInfo] = field(default_factory=dict)  # code -> info
    notes: list[str] = field(default_factory=list)  # warnings: unparsable files, lost __wrapped__
    error: str | None = None  # set when the app could not be loaded or enumerated
