"""The adapter contract: the Protocol every framework adapter implements, its result and error.

Kept apart from ``adapters/__init__`` so the adapters import it without importing the
package that chooses between them (no import cycle).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..model import Route


class AdapterError(Exception):
    """The app could not be enumerated; the message says what to do."""


@dataclass
class Enumeration:
    """The routes plus what the enumeration could not see (for ``Posture.notes``)."""

    routes: list[Route] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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

    def client(self, app: Any) -> Any:
        """The framework's own in-process test client (no sockets)."""
        ...

    def running(self, app: Any, host: str | None = None) -> AbstractContextManager[list[str]]:
        """The app as a server has it before the first route answers (lifespan started,
        lazily built sub-apps built) for the duration of the block; yields notes."""
        ...
