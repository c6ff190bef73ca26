"""The probe client's base: requests, the worker watchdog, exchanges. Never a socket.

The protocol subclasses (``asgi.py``, ``wsgi.py``) call the app themselves; ``transport.py``
picks one by the adapter's protocol. Every call runs on one daemon worker thread so that
a request that hangs is abandoned after the per-request timeout instead of blocking the
test run; the abandoned thread is a daemon and cannot keep the process alive.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from ..errors import describe_exception
from .transcript import NOT_JSON, Exchange

MAX_BODY = 1 << 20  # bytes read from a response before the rest is cut off
NO_BODY: Any = object()
T = TypeVar("T")


class ProbeError(Exception):
    """The probes cannot run at all (startup failed, unknown protocol); message says why."""


@dataclass(frozen=True)
class ProbeRequest:
    """A request to send: a concrete path, query, and a JSON or form body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    json: Any = NO_BODY
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def url(self) -> str:  # encoded once: sent, and shown in the transcript
        if not self.query:
            return self.path
        from urllib.parse import urlencode

        return f"{self.path}?{urlencode(self.query)}"

    def body_text(self) -> str:
        return self._text

    def with_headers(self, extra: Mapping[str, str]) -> ProbeRequest:
        """This request with ``extra`` headers on top (what ``dataclasses.replace`` does,
        without its per-field introspection: this runs for every request)."""
        if not extra:
            return self
        headers = {**self.headers, **extra}
        return ProbeRequest(self.method, self.path, self.query, self.json, self.form, headers)

    @cached_property
    def _text(self) -> str:  # encoded once: sent, and shown in the transcript
        if self.json is not NO_BODY:
            return json.dumps(self.json, default=str)
        if self.form is not None:
            from urllib.parse import urlencode

            return urlencode(dict(self.form))
        return ""

    def json_bytes(self) -> bytes | None:
        """The JSON body as sent, or None when the request has no JSON body."""
        return self._text.encode() if self.json is not NO_BODY else None


@dataclass
class _Slot:
    """What the wrapped app observed during one request."""

    exception: BaseException | None = None
    timed_out: bool = False
    truncated: bool = False


class _Hung(Exception):
    """The worker made no progress in time; ``active`` is the request it was sending."""

    def __init__(self, active: tuple[ProbeRequest, str, str] | None = None) -> None:
        super().__init__()
        self.active = active


