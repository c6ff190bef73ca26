"""While probes run, the app under test may not open connections off this machine.

A probe sends in-process requests only, but the *app* may react by calling out (an
SSRF-prone handler fetching a URL from the body, a webhook, a token introspection).
``loopback_only()`` refuses every socket connection whose address is not loopback
or a Unix socket, for the duration of the probe session, and records the attempts.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any


class OutboundBlocked(ConnectionRefusedError):
    """Raised inside the app when it tries to reach another host during a probe."""


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if host in ("localhost", "testserver"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a name: resolving it would already be traffic


@contextlib.contextmanager
def loopback_only(attempts: list[str]) -> Iterator[None]:
    """Patch socket connects and name lookups for the block; ``attempts`` gets what
    was refused. Restores the originals on exit, even when the block raises."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def refuse(address: Any) -> None:
        attempts.append(str(address))
        raise OutboundBlocked(
            f"apiposture blocked an outbound connection to {address!r} during a probe"
        )

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_local(address):
            refuse(address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_local(address):
            refuse(address)
        return original_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_local((host,)):
            refuse((host, args[0] if args else None))
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = original_getaddrinfo
