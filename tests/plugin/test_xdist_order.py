"""The xdist scheduler that runs server-wide writes last, step by step (plugin/xdist_order.py).

xdist's real scheduler logic drives workers simulated the way xdist's worker loop runs:
a worker runs an item only once it holds the next one or was told to shut down (it
passes the next item to the item's teardown). Every order of completions is exercised
deterministically, so the end-to-end test's timing is not what proves the order.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

pytest.importorskip("xdist")

from pytest_apiposture.plugin.xdist_order import ServerStateLastScheduling

SETTINGS = "app.py::POST /settings"
INSTALL = "app.py::POST /install"
COLLECTION = [
    "app.py::apiposture-status",
    *(f"app.py::GET /r{n}" for n in range(1, 8)),
    "test_users.py::test_one",
    SETTINGS,
    INSTALL,
]
EVENTS: list[tuple[str, str, Any]] = []  # (worker, event, detail) in the order they happen


class Worker:
    """What the scheduler sees of a worker, run as xdist's worker loop runs items."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.gateway = type("Gateway", (), {"id": name})()  # what xdist's log lines name
        self.queue: list[int] = []
        self.shutting_down = False

    def send_runtest_some(self, indices: list[int]) -> None:
        assert not self.shutting_down, f"{self.name}: items sent after shutdown"
        EVENTS.append((self.name, "sent", [COLLECTION[i] for i in indices]))
        self.queue.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True

    def runnable(self) -> bool:
        return len(self.queue) >= 2 or (self.shutting_down and bool(self.queue))


def run(order: tuple[int, ...], scheduler: Any) -> list[str]:
    """Drive a run, each step completing an item on worker ``order[step % len]`` when it
    can run one; the node ids in the order they finished."""
    EVENTS.clear()
    workers = [Worker("gw0"), Worker("gw1")]
    for worker in workers:
        scheduler.add_node(worker)
    for worker in workers:
        scheduler.add_node_collection(worker, COLLECTION)
    scheduler.schedule()
    finished: list[str] = []
    for step in itertools.count():
        ready = [w for w in workers if w.runnable()]
        if not ready:
            break
        worker = next(
            (workers[i] for i in order[step % len(order) :] if workers[i] in ready), ready[0]
        )
        index = worker.queue.pop(0)
        finished.append(COLLECTION[index])
        EVENTS.append((worker.name, "finished", COLLECTION[index]))
        scheduler.mark_test_complete(worker, index)
    return finished


def config(pytester: pytest.Pytester) -> pytest.Config:
    return pytester.parseconfig("--tx", "2*popen", "-p", "xdist")


def sent_after_all_others() -> bool:
    """When the server-wide writes were sent, had every other item finished, but the
    ones queued on the worker they were sent to (which runs those before them)?"""
    sent = next(
        i for i, (_, kind, what) in enumerate(EVENTS) if kind == "sent" and SETTINGS in what
    )
    receiver = EVENTS[sent][0]
    where = {
        item: worker for worker, kind, what in EVENTS[:sent] if kind == "sent" for item in what
    }
    done = {what for _, kind, what in EVENTS[:sent] if kind == "finished"}
    running = [item for item in where if item not in done]
    return all(where[item] == receiver for item in running)


@pytest.mark.parametrize("order", [(0,), (1,), (0, 1), (1, 0, 0), (0, 0, 0, 1)])
def test_server_wide_writes_are_sent_once_every_other_item_finished(
    order: tuple[int, ...], pytester: pytest.Pytester
) -> None:
    scheduler = ServerStateLastScheduling(config(pytester), None, {SETTINGS, INSTALL})
    finished = run(order, scheduler)
    assert sorted(finished) == sorted(COLLECTION)  # every item ran: nothing deadlocked
    assert finished[-2:] == [SETTINGS, INSTALL]  # in their collection order, on one worker
    assert sent_after_all_others()


def test_xdists_own_load_scheduling_sends_them_while_others_still_run(
    pytester: pytest.Pytester,
) -> None:
    """The control: the same run under xdist's LoadScheduling."""
    from xdist.scheduler import LoadScheduling

    finished = run((0,), LoadScheduling(config(pytester), None))
    assert sorted(finished) == sorted(COLLECTION)
    assert not sent_after_all_others()
    assert finished[-1] != INSTALL


def test_without_server_wide_writes_it_is_xdists_load_scheduling(
    pytester: pytest.Pytester,
) -> None:
    ours = run((0, 1), ServerStateLastScheduling(config(pytester), None, set()))
    ours_events = list(EVENTS)
    from xdist.scheduler import LoadScheduling

    theirs = run((0, 1), LoadScheduling(config(pytester), None))
    assert (ours, ours_events) == (theirs, EVENTS)
