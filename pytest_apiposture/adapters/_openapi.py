"""The schema a FastAPI app publishes, including its mounted FastAPI sub-apps.

A sub-app mounted at ``/api`` publishes its own schema (at ``/api/openapi.json``); its
routes are documented there, not hidden. Its paths join the top-level schema under the
mount prefix. A sub-app whose ``openapi_url`` is None publishes nothing, so its routes
stay out. A Flask app mounted behind a WSGI adapter joins with the schema its spec
extension generates (APIFlask, flask-smorest, flasgger), if it has one. The app's cached schema object is never modified: FastAPI serves it.
"""

from __future__ import annotations

import warnings
from typing import Any

from ._starlette import is_flask_app, unwrap_mounted

_MAX_DEPTH = 16


def with_mounted_schemas(schema: dict[str, Any], app: Any) -> dict[str, Any]:
    mounted = list(_published_sub_schemas(app, "", 0))
    if not mounted:
        return schema
    merged = dict(schema)
    paths: dict[str, Any] = dict(schema.get("paths") or {})
    components: dict[str, Any] = {
        kind: dict(entries) for kind, entries in (schema.get("components") or {}).items()
    }
    for prefix, sub in mounted:
        for path, item in (sub.get("paths") or {}).items():
            paths.setdefault(prefix + path, item)
        for kind, entries in (sub.get("components") or {}).items():
            target = components.setdefault(kind, {})
            for name, value in (entries or {}).items():
                target.setdefault(name, value)
    merged["paths"] = paths
    if components:
        merged["components"] = components
    return merged


def _published_sub_schemas(app: Any, prefix: str, depth: int) -> list[tuple[str, dict[str, Any]]]:
    """(mount prefix, schema) of every mounted app that publishes one, depth first."""
    from fastapi import FastAPI
    from starlette.applications import Starlette
    from starlette.routing import Mount

    found: list[tuple[str, dict[str, Any]]] = []
    if depth >= _MAX_DEPTH:
        return found
    for route in getattr(getattr(app, "router", None), "routes", ()):
        if not isinstance(route, Mount):
            continue
        inner = unwrap_mounted(route.app)
        path = prefix + route.path
        if isinstance(inner, FastAPI) and inner.openapi_url:
            try:
                with warnings.catch_warnings():  # duplicate operation ids of versioned copies
                    warnings.simplefilter("ignore")
                    sub = inner.openapi()
            except Exception:  # its routes then count as undocumented (APS901 says where)
                sub = None
            if isinstance(sub, dict):
                found.append((path, sub))
        elif is_flask_app(inner):
            from .flask import generated_spec

            try:
                flask_sub = generated_spec(inner)
            except Exception:  # undocumented then; the adapter's own openapi() says why
                flask_sub = None
            if flask_sub is not None:
                found.append((path, flask_sub))
        if isinstance(inner, Starlette):
            found.extend(_published_sub_schemas(inner, path, depth + 1))
    return found
