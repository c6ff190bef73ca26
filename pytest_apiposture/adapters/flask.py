"""Flask (and connexion 2 or 3 around Flask): the routes Werkzeug's url_map really holds.

Routes come from ``url_map.iter_rules()`` and ``app.view_functions``; guard candidates from
the app and blueprint-chain ``before_request`` hooks, connexion's spec security, a
MethodView's ``decorators`` and the view's own ``__wrapped__`` chain. Nothing here decides
whether a guard is auth: that is ``auth.classify_guard``'s job, from these facts.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, cast

from ..model import Guard, RequestParam, Route
from . import _connexion as connexion_support
from ._decorator_chain import (
    SourceCache,
    decorator_guard,
    function_guard,
    handler_name,
    plain_function,
    walk_chain,
)
from ._url_values import acts_on
from .base import AdapterError, Enumeration, Transport

if TYPE_CHECKING:
    import flask

# Werkzeug rule variables: <id>, <int:id>, <path:p>, <string(length=2):code>, <any(a, b):x>
_RULE_VARIABLE = re.compile(r"<(?:[A-Za-z_]\w*(?:\([^)]*\))?:)?([A-Za-z_]\w*)>")
_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")
_ANY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE")  # a Rule without methods matches all
# Layers from these modules are the framework calling the view, not guards.
_PLUMBING = ("flask.views", "connexion")
_MAX_UNWRAP = 5  # wrappers between a mount and the Flask app (a2wsgi, ProxyFix, ...)
# A Werkzeug rule whose view is not documented by a spec extension (APIFlask, flask-smorest,
# flasgger) is missing from the generated schema; that is how Flask apps hide routes.
_UNLISTED = "registered outside the spec extension that generates the schema"
_ANY_SEGMENT = ("[^/]+", "[^/].*?")  # the default and path converters' regexes


class FlaskAdapter:
    name = "flask"

    def matches(self, app: object) -> bool:
        flask_module = sys.modules.get("flask")  # not imported: app cannot be a Flask app
        if flask_module is None:
            return False
        return isinstance(app, flask_module.Flask) or connexion_support.is_connexion_flask_app(app)

    def routes(self, app: Any) -> list[Route]:
        return self.enumerate(app).routes

    def notes(self, app: Any) -> list[str]:
        """Warnings about the routes (a decorator without functools.wraps, a missing view)."""
        return self.enumerate(app).notes

    def enumerate(self, app: Any) -> Enumeration:
        flask_app = flask_app_of(app)
        if flask_app is None:
            raise AdapterError(
                f"{type(app).__qualname__} is not a Flask app; point --apiposture-app at the "
                "flask.Flask instance (or the connexion FlaskApp)"
            )
        sources = SourceCache()
        security: connexion_support.GuardsByRoute = {}
        if connexion_support.is_connexion_flask_app(app):
            security = connexion_support.security_guards(app, sources)
        result = Enumeration()
        for rule in flask_app.url_map.iter_rules():
            result.routes.extend(_rule_routes(flask_app, rule, security, sources, result.notes))
        return result

    def openapi(self, app: Any) -> dict[str, Any] | None:
        if connexion_support.is_connexion_flask_app(app):
            return connexion_support.spec(app)
        flask_app = flask_app_of(app)
        if flask_app is None:
            return None
        try:
            return generated_spec(flask_app)
        except Exception as exc:  # a schema library failing on the user's models
            raise AdapterError(
                f"the app failed to generate its OpenAPI schema ({type(exc).__name__}: "
                f"{' '.join(str(exc).split())}); "
                "fix the schema error or pass --apiposture-spec"
            ) from exc

    def running(
        self, app: Any, host: str | None = None, *, lifespan: bool = True
    ) -> contextlib.AbstractContextManager[list[str]]:
        """Flask has no lifespan: its routes exist once the app object does."""
        return contextlib.nullcontext([])

    def transport(self, app: Any) -> Transport:
        """WSGI with Flask's environ and handled exceptions; ASGI for a connexion 3 app
        (connexion 2 is a WSGI app: its inner Flask app enforces the spec itself)."""
        from ._transport import asgi_transport, flask_transport

        if connexion_support.is_connexion_flask_app(app) and not (
            connexion_support.is_connexion2_app(app)
        ):
            connexion_support.ensure_started(app)
            return asgi_transport(app)  # connexion's middleware stack around the Flask app
        flask_app = flask_app_of(app)
        if flask_app is None:
            raise AdapterError(f"{type(app).__qualname__} is not a Flask app; cannot call it")
        return flask_transport(flask_app)

    def client(self, app: Any) -> Any:
        if connexion_support.is_connexion_flask_app(app) and not (
            connexion_support.is_connexion2_app(app)
        ):
            connexion_support.ensure_started(app)
            return app.test_client()  # Starlette's TestClient over connexion's middleware
        flask_app = flask_app_of(app)
        if flask_app is None:
            raise AdapterError(f"{type(app).__qualname__} is not a Flask app; no test client")
        return flask_app.test_client()


def flask_app_of(app: object) -> flask.Flask | None:
    """The Flask app inside ``app``: itself, a connexion FlaskApp's (started), or a WSGI wrapper's.

    The FastAPI adapter calls this for WSGI apps mounted in FastAPI, then
    ``FlaskAdapter().routes(flask_app)`` and prefixes the paths with the mount path.
    """
    flask_module = sys.modules.get("flask")
    if flask_module is None:
        return None
    current: Any = app
    for _ in range(_MAX_UNWRAP):
        if isinstance(current, flask_module.Flask):
            return cast("flask.Flask", current)
        if connexion_support.is_connexion_flask_app(current):
            connexion_support.ensure_started(current)
            inner = current.app
            return cast("flask.Flask", inner) if isinstance(inner, flask_module.Flask) else None
        current = getattr(current, "app", None)  # a2wsgi / Starlette WSGIMiddleware, ProxyFix
        if current is None:
            return None
    return None


def flask_path(rule: str) -> tuple[str, tuple[str, ...]]:
    """``/items/<int:id>`` -> (``/items/{id}``, ``("id",)``)."""
    params = tuple(_RULE_VARIABLE.findall(rule))
    return _RULE_VARIABLE.sub(lambda match: "{" + match.group(1) + "}", rule), params


def _route_methods(rule: Any) -> tuple[str, ...]:
    methods = set(rule.methods) if rule.methods is not None else set(_ANY_METHOD)
    methods.discard("HEAD")  # Werkzeug adds HEAD to every GET
    if getattr(rule, "provide_automatic_options", True) is not False:
        methods.discard("OPTIONS")  # Flask answers it itself; kept when the view handles it
    order = {method: index for index, method in enumerate(_METHOD_ORDER)}
    return tuple(sorted(methods, key=lambda method: (order.get(method, len(order)), method)))


def _rule_routes(
    flask_app: flask.Flask,
    rule: Any,
    security: connexion_support.GuardsByRoute,
    sources: SourceCache,
    notes: list[str],
) -> list[Route]:
    path, params = flask_path(rule.rule)
    schemas = path_schemas(rule, params)
    view = flask_app.view_functions.get(rule.endpoint)
    if rule.endpoint == "static" and getattr(view, "__name__", "") == "<lambda>":
        view = flask_app.send_static_file  # Flask registers a lambda that calls it
    methods = _route_methods(rule)
    label = f"{','.join(methods)} {path}"
    if view is None:
        notes.append(
            f"{label}: endpoint {rule.endpoint!r} has a URL rule but no view function; "
            "register one with add_url_rule or remove the rule"
        )
    hooks = _before_request_guards(flask_app, rule.endpoint, rule.arguments, sources)
    routes: list[Route] = []
    seen_notes: set[str] = set()
    for method in methods:
        handler, view_guards, view_notes = _describe_view(view, method, sources)
        for note in view_notes:
            if note not in seen_notes:
                seen_notes.add(note)
                notes.append(f"{label}: {note}")
        spec_guards = security.get(connexion_support.route_key(method, path), ())
        routes.append(
            Route(
                method=method,
                path=path,
                framework="flask",
                handler=handler_name(handler) if handler is not None else "",
                location=sources.location(handler) if handler is not None else None,
                guards=(*spec_guards, *hooks, *view_guards),
                endpoint_name=str(rule.endpoint),
                rule=str(rule.rule),
                path_schemas=schemas,
                undeclared_body=True,  # a view reads request.json / request.form itself
                body_reads=_body_reads(handler, sources),
                unlisted_reason=_UNLISTED,
                endpoint=plain_function(handler) if handler is not None else None,
            )
        )
    return routes


def _body_reads(handler: Any, sources: SourceCache) -> tuple[str, ...]:
    """The body fields the view reads, with ``request`` by whatever name its module
    imported it (``from flask import request as req``)."""
    if handler is None:
        return ()
    request = sys.modules["flask"].request
    namespace = getattr(plain_function(handler), "__globals__", None) or {}
    names = frozenset(name for name, value in namespace.items() if value is request)
    return sources.body_reads(handler, names or frozenset({"request"}))


def path_schemas(rule: Any, params: tuple[str, ...]) -> tuple[RequestParam, ...]:
    """Each rule variable with the JSON Schema its Werkzeug converter accepts."""
    converters = getattr(rule, "_converters", None) or {}  # set when the rule is bound to a map
    return tuple(
        RequestParam(name, "path", converter_schema(converters[name]))
        for name in params
        if name in converters
    )


def converter_schema(converter: Any) -> dict[str, Any]:
    """The JSON Schema of the values a Werkzeug converter lets through to the view.

    ``int`` and ``float`` take numbers (from 1 unless the rule sets ``min``: ids start
    there); ``uuid`` and ``any(...)`` constrained strings; a custom converter the strings
    its regex matches.
    """
    kind = type(converter).__name__
    if kind == "IntegerConverter":
        low = getattr(converter, "min", None)
        return {"type": "integer", "minimum": low if low is not None else 1}
    if kind == "FloatConverter":
        return {"type": "number", "minimum": 1}
    if kind == "UUIDConverter":
        return {"type": "string", "format": "uuid"}
    if kind == "AnyConverter":
        items = getattr(converter, "items", None) or ()
        return {"type": "string", "enum": sorted(items)} if items else {"type": "string"}
    regex = getattr(converter, "regex", "[^/]+")
    if kind in ("PathConverter", "UnicodeConverter") and regex in _ANY_SEGMENT:
        return {"type": "string"}
    return {"type": "string", "pattern": regex}


def _before_request_guards(
    flask_app: flask.Flask, endpoint: str, arguments: Collection[str], sources: SourceCache
) -> tuple[Guard, ...]:
    """App hooks, then each blueprint of ``parent.child.view`` from the outside in (Flask's order).

    ``url_value_preprocessor`` functions run first (Flask's ``preprocess_request``) with the
    same scoping, on the routes with the URL value they read (``_url_values``); one that
    raises or aborts refuses the request like a ``before_request`` hook, so both are hook
    candidates and classification reads their code alike.
    """
    blueprint = endpoint.rpartition(".")[0]
    parts = blueprint.split(".") if blueprint else []
    keys: list[str | None] = [None, *(".".join(parts[: i + 1]) for i in range(len(parts)))]
    hooks = (
        ("url_value_preprocessor", flask_app.url_value_preprocessors),
        ("before_request", flask_app.before_request_funcs),
    )
    return tuple(
        function_guard(hook, origin, sources)
        for origin, table in hooks
        for key in keys
        for hook in table.get(key, ())
        # a preprocessor acts only where the route has the URL value it reads
        if origin != "url_value_preprocessor" or acts_on(hook, arguments)
    )


def _describe_view(
    view: Callable[..., Any] | None, method: str, sources: SourceCache
) -> tuple[Any, tuple[Guard, ...], tuple[str, ...]]:
    """(handler function, decorator guards outermost first, notes) for one method of a view."""
    if view is None:
        return None, (), ()
    chain = walk_chain(view, sources, _PLUMBING)
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        guards = tuple(decorator_guard(layer, "decorator", sources) for layer in chain.layers)
        return chain.innermost, guards, chain.notes
    # Class-based view: the layers above as_view's function are View.decorators.
    class_guards = tuple(
        decorator_guard(layer, "methodview-decorator", sources) for layer in chain.layers
    )
    method_func = _class_handler(view_class, method)
    # Resource.method_decorators wrap the method at dispatch, the last one outermost
    dispatch_guards = tuple(
        decorator_guard(decorator, "method-decorator", sources)
        for decorator in reversed(_method_decorators(view_class, method))
    )
    method_chain = walk_chain(method_func, sources, _PLUMBING)
    method_guards = tuple(
        decorator_guard(layer, "decorator", sources) for layer in method_chain.layers
    )
    return (
        method_chain.innermost,
        (*class_guards, *dispatch_guards, *method_guards),
        (*chain.notes, *method_chain.notes),
    )


def _method_decorators(view_class: type, method: str) -> tuple[Any, ...]:
    """The ``method_decorators`` the class's ``dispatch_request`` applies to ``method``.

    Flask-RESTful's and Flask-RESTX's ``Resource`` (and a project's own base view written
    the same way) decorate the verb's method on each request with ``method_decorators``: a
    list for every verb or a dict keyed by the lower-case verb. Read only when the
    ``dispatch_request`` the class inherits reads that attribute: Flask's own ``View``
    ignores it, so there it decorates nothing.
    """
    dispatch = plain_function(getattr(view_class, "dispatch_request", None))
    code = getattr(dispatch, "__code__", None)
    if code is None or "method_decorators" not in code.co_names:
        return ()
    declared = getattr(view_class, "method_decorators", None)
    if isinstance(declared, Mapping):
        declared = declared.get(method.lower(), ())
    if not isinstance(declared, list | tuple):
        return ()
    return tuple(decorator for decorator in declared if callable(decorator))


def _class_handler(view_class: type, method: str) -> Any:
    """MethodView dispatches to the method named like the verb; a plain View to dispatch_request."""
    handler = getattr(view_class, method.lower(), None)
    if handler is None and method == "HEAD":
        handler = getattr(view_class, "get", None)
    return handler if handler is not None else view_class.dispatch_request  # type: ignore[attr-defined]


def generated_spec(flask_app: flask.Flask) -> dict[str, Any] | None:
    """APIFlask, flask-smorest or flasgger: whichever the app uses, generated in-process."""
    apiflask_module = sys.modules.get("apiflask")
    if apiflask_module is not None and isinstance(flask_app, apiflask_module.APIFlask):
        # _get_spec("json") also when SPEC_FORMAT is yaml; .spec is the public fallback
        get_spec = getattr(flask_app, "_get_spec", None)
        with flask_app.app_context():
            generated = get_spec("json", force_update=True) if get_spec else flask_app.spec
        return dict(generated) if isinstance(generated, dict) else None
    smorest = flask_app.extensions.get("flask-smorest")
    if smorest and smorest.get("apis"):
        # one Api per config prefix; the default ("") one first
        apis = smorest["apis"]
        first = apis.get("") or next(iter(apis.values()))
        return dict(first["ext_obj"].spec.to_dict())
    swagger = getattr(flask_app, "swag", None)
    if swagger is not None and type(swagger).__module__.startswith("flasgger"):
        endpoint = swagger.config["specs"][0]["endpoint"]
        with flask_app.test_request_context():
            return dict(swagger.get_apispecs(endpoint))
    return None
