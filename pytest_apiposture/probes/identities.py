"""Who the probes act as: named identities with headers or FastAPI dependency overrides.

Sources, all ending as ``Identity``: ``--apiposture-identity NAME="Header: value"``
(repeatable; the same name twice adds a header), the ini key, and the overridable fixture
``apiposture_identities`` which may return

* ``{"alice": {"Authorization": "Bearer t1"}}``                    headers
* ``{"alice": {get_current_user: lambda: alice}}``                  dependency overrides
* ``{"alice": {"headers": {...}, "dependency_overrides": {...}}}``  both
* a callable taking the in-process client and returning one of the above (it logs in
  through the app), or such a callable per identity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_HEADER = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_EXAMPLE = 'expected NAME="Header: value", e.g. alice="Authorization: Bearer t1"'


@dataclass(frozen=True)
class Identity:
    name: str
    headers: Mapping[str, str] = field(default_factory=dict)
    # FastAPI: dependency -> override, applied to app.dependency_overrides per request
    overrides: Mapping[Callable[..., Any], Callable[..., Any]] = field(default_factory=dict)


def parse_identity(text: str) -> tuple[str, dict[str, str]]:
    """``'alice=Authorization: Bearer t1'`` -> ``("alice", {"Authorization": "Bearer t1"})``."""
    name, sep, header = text.partition("=")
    name, header = name.strip(), header.strip()
    if len(header) >= 2 and header[0] == header[-1] and header[0] in "'\"":
        header = header[1:-1].strip()
    if not sep or not _NAME.fullmatch(name):
        raise ValueError(f"bad identity {text!r}: {_EXAMPLE}")
    key, colon, value = header.partition(":")
    key, value = key.strip(), value.strip()
    if not colon or not _HEADER.fullmatch(key) or not value:
        raise ValueError(
            f"bad identity {text!r}: the header part must be 'Header: value'; {_EXAMPLE}"
        )
    return name, {key: value}


def merge_identities(texts: Iterable[str]) -> dict[str, dict[str, str]]:
    """Parse several identity strings; the same name again adds another header."""
    merged: dict[str, dict[str, str]] = {}
    for text in texts:
        name, headers = parse_identity(text)
        merged.setdefault(name, {}).update(headers)
    return merged


def _as_identity(name: str, value: Any, client: Any) -> Identity:
    if isinstance(value, Identity):
        return value
    if callable(value) and not isinstance(value, Mapping):
        value = value(client)
    if isinstance(value, str):
        return Identity(name, parse_identity(f"{name}={value}")[1])
    if not isinstance(value, Mapping):
        raise ValueError(
            f"identity {name!r}: expected a mapping of headers or dependency overrides, "
            f"got {type(value).__name__}"
        )
    headers: dict[str, str] = {}
    overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
    for key, item in value.items():
        if key == "headers" and isinstance(item, Mapping):
            headers.update({str(k): str(v) for k, v in item.items()})
        elif key == "dependency_overrides" and isinstance(item, Mapping):
            overrides.update(item)
        elif isinstance(key, str) and isinstance(item, (str, bytes)):
            headers[key] = item.decode() if isinstance(item, bytes) else item
        elif callable(key) and callable(item):
            overrides[key] = item
        else:
            raise ValueError(
                f"identity {name!r}: entry {key!r} is neither a header (str: str) nor a "
                "dependency override (dependency: replacement)"
            )
    if not headers and not overrides:
        raise ValueError(f"identity {name!r} has no headers and no dependency overrides")
    return Identity(name, headers, overrides)


def resolve_identities(raw: Any, client: Any = None) -> dict[str, Identity]:
    """Normalise what the option, ini key or fixture gave into ``name -> Identity``.

    ``client`` is the in-process test client handed to callables that log in through the
    app. Bad input raises ValueError with a one-line message.
    """
    if raw is None:
        return {}
    if callable(raw) and not isinstance(raw, Mapping):
        raw = raw(client)
    if isinstance(raw, (list, tuple)):
        raw = merge_identities(str(item) for item in raw)
    if not isinstance(raw, Mapping):
        raise ValueError(
            "apiposture_identities must return a mapping name -> headers (or a callable "
            f"returning one), got {type(raw).__name__}"
        )
    return {str(name): _as_identity(str(name), value, client) for name, value in raw.items()}
