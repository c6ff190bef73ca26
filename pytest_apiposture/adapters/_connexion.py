"""connexion 3 (spec-first) around Flask: start it, read its spec, turn its security into guards.

connexion 3 registers the spec's operations on the inner Flask app only when its ASGI
middleware stack is built, which happens on the first request. We build it in-process the
same way ``ConnexionMiddleware.__call__`` does, without sending anything.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

from ..model import Guard
from ..paths import skeleton
from ._decorator_chain import SourceCache
from .base import AdapterError

_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# spec key naming the Python function that checks a credential, per connexion's security.py
_INFO_FUNC_KEYS = ("x-bearerInfoFunc", "x-basicInfoFunc", "x-apikeyInfoFunc", "x-tokenInfoFunc")

GuardsByRoute = dict[tuple[str, str], tuple[Guard, ...]]


def is_connexion_flask_app(app: object) -> bool:
    module = sys.modules.get("connexion.apps.flask")  # not imported: app cannot be one
    flask_app_class = getattr(module, "FlaskApp", None)
    return flask_app_class is not None and isinstance(app, flask_app_class)


def ensure_started(app: Any) -> None:
    """Register the spec's operations on the inner Flask app (idempotent)."""
    middleware = app.middleware
    if getattr(middleware, "middleware_stack", None) is not None:
        return
    build = getattr(middleware, "_build_middleware_stack", None)
    if build is None:
        raise AdapterError(
            "this connexion version builds its routes in an unknown way; "
            "pin connexion 3.x or point --apiposture-app at the inner Flask app (app.app)"
        )
    try:
        middleware.app, middleware.middleware_stack = build()
    except Exception as exc:  # a spec the resolver cannot load is the user's to fix
        raise AdapterError(
            f"connexion could not load its API ({type(exc).__name__}: {' '.join(str(exc).split())}); "
            "fix the spec or the operationId it names"
        ) from exc


def _apis(app: Any) -> list[Any]:
    return list(getattr(app.middleware, "apis", []))


def _base_path(api: Any) -> str:
    base = api.base_path if api.base_path is not None else api.specification.base_path
    return str(base or "").rstrip("/")


def spec(app: Any) -> dict[str, Any] | None:
    """The first API's specification as written (servers/basePath say where it is mounted)."""
    apis = _apis(app)
    return copy.deepcopy(dict(apis[0].specification.raw)) if apis else None


def route_key(method: str, path: str) -> tuple[str, str]:
    """Parameter names differ (pythonic_params, ``my-param``); positions do not."""
    return method.upper(), skeleton(path)


def security_guards(app: Any, sources: SourceCache) -> GuardsByRoute:
    """(METHOD, path with ``{}`` params) -> the guards connexion's SecurityMiddleware enforces."""
    out: GuardsByRoute = {}
    for api in _apis(app):
        specification = api.specification
        schemes = dict(specification.security_schemes or {})
        top = specification.security
        base = _base_path(api)
        for path, item in (specification.spec.get("paths") or {}).items():
            for method, operation in (item or {}).items():
                if method not in _HTTP_METHODS or not isinstance(operation, dict):
                    continue
                requirements = operation.get("security", top)
                out[route_key(method, base + path)] = _guards(requirements, schemes, sources)
    return out


def _guards(
    requirements: list[dict[str, list[str]]] | None,
    schemes: dict[str, Any],
    sources: SourceCache,
) -> tuple[Guard, ...]:
    if not requirements:
        return ()
    # An empty requirement ({}) among the alternatives lets anonymous callers through.
    optional = any(not requirement for requirement in requirements)
    guards: dict[str, Guard] = {}
    for requirement in requirements:
        for scheme_name, scopes in requirement.items():
            if scheme_name in guards:
                continue
            definition = schemes.get(scheme_name) or {}
            func, func_name = _info_func(definition)
            guards[scheme_name] = Guard(
                name=func_name or f"securitySchemes.{scheme_name}",
                origin="middleware",
                scheme=_scheme_class(definition),
                auto_error=not optional,
                scopes=tuple(scopes or ()),
                location=sources.location(func) if func else None,
                func=func,
                chain=(func,) if func else (),
            )
    return tuple(guards.values())


def _info_func(definition: dict[str, Any]) -> tuple[Any, str | None]:
    for key in _INFO_FUNC_KEYS:
        name = definition.get(key)
        if isinstance(name, str) and name:
            try:
                from connexion.utils import get_function_from_name

                return get_function_from_name(name), name
            except Exception:  # connexion reports this itself when it starts
                return None, name
    return None, None


def _scheme_class(definition: dict[str, Any]) -> str:
    """The FastAPI security class name for the same scheme, so one vocabulary reaches the rules."""
    kind = str(definition.get("type", "")).lower()
    if kind == "http":
        scheme = str(definition.get("scheme", "")).lower()
        return {"bearer": "HTTPBearer", "basic": "HTTPBasic", "digest": "HTTPDigest"}.get(
            scheme, f"http:{scheme}"
        )
    if kind == "basic":  # Swagger 2
        return "HTTPBasic"
    if kind == "apikey":
        where = str(definition.get("in", "header")).capitalize()
        return f"APIKey{where}"
    return {"oauth2": "OAuth2", "openidconnect": "OpenIdConnect"}.get(kind, f"openapi:{kind}")
