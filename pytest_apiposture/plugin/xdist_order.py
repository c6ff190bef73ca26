"""Server-wide writes after every other item, across xdist workers too.

A probe of a first install or a settings write (``probes.discover.changes_server_state``)
can change what every other route answers. In one process its items run last (after the
user's own tests too: ``ServerStateLast`` below moves them). Under xdist each worker calls
its own app, but workers may share what the app keeps outside the process (a database,
files), so "last" must mean after every item of every worker.

With ``--dist load`` (what ``-n`` uses) the plugin supplies the scheduler
(``pytest_xdist_make_scheduler``): xdist's own ``LoadScheduling``, except that these items
are held back until every other item of the run has finished, then sent together to one
worker, after its own last item. Nothing waits inside a worker, so nothing can deadlock,
and ``-x`` still stops the run (held items then do not run, like any unsent item).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from xdist.scheduler import LoadScheduling


class ServerStateLastScheduling(LoadScheduling):  # type: ignore[misc]
    """``LoadScheduling`` that sends the items named in ``last`` after all the others."""

    def __init__(self, config: pytest.Config, log: Any, last: Collection[str]) -> None:
        super().__init__(config, log)
        self._last = frozenset(last)
        self._held: frozenset[int] | None = None  # their indices, once collected
        self._last_node: Any = None  # the worker that runs them

    def held(self) -> frozenset[int]:
        if self._held is None:
            collection = self.collection or []
            self._held = frozenset(i for i, nodeid in enumerate(collection) if nodeid in self._last)
        return self._held

    def schedule(self) -> None:
        super().schedule()
        self._release()

    def check_schedule(self, node: Any, duration: float = 0) -> None:
        if self._only_held_left():
            self._release()
        else:
            super().check_schedule(node, duration=duration)

    def _send_tests(self, node: Any, num: int) -> None:
        """The next ``num`` pending items that are not held back."""
        held = self.held()
        chosen = [i for i in self.pending if i not in held][:num]
        if chosen:
            sent = set(chosen)
            self.pending[:] = [i for i in self.pending if i not in sent]
            self.node2pending[node].extend(chosen)
            node.send_runtest_some(chosen)

    def _only_held_left(self) -> bool:
        held = self.held() if self.collection is not None else frozenset()
        return bool(self.pending) and all(i in held for i in self.pending)

    def _release(self) -> None:
        """Once only held items are left: every worker but one shuts down (and runs what
        it has); when they are all done, the held items go to the one left, which runs
        them after its own last item, and it shuts down too."""
        if not self._only_held_left():
            return
        alive = [node for node in self.nodes if not node.shutting_down]
        if self._last_node not in alive:
            if not alive:  # the run is stopping (-x, a crash): nothing more is sent
                return
            self._last_node = alive[0]
        last = self._last_node
        for node in alive:
            if node is not last:
                node.shutdown()
        if any(self.node2pending[node] for node in self.nodes if node is not last):
            return  # another worker is still running items: wait for its reports
        held = list(self.pending)
        self.pending.clear()
        self.node2pending[last].extend(held)
        last.send_runtest_some(held)
        last.shutdown()
