"""Refuse, and record, every network connection the test process tries to open.

Loaded with ``pytest -p apiposture_no_network`` in the real-app runs: the plugin's
in-process clients need no socket, so any attempt here is the app's or the plugin's
doing and shows up in ``$APIPOSTURE_NETLOG`` (one ``family host port`` line each).
Unix sockets and socket pairs (event loops' self-pipes) are local and allowed.
"""

from __future__ import annotations

import os
import socket
from typing import Any

_LOG = os.environ.get("APIPOSTURE_NETLOG")
_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


def _record(sock: socket.socket, address: Any) -> None:
    line = f"{sock.family.name} {address!r}\n"
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(line)


def _is_local(sock: socket.socket) -> bool:
    return sock.family == getattr(socket, "AF_UNIX", None)


def _connect(self: socket.socket, address: Any) -> None:
    if _is_local(self):
        _original_connect(self, address)
        return
    _record(self, address)
    raise ConnectionRefusedError(f"network disabled in this benchmark run: {address!r}")


def _connect_ex(self: socket.socket, address: Any) -> int:
    if _is_local(self):
        return _original_connect_ex(self, address)
    _record(self, address)
    return 111  # ECONNREFUSED


socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign,assignment]
