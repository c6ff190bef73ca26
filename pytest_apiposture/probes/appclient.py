"""A small client over the probe transport, for identity callables that log in.

``apiposture_identities`` may return a callable that gets a client and logs in through
the app (``client.post("/login", json={...}).json()["token"]``). It gets this one, not
the framework's test client: the same in-process transport as the probes (the lifespan
already running, its state shared; no socket; no cookie jar; a hang cut by the
timeout), on every framework version (Starlette 0.27's TestClient does not run on
httpx >= 0.28; Starlette 1.x deprecates its own). The API is the common part of
httpx's and Werkzeug's: ``get/post/put/patch/delete/head/options/request`` with
``params``, ``json``, ``data`` (a form) and ``headers``; a response with
``status_code``, ``headers``, ``content``, ``text``, ``json()`` (and Werkzeug's
``data``, ``get_data()``, ``get_json()``).
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from .client import NO_BODY, ProbeRequest
from .transcript import Exchange

if TYPE_CHECKING:
    from .client import ProbeClient

_LABEL = "identities"


class Headers(Mapping[str, str]):
    """Response headers, case-insensitive; a repeated header's values joined by ", "."""

    def __init__(self, items: tuple[tuple[str, str], ...]) -> None:
        self._items = items
        self._joined: dict[str, str] = {}
        for name, value in items:
            key = name.lower()
            self._joined[key] = f"{self._joined[key]}, {value}" if key in self._joined else value

    def __getitem__(self, name: str) -> str:
        return self._joined[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)

    def __len__(self) -> int:
        return len(self._joined)

    def get_list(self, name: str) -> list[str]:
        """Every value of ``name`` (``set-cookie`` comes once per cookie)."""
        return [v for k, v in self._items if k.lower() == name.lower()]


class AppResponse:
    def __init__(self, exchange: Exchange) -> None:
        if exchange.status is None or exchange.error:
            raise RuntimeError(f"logging in through the app: {exchange.describe()}")
        self.status_code: int = exchange.status
        self.headers = Headers(exchange.response_headers)
        self.content: bytes = exchange.body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def data(self) -> bytes:
        return self.content

    def get_data(self, as_text: bool = False) -> bytes | str:
        return self.text if as_text else self.content

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    def get_json(self) -> Any:
        return self.json()

    def __repr__(self) -> str:
        return f"<AppResponse [{self.status_code}]>"


class AppClient:
    def __init__(self, transport: ProbeClient) -> None:
        self._transport = transport

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = NO_BODY,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AppResponse:
        path, _, inline = url.partition("?")
        query = parse_qsl(inline, keep_blank_values=True)
        pairs = params.items() if isinstance(params, Mapping) else params or []
        query += [(str(k), str(v)) for k, v in pairs]
        if data is not None and not isinstance(data, Mapping):
            raise TypeError("data must be a mapping (a form); send JSON with json=")
        form = {str(k): str(v) for k, v in data.items()} if data is not None else None
        request = ProbeRequest(method.upper(), path, tuple(query), json, form, dict(headers or {}))
        exchange = self._transport.send(request, label=_LABEL, route=f"{method.upper()} {path}")
        return AppResponse(exchange)

    def get(self, url: str, **kwargs: Any) -> AppResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> AppResponse:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> AppResponse:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> AppResponse:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> AppResponse:
        return self.request("DELETE", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> AppResponse:
        return self.request("HEAD", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> AppResponse:
        return self.request("OPTIONS", url, **kwargs)
