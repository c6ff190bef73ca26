"""One Guard object per distinct guard of an enumeration.

A router dependency or a ``before_request`` hook guards hundreds of routes; giving
them all the same (frozen) Guard lets the static pass classify, fingerprint and
rebuild each distinct guard once, keyed by identity.
"""

from __future__ import annotations

from typing import Any

from ..model import Guard


class GuardTable:
    """Equal guards (same facts, same callables by identity) become one object."""

    def __init__(self) -> None:
        # the stored guard keeps its callables alive, so their ids stay unique
        self._known: dict[tuple[Any, ...], Guard] = {}

    def share(self, guard: Guard) -> Guard:
        key = (guard, id(guard.func), tuple(map(id, guard.chain)))
        return self._known.setdefault(key, guard)
