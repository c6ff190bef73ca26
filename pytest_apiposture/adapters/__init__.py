"""Framework adapters behind one Protocol; each imports its framework lazily.

An adapter answers four questions about a loaded app object: is it mine
(``matches``), which routes does it really register (``routes``), which OpenAPI
schema does it generate (``openapi``), and how is it called in-process (``transport``:
the ASGI or WSGI callable and its protocol; the probes speak the protocol themselves).
The contract lives in ``base``; this module re-exports it and chooses an adapter.
"""

from __future__ import annotations

from .base import AdapterError, Enumeration, ErrorReport, FrameworkAdapter, Transport

__all__ = [
    "AdapterError",
    "Enumeration",
    "ErrorReport",
    "FrameworkAdapter",
    "Transport",
    "adapters",
    "select_adapter",
]


def adapters() -> tuple[FrameworkAdapter, ...]:
    # Imported here so that importing the plugin never imports a web framework.
    from .fastapi import FastAPIAdapter
    from .flask import FlaskAdapter

    return (FastAPIAdapter(), FlaskAdapter())


def select_adapter(app: object) -> FrameworkAdapter:
    for adapter in adapters():
        if adapter.matches(app):
            return adapter
    raise AdapterError(
        f"{type(app).__module__}.{type(app).__qualname__} is not a FastAPI, Starlette or Flask "
        "application (nor a connexion wrapper of one); point --apiposture-app at the app object "
        "or at a factory that returns it"
    )
