"""connexion 2 and 3 (spec-first) around Flask: start it, read its spec, turn its security
into guards.

connexion 3 (``connexion.apps.flask.FlaskApp``, ASGI) registers the spec's operations on
the inner Flask app only when its middleware stack is built, which happens on the first
request. We build it in-process the same way ``ConnexionMiddleware.__call__`` does,
without sending anything. connexion 2 (``connexion.apps.flask_app.FlaskApp``, WSGI, the
Flask 2.2 era) registers them in ``add_api`` as a blueprint of the inner Flask app and
enforces security in each operation's view decorator; it keeps no list of its APIs, so
they are read from the operation views (each view's request/response wrapper holds its
API object).
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
_MAX_WRAPPERS = 3  # connexion 2's request/response wrapper is the view itself

GuardsByRoute = dict[tuple[str, str], tuple[Guard, ...]]


def is_connexion_flask_app(app: object) -> bool:
    """A connexion 3 or connexion 2 FlaskApp."""
    return _is_instance(app, "connexion.apps.flask") or is_connexion2_app(app)


def is_connexion2_app(app: object) -> bool:
    """connexion 2's FlaskApp: a WSGI app whose routes exist once ``add_api`` returned."""
    return _is_instance(app, "connexion.apps.flask_app")


def _is_instance(app: object, module_name: str) -> bool:
    module = sys.modules.get(module_name)  # not imported: app cannot be one
    flask_app_class = getattr(module, "FlaskApp", None)
    return flask_app_class is not None and isinstance(app, flask_app_class)


def ensure_started(app: Any) -> None:
    """Register the spec's operations on the inner Flask app (idempotent; connexion 2
    registered them in ``add_api``)."""
    if is_connexion2_app(app):
        return
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
    if is_connexion2_app(app):
        return _connexion2_apis(app.app)
    return list(getattr(app.middleware, "apis", []))


def _connexion2_apis(flask_app: Any) -> list[Any]:
    """The API objects behind a connexion 2 app's operation views, in registration order.

    connexion 2 wraps each operation function in a ``RequestResponseDecorator`` that
    holds its API; the wrapper's closure holds the decorator.
    """
    abstract = getattr(sys.modules.get("connexion.apis.abstract"), "AbstractAPI", None)
    if abstract is None:
        return []
    found: dict[int, Any] = {}
    for view in flask_app.view_functions.values():
        layer, depth = view, 0
        while layer is not None and depth < _MAX_WRAPPERS:
            for cell in getattr(layer, "__closure__", None) or ():
                try:
                    held = cell.cell_contents
                except ValueError:  # an empty cell
                    continue
                api = held if isinstance(held, abstract) else getattr(held, "api", None)
                if isinstance(api, abstract):
                    found.setdefault(id(api), api)
            layer, depth = getattr(layer, "__wrapped__", None), depth + 1
    return list(found.values())


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
        # connexion 3 names them security_schemes, connexion 2 security_definitions
        schemes = dict(
            getattr(specification, "security_schemes", None)
            or getattr(specification, "security_definitions", None)
            or {}
        )
        top = specification.security
        base = _base_path(api)
        for path, item in (specification.get("paths") or {}).items():
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
