"""WSGI transport: the app called in-process as PEP 3333 says, cookie-less, reads capped.

Every request gets an environ made from a template built once: the shared parts
(SERVER_NAME, script root, scheme, the Host setting) come from the adapter, which knows
what its framework's own test client would put there (``Transport.environ``), or from
Werkzeug's ``EnvironBuilder`` for a plain WSGI app; only what differs per request is
filled in. No test client: building one ``EnvironBuilder`` plus request and response
wrappers per request was a third of a probe request's cost.

An exception that propagates out of the app is recorded by ``ProbeClient.send``; one the
framework answered with a 500 itself is reported by the adapter (``report_errors``).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterable
from io import BytesIO
from typing import Any
from urllib.parse import unquote

from ..adapters.base import Transport, template_environ
from .client import MAX_BODY, ProbeClient, ProbeRequest, _Slot, base_url

_FORM = "application/x-www-form-urlencoded"


class WSGIProbeClient(ProbeClient):
    def __init__(self, transport: Transport, timeout: float, host: str | None) -> None:
        super().__init__(timeout, host)
        self._application = transport.app
        self._base_url = base_url(host)
        # the framework's shared environ; None: a plain one (``_plain``) serves
        self._template = transport.environ(self._base_url) if transport.environ else None
        self._plain: dict[str, Any] | None = None
        self._slot = _Slot()
        self._calling: int | None = None  # the thread inside a probe request, if any
        self._reporting = contextlib.ExitStack()
        if transport.report_errors is not None:
            self._reporting.enter_context(transport.report_errors(self._report))

    def _report(self, exc: BaseException) -> None:
        # Only the probes' own requests: the user's tests may call the same app meanwhile.
        if self._calling == threading.get_ident() and self._slot.exception is None:
            self._slot.exception = exc

    def close(self) -> None:
        self._reporting.close()
        super().close()

    def _prepare(self, slot: _Slot) -> None:
        self._slot = slot

    def _call(self, request: ProbeRequest, slot: _Slot) -> tuple[int, list[tuple[str, str]], bytes]:
        template = self._template
        if template is None:
            template = self._plain = self._plain or plain_environ(self._base_url)
        environ = build_environ(template, request)
        self._calling = threading.get_ident()
        try:
            return run_wsgi(self._application, environ, slot)
        finally:
            self._calling = None


def run_wsgi(
    app: Any, environ: dict[str, Any], slot: _Slot
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Call the WSGI app; the status, headers and body up to ``MAX_BODY``."""
    started: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info is not None and started:  # PEP 3333: too late to change the answer
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, list(headers)]
        return written.append  # the legacy write() callable

    body = _read_capped(app(environ, start_response), slot, written)
    if not started:
        raise RuntimeError("the WSGI app returned without calling start_response")
    status, headers = started
    return int(status.split(None, 1)[0]), headers, body


def _read_capped(app_iter: Iterable[Any], slot: _Slot, written: list[bytes]) -> bytes:
    """The body up to ``MAX_BODY`` (a stream may never end); the iterable is closed.

    ``written``: what the app sent through the legacy ``write()`` before iterating."""
    chunks: list[bytes] = written
    size = sum(len(chunk) for chunk in written)
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


def plain_environ(base: str | None) -> dict[str, Any]:
    """The shared environ of a WSGI app the adapter says nothing more about (Werkzeug's)."""
    from werkzeug.test import EnvironBuilder

    return template_environ(EnvironBuilder("/", base_url=base))


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
