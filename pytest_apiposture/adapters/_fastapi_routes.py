"""FastAPI and Starlette route enumeration: walk the app (routers, mounts, hosts) into Routes.

FastAPI >= 0.137 keeps included routers as a tree (``_IncludedRouter``) and exposes
``fastapi.routing.iter_route_contexts`` for the effective path and dependant; older
versions copy every included route into ``app.routes``. Both shapes end up as the
same ``Route`` list. Each guard candidate gets its origin (app, router or route
dependency); the framework-neutral facts of a route come from ``_fastapi_facts``.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from ..model import Guard, Route
from ._fastapi_facts import api_route_facts, starlette_route_facts, static_files_app
from ._middleware import middleware_guards
from ._shared import GuardTable
from ._starlette import (
    SourceLocator,
    callable_target,
    credential_param,
    extra_allowed,
    is_flask_app,
    model_class,
    model_fields,
    nearest_dependant,
    openapi_path,
    param_annotation,
    qualified_name,
    query_param_names,
    route_methods,
    security_scopes,
    unwrap_mounted,
)

_HTTP_ENDPOINT_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@dataclasses.dataclass(frozen=True)
class _Level:
    """Where a walk is: the router it walks and what surrounds it."""

    router: Any
    app_dependencies: tuple[Any, ...]  # FastAPI(dependencies=...) of the owning app
    prefix: str  # full path prefix of routes found here
    mount_prefix: str  # the innermost Mount's full prefix ("" outside mounts)
    # tree shape: id(route) -> the router that declared it; None on old (flat) FastAPI
    declarers: dict[int, Any] | None
    wrapping: tuple[Guard, ...] = ()  # middleware of this app and of the apps it is mounted in


class RouteCollector:
    def __init__(self) -> None:
        self.locator = SourceLocator()
        self.guards = GuardTable()  # one object per distinct dependency guard
        self.routes: list[Route] = []
        self.notes: list[str] = []
        self.fastapi = _fastapi_types()

    def collect(self, app: Any) -> list[Route]:
        self._walk_app(app, prefix="", mount_prefix="", wrapping=())
        return self._first_of_each()

    def _first_of_each(self) -> list[Route]:
        """One route per method and path: the first, the one a router tries first."""
        seen: dict[str, Route] = {}
        for route in self.routes:
            seen.setdefault(route.key, route)
        repeats = len(self.routes) - len(seen)
        if repeats:
            self.notes.append(
                f"{repeats} route registration(s) repeat the method and path of an earlier one "
                "(versioned copies, a router included twice); the first of each is analysed"
            )
        return list(seen.values())

    def _walk_app(
        self, app: Any, prefix: str, mount_prefix: str, wrapping: tuple[Guard, ...]
    ) -> None:
        router = app.router
        app_deps = tuple(getattr(router, "dependencies", ()) or ())
        wrapping = wrapping + middleware_guards(app, self.locator)
        self._walk_router(router, app_deps, prefix, mount_prefix, wrapping)

    def _walk_router(
        self,
        router: Any,
        app_deps: tuple[Any, ...],
        prefix: str,
        mount_prefix: str,
        wrapping: tuple[Guard, ...] = (),
    ) -> None:
        from starlette import routing

        fa = self.fastapi
        declarers = _tree_declarers(router) if fa and fa.tree_shaped else None
        level = _Level(router, app_deps, prefix, mount_prefix, declarers, wrapping)
        for effective, original in route_objects(router.routes):
            if fa and isinstance(original, (fa.APIRoute, fa.APIWebSocketRoute)):
                self._api_route(effective, original, level)
            elif isinstance(original, routing.Route):
                self._starlette_route(effective, original, level)
            elif isinstance(original, routing.WebSocketRoute):
                self._add(
                    level,
                    "WEBSOCKET",
                    effective,
                    original.endpoint,
                    framework="starlette",
                    kind="websocket",
                    **starlette_route_facts(effective),
                )
            elif isinstance(original, routing.Mount):
                self._mount(prefix + (effective.path or ""), effective.app, original, level)
            elif isinstance(original, routing.Host):
                self._mount(prefix, effective.app, original, level, opaque_ok=False)

    def _add(self, level: _Level, method: str, effective: Any, endpoint: Any, **facts: Any) -> None:
        rule = level.prefix + (effective.path or "")
        facts["guards"] = level.wrapping + tuple(facts.get("guards", ()))
        self.routes.append(
            Route(
                method=method,
                path=openapi_path(rule),
                handler=qualified_name(endpoint, ":"),
                location=self.locator.locate(endpoint),
                mount_prefix=level.mount_prefix,
                rule=rule,
                endpoint=endpoint,
                in_schema=facts.pop("in_schema", False),
                **facts,
            )
        )

    def _api_route(self, effective: Any, original: Any, level: _Level) -> None:
        dependant = effective.dependant
        origins = _dependency_origins(effective, original, level)
        guards = tuple(
            self._guard(sub, origins[i] if i < len(origins) else "parameter")
            for i, sub in enumerate(dependant.dependencies)
        )
        common: dict[str, Any] = {
            "framework": "fastapi",
            "guards": guards,
            "query_params": query_param_names(dependant),
            **api_route_facts(effective),
        }
        from starlette.routing import WebSocketRoute  # APIWebSocketRoute's base

        if isinstance(original, WebSocketRoute):
            self._add(level, "WEBSOCKET", effective, effective.endpoint, kind="websocket", **common)
            return
        body_field = getattr(effective, "body_field", None)
        body = model_class(param_annotation(body_field)) if body_field is not None else None
        response = model_class(getattr(effective, "response_model", None))
        for method in route_methods(effective.methods):
            self._add(
                level,
                method,
                effective,
                effective.endpoint,
                **common,
                body_model=body.__name__ if body else None,
                body_fields=model_fields(body) if body else (),
                body_extra_allowed=extra_allowed(body) if body else False,
                response_model=response.__name__ if response else None,
                response_fields=model_fields(response, "response") if response else (),
                in_schema=bool(effective.include_in_schema),
                deprecated=bool(getattr(effective, "deprecated", False)),
            )

    def _starlette_route(self, effective: Any, original: Any, level: _Level) -> None:
        from starlette.endpoints import HTTPEndpoint

        endpoint = original.endpoint
        if inspect.isclass(endpoint) and issubclass(endpoint, HTTPEndpoint):
            # One class serves several methods; each method's function is the handler.
            for method in route_methods(
                m for m in _HTTP_ENDPOINT_METHODS if hasattr(endpoint, m.lower())
            ):
                self._add(
                    level,
                    method,
                    effective,
                    getattr(endpoint, method.lower()),
                    framework="starlette",
                    **starlette_route_facts(effective),
                )
            return
        # A Route around a bare ASGI app has no methods: it answers all; GET stands for them.
        for method in route_methods(original.methods or ("GET",)):
            self._add(
                level,
                method,
                effective,
                endpoint,
                framework="starlette",
                **starlette_route_facts(effective),
            )

    def _mount(
        self, prefix: str, mounted: Any, original: Any, level: _Level, opaque_ok: bool = True
    ) -> None:
        from starlette.applications import Starlette
        from starlette.routing import Router

        inner = unwrap_mounted(mounted)
        if isinstance(inner, Starlette):
            self._walk_app(inner, prefix, prefix, level.wrapping)
        elif isinstance(inner, Router):
            self._walk_router(inner, (), prefix, prefix, level.wrapping)
        elif is_flask_app(inner):
            self._flask_routes(inner, prefix, level.wrapping)
        elif opaque_ok:
            self.routes.append(
                Route(
                    method="GET",
                    path=openapi_path(prefix + "/{path}"),
                    framework="starlette",
                    handler=qualified_name(mounted, ":"),
                    kind="mount",
                    in_schema=False,
                    mount_prefix=prefix,
                    guards=level.wrapping,
                    endpoint_name=str(getattr(original, "name", None) or ""),
                    rule=prefix + "/{path:path}",  # what Starlette's Mount matches
                    serves="files" if static_files_app(inner) else "",
                )
            )

    def _flask_routes(self, flask_app: Any, prefix: str, wrapping: tuple[Guard, ...]) -> None:
        try:
            from .flask import FlaskAdapter
        except ImportError:  # the Flask adapter (or Flask) is missing: nothing to enumerate
            return
        mounted = FlaskAdapter().enumerate(flask_app)
        self.notes.extend(mounted.notes)
        for route in mounted.routes:
            self.routes.append(
                dataclasses.replace(
                    route,
                    path=prefix + route.path,
                    mount_prefix=prefix + route.mount_prefix,
                    guards=wrapping + route.guards,
                    foreign_mount=True,  # FastAPI's schema generator cannot see a WSGI app
                )
            )

    def _guard(self, dependant: Any, origin: str) -> Guard:
        call = dependant.call
        security = _security_instance(call, self.fastapi)
        scheme: str | None = None
        auto_error: bool | None = None
        chain_nodes = [dependant]
        scheme_path = nearest_dependant(
            dependant, lambda d: _security_instance(d.call, self.fastapi)
        )
        if scheme_path is not None:
            chain_nodes, found = scheme_path
            scheme, auto_error = type(found).__name__, getattr(found, "auto_error", None)
        else:
            credential_path = nearest_dependant(dependant, credential_param)
            if credential_path is not None:
                chain_nodes, (scheme, auto_error) = credential_path
        guard = Guard(
            name=type(security).__name__ if security is not None else qualified_name(call),
            origin=origin,
            scheme=scheme,
            auto_error=auto_error,
            scopes=security_scopes(dependant),
            location=self.locator.locate(call),
            func=call,
            chain=tuple(node.call for node in chain_nodes if node.call is not None),
        )
        return self.guards.share(guard)


@dataclasses.dataclass(frozen=True)
class _FastAPITypes:
    APIRoute: type
    APIWebSocketRoute: type
    SecurityBase: type
    tree_shaped: bool  # FastAPI >= 0.137: included routers stay a tree


def _fastapi_types() -> _FastAPITypes | None:
    try:
        from fastapi import routing
        from fastapi.security.base import SecurityBase
    except ImportError:  # plain Starlette without FastAPI installed
        return None
    tree_shaped = hasattr(routing, "iter_route_contexts")
    return _FastAPITypes(routing.APIRoute, routing.APIWebSocketRoute, SecurityBase, tree_shaped)


def route_objects(routes: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
    """(effective route, original route) pairs; the two are one object on old FastAPI."""
    try:
        from fastapi import routing
    except ImportError:
        routing = None  # type: ignore[assignment]
    iter_route_contexts = getattr(routing, "iter_route_contexts", None)
    if iter_route_contexts is None:
        for route in routes:
            yield route, route
        return
    for context in iter_route_contexts(routes):
        yield context, context.original_route


def _tree_declarers(router: Any) -> dict[int, Any]:
    """Tree shape only: which router declared each route (included routers nest)."""
    found: dict[int, Any] = {}
    stack, seen = [router], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for route in getattr(current, "routes", ()):
            inner = getattr(route, "original_router", None)
            if inner is not None:
                stack.append(inner)
            else:
                found.setdefault(id(route), current)
    return found


def _flat_declaration(route: Any, level: _Level) -> tuple[Any, Any]:
    """Old FastAPI copies included routes; find the original in the endpoint's module.

    The original is the copy with the fewest dependencies (each include adds some).
    A router that is not a module global (built in a factory) cannot be found; the
    route then counts as declared on the walked router.
    """
    from fastapi.routing import APIRouter

    module = sys.modules.get(getattr(callable_target(route.endpoint), "__module__", "") or "")
    best: tuple[Any, Any] = (level.router, route)
    for value in list(vars(module).values()) if module else ():
        if not isinstance(value, APIRouter) or value is level.router:
            continue
        candidate: Any
        for candidate in value.routes:
            if (
                getattr(candidate, "endpoint", None) is route.endpoint
                and hasattr(candidate, "dependant")
                and route.path.endswith(candidate.path)
                and getattr(candidate, "methods", None) == getattr(route, "methods", None)
                and len(candidate.dependencies) < len(best[1].dependencies)
            ):
                best = (value, candidate)
    return best


def _dependency_origins(effective: Any, original: Any, level: _Level) -> list[str]:
    """Origin of each entry of the route's dependency list, in dependant order.

    The effective list is app deps + include_router/APIRouter deps + the route's own.
    """
    effective_deps = list(effective.dependencies)
    if level.declarers is None:
        declarer, declared = _flat_declaration(original, level)
    else:
        declarer, declared = level.declarers.get(id(original), level.router), original
    declared_deps = list(declared.dependencies)
    router_deps = list(getattr(declarer, "dependencies", ()) or ())
    own = len(declared_deps)
    if _is_prefix(router_deps, declared_deps):
        own -= len(router_deps)
    app_count = len(level.app_dependencies)
    if not _is_prefix(list(level.app_dependencies), effective_deps):
        app_count = 0
    own = max(0, min(own, len(effective_deps) - app_count))
    middle = len(effective_deps) - app_count - own
    return (
        ["app-dependency"] * app_count + ["router-dependency"] * middle + ["route-dependency"] * own
    )


def _is_prefix(head: list[Any], items: list[Any]) -> bool:
    return len(head) <= len(items) and all(a is b for a, b in zip(head, items, strict=False))


def _security_instance(call: Any, fa: _FastAPITypes | None) -> Any:
    while isinstance(call, functools.partial):
        call = call.func
    return call if fa is not None and isinstance(call, fa.SecurityBase) else None
