"""During probes the app may not open connections off this machine.

Every socket used here is AF_UNIX: if the guard ever failed, ``connect`` with an IP
tuple would raise locally (wrong address family) instead of sending a packet.
"""

from __future__ import annotations

import socket

import pytest

from pytest_apiposture.probes.netguard import OutboundBlocked, loopback_only


@pytest.mark.parametrize(
    "address", [("192.0.2.1", 80), ("apiposture.invalid", 443), ("::ffff:10.0.0.1", 80)]
)
def test_non_loopback_connect_is_refused_and_recorded(address: tuple[str, int]) -> None:
    attempts: list[str] = []
    with socket.socket(socket.AF_UNIX) as sock, loopback_only(attempts):
        with pytest.raises(OutboundBlocked):
            sock.connect(address)
        with pytest.raises(OutboundBlocked):
            sock.connect_ex(address)
    assert attempts == [str(address), str(address)]


def test_name_lookups_are_refused_but_loopback_names_are_not() -> None:
    attempts: list[str] = []
    with loopback_only(attempts):
        with pytest.raises(OutboundBlocked):
            socket.getaddrinfo("apiposture.invalid", 80)
        assert socket.getaddrinfo("127.0.0.1", 80)
        assert socket.getaddrinfo("localhost", 80)
    assert attempts == ["('apiposture.invalid', 80)"]


def test_originals_are_restored_even_when_the_block_raises() -> None:
    originals = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)
    with pytest.raises(RuntimeError), loopback_only([]):
        raise RuntimeError("probe crashed")
    assert (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo) == originals
