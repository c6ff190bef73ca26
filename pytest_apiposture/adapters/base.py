"""The adapter contract: the Protocol every framework adapter implements, its result and error.

Kept apart from ``adapters/__init__`` so the adapters import it without importing the
package that chooses between them (no import cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..model import Route


class AdapterError(Exception):
    """The app could not be enumerated; the message says what to do."""


@dataclass
class Enumeration:
    """The routes plus what the enumeration could not see (for ``Posture.notes``)."""

    routes: list[Route] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# What a WSGI environ template (Transport.environ) leaves out: the parts each request sets.
PER_REQUEST = (
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


def template_environ(builder: Any) -> dict[str, Any]:
    """What every request's environ shares, from a Werkzeug ``EnvironBuilder`` (closed)."""
    try:
        environ: dict[str, Any] = builder.get_environ()
    finally:
        builder.close()
    for key in PER_REQUEST:
        environ.pop(key, None)
    return environ


class Running(list[str]):
    """What ``running`` yields: its notes (a list, as before), and ``served``: the started
    app (``lifespan.Served``) the probe session reuses, or None when nothing was started.
    One lifetime per run: an app whose shutdown tears down state it never rebuilds
    would answer 500 to every probe after a second startup."""

    served: Any = None
    # the app has a lifespan/startup that was not run (``running(..., lifespan=False)``)
    startup_skipped: bool = False


# The adapter's ``report_errors`` calls back with the exception behind a 500 it handled.
ErrorReport = Callable[[BaseException], None]


@dataclass(frozen=True)
class Transport:
    """How the app is called in-process: a protocol and its callable, never a test client.

    ``environ`` (WSGI): the environ parts every request shares, for a base URL or None
    (the framework's SERVER_NAME, script root, scheme); None: a plain PEP 3333 environ.
    ``report_errors``: entered once around a probe session with a callback, for
    frameworks that turn an exception into a 500 themselves, out of the protocol's
    sight (Flask); it calls back with that exception. ASGI apps need neither: an
    exception behind a 500 comes up through the ASGI call.
    """

    protocol: Literal["asgi", "wsgi"]
    app: Callable[..., Any]
    environ: Callable[[str | None], dict[str, Any]] | None = None
    report_errors: Callable[[ErrorReport], AbstractContextManager[None]] | None = None


class FrameworkAdapter(Protocol):
    name: str

    def matches(self, app: object) -> bool: ...

    def enumerate(self, app: Any) -> Enumeration:
        """Every route the app registers, one per method, guards as raw candidates."""
        ...

    def routes(self, app: Any) -> list[Route]:
        """``enumerate(app).routes``."""
        ...

    def openapi(self, app: Any) -> dict[str, Any] | None:
        """The schema the app generates, or None when it generates none."""
        ...

    def transport(self, app: Any) -> Transport:
        """How the probes call the app: its ASGI or WSGI callable (no sockets)."""
        ...

    def client(self, app: Any) -> Any:
        """The framework's own in-process test client, for the user's own use; the
        probes do not use it (they speak ASGI or WSGI through ``transport``)."""
        ...

    def running(
        self, app: Any, host: str | None = None, *, lifespan: bool = True
    ) -> AbstractContextManager[list[str]]:
        """The app as a server has it before the first route answers (lifespan started,
        lazily built sub-apps built) for the duration of the block; yields notes.
        ``lifespan=False``: lazy parts only, the app's startup code does not run."""
        ...