class RequestHung(Exception):
    """A request inside a supervised probe outlived the timeout; ``exchange`` shows which."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__(exchange.describe())
        self.exchange = exchange


def _held() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass
class _Box(Generic[T]):
    # a held lock the worker releases when the call ends: a cheaper wake-up than an Event
    done: threading.Lock = field(default_factory=_held)
    value: T | None = None
    error: BaseException | None = None


class _Worker:
    """One daemon thread running calls in order. Abandoned, and replaced, when a call hangs."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], _Box[Any]] | None] = (
            queue.SimpleQueue()
        )
        self.mark = time.monotonic()  # last sign of progress, for the watchdog
        self.active: tuple[ProbeRequest, str, str] | None = None  # request, label, route
        self.thread = threading.Thread(target=self._loop, name="apiposture-probe", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            call, box = job
            try:
                box.value = call()
            except BaseException as exc:  # reported to the caller, never lost
                box.error = exc
            box.done.release()

    def submit(self, call: Callable[[], T]) -> _Box[T]:
        box: _Box[T] = _Box()
        self._jobs.put((call, box))
        return box

    def stop(self) -> None:
        """End the thread once its current call returns, if it ever does."""
        self._jobs.put(None)


class ProbeClient:
    """Sends ``ProbeRequest``s in-process, one at a time, none allowed to hang the run.

    Calls run on a daemon worker thread. ``supervise`` runs a whole probe there (one thread
    handoff per probe, not per request) while the calling thread watches the clock: when
    nothing has moved for the timeout, the worker is abandoned and ``RequestHung`` names
    the request that hung.
    """

    def __init__(self, timeout: float, host: str | None) -> None:
        self.timeout = timeout
        self.host = host
        self._worker: _Worker | None = None
        self._lock = threading.Lock()
        self._local = threading.local()  # .worker: set on the worker thread while it runs a call

    def start(self) -> None:
        """Enter the app's lifespan (startup); a failure raises ProbeError."""

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def _limit(self) -> float:
        return self.timeout + self._grace()

    def _run(self, call: Callable[[], T], limit: float) -> T:
        """``call`` on the worker; abandoned once nothing has moved for ``limit`` seconds."""
        worker = self._worker = self._worker or _Worker()
        worker.mark = time.monotonic()
        box = worker.submit(lambda: self._on(worker, call))
        while not box.done.acquire(timeout=max(0.0, worker.mark + limit - time.monotonic())):
            if time.monotonic() - worker.mark >= limit:
                self._worker = None
                worker.stop()
                active = worker.active
                self._abandoned()
                raise _Hung(active)
        if box.error is not None:
            raise box.error
        return box.value  # type: ignore[return-value]

    def _on(self, worker: _Worker, call: Callable[[], T]) -> T:
        self._local.worker = worker
        try:
            return call()
        finally:
            self._local.worker = None

    def supervise(self, job: Callable[[], T]) -> T:
        """Run ``job`` (a whole probe) on the worker; its requests run there directly."""
        with self._lock:
            try:
                return self._run(job, self._limit())
            except _Hung as hung:
                request, label, route = hung.active or (
                    ProbeRequest("-", "(between requests)"),
                    "-",
                    "-",
                )
                slot = _Slot(timed_out=True)
                raise RequestHung(
                    self._exchange(request, label, route, slot, None, [], b"", self._limit())
                ) from None

    def _abandoned(self) -> None:
        """A call hung past its timeout; make the next request work regardless."""

    def _call(self, request: ProbeRequest, slot: _Slot) -> tuple[int, list[tuple[str, str]], bytes]:
        raise NotImplementedError

    def _prepare(self, slot: _Slot) -> None:
        """Point the app wrapper at ``slot`` before a request."""

    def send(self, request: ProbeRequest, *, label: str, route: str) -> Exchange:
        if getattr(self._local, "worker", None) is not None:
            return self._send_here(request, label, route)  # on the worker, inside ``supervise``
        with self._lock:
            started = time.perf_counter()
            try:
                return self._run(lambda: self._send_here(request, label, route), self._limit())
            except _Hung:
                slot = _Slot(timed_out=True)
                elapsed = time.perf_counter() - started
                return self._exchange(request, label, route, slot, None, [], b"", elapsed)

    def _send_here(self, request: ProbeRequest, label: str, route: str) -> Exchange:
        worker: _Worker | None = getattr(self._local, "worker", None)
        slot = _Slot()
        self._prepare(slot)
        if worker is not None:
            worker.active, worker.mark = (request, label, route), time.monotonic()
        started = time.perf_counter()
        status: int | None
        try:
            status, headers, body = self._call(request, slot)
        except Exception as exc:  # the app raised through the client
            slot.exception = exc
            status, headers, body = 500, [], b""
        finally:
            if worker is not None:
                worker.active, worker.mark = None, time.monotonic()
        elapsed = time.perf_counter() - started
        return self._exchange(request, label, route, slot, status, headers, body, elapsed)

    def _grace(self) -> float:
        return 0.0

    def _exchange(
        self,
        request: ProbeRequest,
        label: str,
        route: str,
        slot: _Slot,
        status: int | None,
        headers: list[tuple[str, str]],
        body: bytes,
        elapsed: float,
    ) -> Exchange:
        error: str | None = None
        if slot.timed_out:
            error = f"timed out after {self.timeout:g}s"
            if not headers:
                status = None
        elif slot.exception is not None:
            error = f"raised {describe_exception(slot.exception)}"
        if slot.truncated:
            cut = f"streamed more than {MAX_BODY // 1024} KiB; the rest was not read"
            error = f"{error}; {cut}" if error else cut
        data: Any = NOT_JSON
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if body and "json" in content_type.lower() and not slot.truncated:
            try:
                data = json.loads(body)
            except ValueError:
                data = NOT_JSON
        return Exchange(
            label=label,
            route=route,
            method=request.method,
            url=request.url,
            request_headers=tuple(request.headers.items()),
            request_body=request.body_text(),
            status=status,
            response_headers=tuple(headers),
            body=body[:MAX_BODY],
            data=data,
            elapsed=elapsed,
            error=error,
            truncated=slot.truncated,
        )


def base_url(host: str | None) -> str | None:
    """The URL the ``host`` setting names, or None (the framework's default)."""
    if not host:
        return None
    return host if "://" in host else f"http://{host}"
