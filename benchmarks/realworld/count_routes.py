"""Count the routes an app serves, independently of pytest-apiposture's adapters.

    python count_routes.py TARGET --out FILE [--host HOST] [--import-only]

Runs in the app's virtual environment and imports nothing from pytest_apiposture. The
app is brought to the state a server would serve: an ASGI app's lifespan is started and
every mounted sub-application receives one first request (some build their routes on
it). The routes are then read with the frameworks' public APIs only: Werkzeug's
``url_map.iter_rules()``, Starlette's ``app.routes`` (``Mount`` followed into its app),
and ``fastapi.routing.iter_route_contexts`` where it exists (FastAPI >= 0.137 keeps
included routers as a tree). One route = one (method, path); HEAD next to GET and
OPTIONS are the framework's, not the app's; a mount of a non-router ASGI app (static
files) counts once as ``GET <prefix>/{path}``.

Writes one JSON object to FILE (apps log to stdout):
{"routes": [[method, path], ...], "import_seconds": float}.
A target naming a plain function is a factory and is called without arguments.
``--import-only`` stops after importing and building the app (the import baseline).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import inspect
import json
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

_STARLETTE_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
_WERKZEUG_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def load(target: str) -> Any:
    """``pkg.mod:attr`` or ``pkg.mod:factory(literal args)``."""
    module_name, _, rest = target.partition(":")
    call = None
    if "(" in rest:
        rest, call = rest.split("(", 1)
        call = "f(" + call
    obj: Any = importlib.import_module(module_name)
    for part in rest.split("."):
        obj = getattr(obj, part)
    if call is not None:
        node = ast.parse(call, mode="eval").body
        assert isinstance(node, ast.Call)
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
        obj = obj(*args, **kwargs)
    elif inspect.isfunction(obj):  # "pkg.mod:create_app" names a factory, as in Flask
        obj = obj()
    return obj


def is_flask(app: Any) -> bool:
    return hasattr(app, "url_map") and hasattr(app, "view_functions")


def flask_routes(app: Any, prefix: str) -> Iterator[tuple[str, str]]:
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods or ("GET", "POST", "PUT", "PATCH", "DELETE"))
        methods.discard("HEAD")
        if getattr(rule, "provide_automatic_options", True) is not False:
            methods.discard("OPTIONS")
        path = _WERKZEUG_PARAM.sub(lambda m: "{" + m.group(1) + "}", rule.rule)
        for method in methods:
            yield method, prefix + path


def inner_app(app: Any) -> Any:
    """Through middleware wrappers (``.app``) to a Starlette app, a Router or a Flask app."""
    from starlette.applications import Starlette
    from starlette.routing import Router

    for _ in range(16):
        if isinstance(app, (Starlette, Router)) or is_flask(app):
            return app
        nxt = getattr(app, "app", None)
        if nxt is None or not callable(nxt):
            return app
        app = nxt
    return app


def route_entries(routes: list[Any]) -> Iterator[Any]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        yield from routes
        return
    yield from iter_route_contexts(routes)


def asgi_routes(router_or_app: Any, prefix: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    from starlette.routing import Host, Mount, Route, WebSocketRoute

    routes = list(getattr(router_or_app, "routes", ()))
    for entry in route_entries(routes):
        original = getattr(entry, "original_route", entry)
        path = prefix + (entry.path or "")
        if isinstance(original, WebSocketRoute):
            yield "WEBSOCKET", path
        elif isinstance(original, Route):
            methods = set(getattr(entry, "methods", None) or ())
            endpoint = original.endpoint
            if not methods and isinstance(endpoint, type):  # HTTPEndpoint: one method per verb
                methods = {
                    m
                    for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
                    if hasattr(endpoint, m.lower())
                }
            methods = methods or {"GET"}
            if "GET" in methods:
                methods.discard("HEAD")
            methods.discard("OPTIONS")
            for method in methods:
                yield method, path
        elif isinstance(original, (Mount, Host)) and depth < 16:
            mounted = inner_app(entry.app)
            base = path if isinstance(original, Mount) else prefix
            if is_flask(mounted):
                yield from flask_routes(mounted, base)
            elif hasattr(mounted, "routes"):
                yield from asgi_routes(mounted, base, depth + 1)
            else:
                yield "GET", base + "/{path}"


def mount_paths(app: Any, prefix: str = "", depth: int = 0) -> Iterator[str]:
    from starlette.routing import Mount

    for route in getattr(inner_app(app), "routes", ()):
        if isinstance(route, Mount) and depth < 16:
            yield prefix + route.path
            yield from mount_paths(route.app, prefix + route.path, depth + 1)


def normalise(path: str) -> str:
    return _STARLETTE_PARAM.sub(lambda m: "{" + m.group(1) + "}", path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target")
    parser.add_argument("--out", required=True)
    parser.add_argument("--host", default=None)
    parser.add_argument("--import-only", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    app = load(args.target)
    import_seconds = time.perf_counter() - started
    if args.import_only:
        write(args.out, {"import_seconds": import_seconds})
        return 0
    found: set[tuple[str, str]] = set()
    if is_flask(app):
        found.update(flask_routes(app, ""))
    else:
        from starlette.testclient import TestClient

        headers = {"host": args.host} if args.host else None
        with contextlib.ExitStack() as stack:
            client = TestClient(app, raise_server_exceptions=False, headers=headers)
            stack.enter_context(client)  # the lifespan, as a server starts it
            for path in list(mount_paths(app)):
                client.get(path.rstrip("/") + "/")  # a first request to every sub-app
            found.update((m, normalise(p)) for m, p in asgi_routes(app, ""))
    write(args.out, {"routes": sorted(found), "import_seconds": import_seconds})
    return 0


def write(path: str, data: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)


if __name__ == "__main__":
    sys.exit(main())
