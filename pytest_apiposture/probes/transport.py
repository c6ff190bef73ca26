"""Pick the probe client by the protocol the adapter names: ASGI or WSGI, nothing else.

The base client (``client.py``) knows neither subclass; this is the one place that
maps a protocol to its client.
"""

from __future__ import annotations

from typing import Any

from ..adapters import Transport
from .client import ProbeClient, ProbeError


def make_client(
    transport: Transport, timeout: float, host: str | None = None, served: Any = None
) -> ProbeClient:
    """The probe client for the adapter's ``transport(app)``; ``served``: the app already
    running (``adapters.lifespan.Served``), reused by an ASGI client."""
    if transport.protocol == "asgi":
        from .asgi import ASGIProbeClient

        return ASGIProbeClient(transport.app, timeout, host, served)
    if transport.protocol == "wsgi":
        from .wsgi import WSGIProbeClient

        return WSGIProbeClient(transport, timeout, host)
    raise ProbeError(
        f"cannot probe an app spoken to over {transport.protocol!r}: the adapter must "
        "describe an ASGI or a WSGI app"
    )
