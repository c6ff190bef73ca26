"""WSGI transport: the app called in-process through Werkzeug, cookie-less, reads capped.

Flask's test client builds an ``EnvironBuilder`` (URL parsing, header objects, a request
wrapper, a response wrapper) for every request: a third of a probe request's cost. The
probes send plain paths, queries and bodies, so the environ is built from a template that
the real Flask/Werkzeug ``EnvironBuilder`` made once (SERVER_NAME, APPLICATION_ROOT,
scheme, the client's ``environ_base``, the Host setting), with only what differs per
request filled in, and the app is called through Werkzeug's ``run_wsgi_app``. A client
class that overrides how requests are built or sent (a custom ``test_client_class``) is
used as it is, through its own ``open``.

A Flask app that handles an exception itself answers 500; the ``got_request_exception``
signal tells us which exception it was. With ``PROPAGATE_EXCEPTIONS`` (testing mode) the
exception comes through the call instead, and ``ProbeClient.send`` records it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any
from urllib.parse import unquote

from .client import MAX_BODY, ProbeClient, ProbeRequest, _Slot, base_url

# What the template leaves out: the parts of the environ each request sets itself.
_PER_REQUEST = (
    "REQUEST_METHOD",
    "PATH_INFO",
    "QUERY_STRING",
    "REQUEST_URI",
    "RAW_URI",
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "wsgi.input",
    "wsgi.errors",  # sys.stderr when the request is made: pytest swaps it per test
)
_FORM = "application/x-www-form-urlencoded"


class WSGIProbeClient(ProbeClient):
    def __init__(self, base: Any, timeout: float, host: str | None) -> None:
        super().__init__(timeout, host)
        application = base.application
        try:  # a cookie-less twin: identities travel in headers only
            self._client = type(base)(application, base.response_wrapper, use_cookies=False)
        except TypeError:
            self._client = base
        else:
            if isinstance(getattr(base, "environ_base", None), dict):
                self._client.environ_base = dict(base.environ_base)
        self._application = application
        self._base_url = base_url(host)
        self._template = environ_template(self._client, self._base_url)
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
        if self._template is None:
            return self._call_through_client(request, slot)
        from werkzeug.test import run_wsgi_app

        environ = build_environ(self._template, request)
        app_iter, status, headers = run_wsgi_app(self._application, environ)
        body = _read_capped(app_iter, slot)
        return int(status.split(None, 1)[0]), headers.to_wsgi_list(), body

    def _call_through_client(
        self, request: ProbeRequest, slot: _Slot
    ) -> tuple[int, list[tuple[str, str]], bytes]:
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
        try:
            body = _read_capped(response.response, slot)
        finally:
            response.close()
        return response.status_code, list(response.headers.items()), body


def _read_capped(app_iter: Iterable[Any], slot: _Slot) -> bytes:
    """The body up to ``MAX_BODY`` (a stream may never end); the iterable is closed."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in app_iter:
            data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
            size += len(data)
            if size > MAX_BODY:
                slot.truncated = True
                break
            chunks.append(data)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return b"".join(chunks)


def environ_template(client: Any, base: str | None) -> dict[str, Any] | None:
    """The environ parts every request shares, made by the client's own EnvironBuilder.

    None when the client class changes how requests are built or sent: then its ``open``
    is used for every request.
    """
    from werkzeug.test import Client, EnvironBuilder

    kind = type(client)
    builder: Any
    try:
        from flask.testing import EnvironBuilder as FlaskBuilder
        from flask.testing import FlaskClient
    except ImportError:
        FlaskClient = None  # type: ignore[assignment,misc]
    if FlaskClient is not None and isinstance(client, FlaskClient):
        if (kind.open, kind._request_from_builder_args, kind._copy_environ) != (
            FlaskClient.open,
            FlaskClient._request_from_builder_args,
            FlaskClient._copy_environ,
        ):
            return None
        # as FlaskClient._copy_environ, minus the context preservation of ``with client:``
        builder = FlaskBuilder(
            client.application, "/", base_url=base, environ_base={**client.environ_base}
        )
    elif kind.open is Client.open:
        builder = EnvironBuilder("/", base_url=base)
    else:
        return None
    if kind.run_wsgi_app is not Client.run_wsgi_app:
        return None
    try:
        environ: dict[str, Any] = builder.get_environ()
    finally:
        builder.close()
    for key in _PER_REQUEST:
        environ.pop(key, None)
    return environ


def build_environ(template: dict[str, Any], request: ProbeRequest) -> dict[str, Any]:
    """The WSGI environ for ``request``, as Werkzeug's EnvironBuilder would make it.

    PATH_INFO is percent-decoded and carried as latin-1 (PEP 3333); the query and a form
    body are sent exactly as the transcript shows them (``request.url``, ``body_text``).
    """
    environ = template.copy()
    url = request.url
    environ["REQUEST_METHOD"] = request.method
    environ["PATH_INFO"] = _latin1(unquote(request.path))
    environ["QUERY_STRING"] = url.partition("?")[2]
    environ["REQUEST_URI"] = environ["RAW_URI"] = _latin1(url)
    content_type = content_length = None
    seen: set[str] = set()
    for name, value in request.headers.items():
        if "\n" in value or "\r" in value:  # refused, as Werkzeug's Headers refuse them
            raise ValueError("Header values must not contain newline characters.")
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            content_type = value
        elif key == "CONTENT_LENGTH":
            content_length = value
        else:  # one header in two spellings is joined, as the builder joins repeats
            key = "HTTP_" + key
            environ[key] = f"{environ[key]}, {value}" if key in seen else value
            seen.add(key)
    body = request.json_bytes()
    if body is not None:
        content_type = "application/json"
    elif request.form:  # an empty form sends no body, as with the builder
        body, content_type = request.body_text().encode(), _FORM
    if body:
        content_length = str(len(body))
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    environ["wsgi.input"] = BytesIO(body or b"")
    environ["wsgi.errors"] = sys.stderr
    return environ


def _latin1(text: str) -> str:
    return text.encode().decode("latin1")
