"""WSGI transport: Werkzeug's (Flask's) test client, cookie-less, responses read with a cap.

A Flask app that handles an exception itself answers 500; the ``got_request_exception``
signal tells us which exception it was. With ``PROPAGATE_EXCEPTIONS`` (testing mode) the
exception comes through the client instead, and ``ProbeClient.send`` records it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .client import MAX_BODY, ProbeClient, ProbeRequest, _Slot, base_url


class WSGIProbeClient(ProbeClient):
    def __init__(self, base: Any, timeout: float, host: str | None) -> None:
        super().__init__(timeout, host)
        application = base.application
        try:  # a cookie-less twin: identities travel in headers only
            self._client = type(base)(application, base.response_wrapper, use_cookies=False)
        except TypeError:
            self._client = base
        self._base_url = base_url(host)
        self._disconnect: Callable[[], None] | None = None
        self._slot = _Slot()
        self._connect_signal(application)

    @property
    def raw(self) -> Any:
        return self._client

    def _connect_signal(self, application: Any) -> None:
        try:
            from flask import Flask
            from flask.signals import got_request_exception
        except ImportError:  # plain Werkzeug app: exceptions arrive through the client
            return
        if not isinstance(application, Flask):
            return

        def record(sender: Any, exception: BaseException, **_: Any) -> None:
            self._slot.exception = exception

        got_request_exception.connect(record, application, weak=False)
        self._disconnect = lambda: got_request_exception.disconnect(record, application)

    def close(self) -> None:
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None
        super().close()

    def _prepare(self, slot: _Slot) -> None:
        self._slot = slot

    def _call(self, request: ProbeRequest, slot: _Slot) -> tuple[int, list[tuple[str, str]], bytes]:
        kwargs: dict[str, Any] = {"method": request.method, "headers": dict(request.headers)}
        if request.query:
            kwargs["query_string"] = list(request.query)
        if self._base_url:
            kwargs["base_url"] = self._base_url
        payload = request.json_bytes()
        if payload is not None:
            kwargs["data"], kwargs["content_type"] = payload, "application/json"
        elif request.form is not None:
            kwargs["data"] = dict(request.form)
        response = self._client.open(request.path, buffered=False, follow_redirects=False, **kwargs)
        chunks: list[bytes] = []
        size = 0
        try:  # read up to the cap: a stream may never end
            for chunk in response.response:
                data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
                size += len(data)
                if size > MAX_BODY:
                    slot.truncated = True
                    break
                chunks.append(data)
        finally:
            response.close()
        return response.status_code, list(response.headers.items()), b"".join(chunks)
