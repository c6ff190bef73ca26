"""The fork server of ``mutate.py``: one interpreter per worker that has imported pytest and
the libraries the tests use once, and runs each mutant's tests in a fresh forked child.

    python forkserver.py WORKER_PACKAGE_DIR     (started by mutate.Worker, cwd = the repository)

``PYTHONPATH`` names the worker's copy of the package first. The server itself never imports
the package, its tests or anything under the repository: each child imports them afresh from
the copy, as they are on disk when it starts (the mutant written there just before), so a
child sees exactly what ``python -m pytest`` started for that mutant would see, minus the
cost of starting Python and importing pytest, FastAPI, Flask and the rest again.

Requests come on stdin, replies go to the stdout the server was given, one JSON object a
line; what an imported library prints goes to /dev/null. Requests:

- ``{"op": "preload", "modules": [...]}``: import them here, once (errors are skipped);
- ``{"op": "run", "args": [...], "first": [...], "timeout": s, "result": path, ...}``: fork a
  child that runs ``pytest.main(args)`` with the tests of ``first`` moved to the front (the
  same tests run, in another order), wait for it (kill its process group after ``timeout``)
  and reply with what it wrote to ``result``: the failing tests, collection errors, the
  file the package was imported from, and on request per-test line coverage of the copy.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import resource
import select
import signal
import sys
import sysconfig
import threading
import time
from collections.abc import Iterator
from types import CodeType, FrameType
from typing import Any

import pytest

PACKAGE = "pytest_apiposture"


class Tracer:
    """Which lines of the package copy each test executes (``""``: outside any test, i.e.
    imports and collection). ``sys.settrace`` only descends into the copy's code objects."""

    def __init__(self, package_dir: str) -> None:
        self.prefix = package_dir.rstrip(os.sep) + os.sep
        self.ours: dict[CodeType, bool] = {}
        self.by_test: dict[str, set[tuple[str, int]]] = {"": set()}
        self.hits = self.by_test[""]

    def start(self) -> None:
        threading.settrace(self._call)
        sys.settrace(self._call)

    def stop(self) -> None:
        sys.settrace(None)
        threading.settrace(None)

    def switch(self, test: str) -> None:
        self.hits = self.by_test.setdefault(test, set())

    def _call(self, frame: FrameType, event: str, arg: Any) -> Any:
        code = frame.f_code
        mine = self.ours.get(code)
        if mine is None:
            mine = self.ours[code] = code.co_filename.startswith(self.prefix)
        if not mine:
            return None
        self.hits.add((code.co_filename, frame.f_lineno))
        return self._line

    def _line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.hits.add((frame.f_code.co_filename, frame.f_lineno))
        return self._line

    def coverage(self) -> dict[str, dict[int, list[int]]]:
        """module (relative to the package) -> line -> indexes into ``tests()``."""
        tests = self.tests()
        out: dict[str, dict[int, list[int]]] = {}
        for number, test in enumerate(tests):
            for filename, line in self.by_test[test]:
                module = filename[len(self.prefix) :].replace(os.sep, "/")
                out.setdefault(module, {}).setdefault(line, []).append(number)
        return out

    def tests(self) -> list[str]:
        return sorted(self.by_test)


class Recorder:
    """The child's plugin: moves ``first`` to the front, records what failed and how long
    each test took, and points the tracer at the test that runs."""

    def __init__(self, first: list[str], tracer: Tracer | None) -> None:
        self.first = {nodeid: rank for rank, nodeid in enumerate(first)}
        self.tracer = tracer
        self.failed: list[str] = []
        self.collect_errors: list[str] = []
        self.durations: dict[str, float] = {}
        self.ran = 0
        self.collected_cpu = 0.0

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.first:
            items[:] = reordered(items, self.first)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        if self.tracer is not None:
            self.tracer.switch(item.nodeid)
        start = time.perf_counter()
        try:
            return (yield)
        finally:
            self.durations[item.nodeid] = time.perf_counter() - start
            self.ran += 1
            if self.tracer is not None:
                self.tracer.switch("")

    def pytest_collection_finish(self) -> None:
        self.collected_cpu = _cpu()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.append(report.nodeid)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(str(report.longrepr))


def reordered(items: list[pytest.Item], rank: dict[str, int]) -> list[pytest.Item]:
    """``items`` with the ranked ones as early as fixtures allow: a test file's items stay
    together, and so do a class's (a module- or class-scoped fixture is set up once, as in
    the usual order); within a file that uses a parametrized fixture of a wider scope
    (pytest groups its items by parameter) the items keep their order."""
    last = len(rank)
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        groups.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def best(group: list[pytest.Item]) -> int:
        return min(rank.get(item.nodeid, last) for item in group)

    out: list[pytest.Item] = []
    for group in sorted(groups.values(), key=best):  # stable: the usual order of files
        if any(_grouped_by_parameter(item) for item in group):
            out.extend(group)
            continue
        classes: dict[str, list[pytest.Item]] = {}
        for item in group:
            classes.setdefault(item.nodeid.rsplit("::", 1)[0], []).append(item)
        for members in sorted(classes.values(), key=best):
            out.extend(sorted(members, key=lambda item: rank.get(item.nodeid, last)))
    return out


def _grouped_by_parameter(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    for definitions in getattr(info, "name2fixturedefs", {}).values():
        for definition in definitions:
            if definition.scope != "function" and definition.params is not None:
                return True
    return False


def preloadable() -> list[str]:
    """Modules of the standard library and site-packages this process imported, in the
    order they were (``_asyncio`` imported before ``asyncio`` leaves the two with different
    task registries), but not pytest's plugins (pytest would rewrite their asserts on
    import: they must be imported by pytest itself) nor anything of ours."""
    paths = sysconfig.get_paths()
    roots = tuple(
        paths[k].rstrip(os.sep) + os.sep for k in ("stdlib", "platstdlib", "purelib", "platlib")
    )
    names = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        top = name.split(".", 1)[0]
        if not file or not file.startswith(roots) or top == PACKAGE or name == "__main__":
            continue
        if top in ("_pytest", "pytest", "xdist", "pluggy") or "pytest" in top:
            continue
        names.append(name)
    return names


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(request: dict[str, Any], package_dir: str) -> int:
    """The forked child: one pytest run; its findings go to ``request["result"]``."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    log = request.get("log")
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) if log else devnull
    for fd in (1, 2):
        os.dup2(output, fd)
    sys.dont_write_bytecode = not request.get("bytecode", False)
    tracer = Tracer(package_dir) if request.get("trace") else None
    recorder = Recorder(list(request.get("first", ())), tracer)
    spawned: list[str] = []
    if tracer is not None:
        _watch_processes(spawned)
        tracer.start()
    code = pytest.main(list(request["args"]), plugins=[recorder])
    if tracer is not None:
        tracer.stop()
    package = sys.modules.get(PACKAGE)
    result: dict[str, Any] = {
        "exitstatus": int(code),
        "failed": recorder.failed,
        "collect_errors": recorder.collect_errors,
        "ran": recorder.ran,
        "durations": recorder.durations,
        "package": getattr(package, "__file__", None),
        "cpu": _cpu(),  # seconds: the child's own (the fork server's import is not in it)
        "cpu_collected": recorder.collected_cpu,
    }
    result["modules"] = preloadable()
    if tracer is not None:
        result["tests"] = tracer.tests()
        result["coverage"] = tracer.coverage()
        result["spawned"] = spawned
    with open(request["result"], "w") as handle:
        json.dump(result, handle)
    return 0


def _watch_processes(spawned: list[str]) -> None:
    """Note every process the tests start: lines run there are not traced, so for such a
    suite "no test executes this line" cannot be told from the trace."""
    import _posixsubprocess  # what subprocess.Popen forks through

    def watch(owner: Any, name: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return

        def watched(*args: Any, **kwargs: Any) -> Any:
            spawned.append(name)
            return original(*args, **kwargs)

        setattr(owner, name, watched)

    for name in ("fork", "posix_spawn", "posix_spawnp", "system"):
        watch(os, name)
    watch(_posixsubprocess, "fork_exec")


def run(request: dict[str, Any], package_dir: str) -> dict[str, Any]:
    result = request["result"]
    if os.path.exists(result):
        os.unlink(result)
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        code = 70
        try:
            # its own session, as ``start_new_session`` gives a subprocess: a process group
            # to kill on a timeout, and (where the kernel groups tasks by session) the
            # scheduler's share a test run started from a shell would get
            os.setsid()
            code = child(request, package_dir)
        finally:
            os._exit(code)
    pidfd = os.pidfd_open(pid)
    try:
        # the harness gone (its end of stdin closed) stops the run as a timeout does
        ready, _, _ = select.select([pidfd, sys.stdin], [], [], float(request["timeout"]))
    finally:
        os.close(pidfd)
    timed_out = pidfd not in ready
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    reply: dict[str, Any] = {
        "seconds": time.monotonic() - start,
        "timeout": timed_out,
        "status": os.waitstatus_to_exitcode(status),
    }
    if not timed_out and os.path.exists(result):
        with open(result) as handle:
            reply.update(json.load(handle))
    return reply


def preload(modules: list[str]) -> dict[str, Any]:
    imported = 0
    for name in modules:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            imported += 1
        except BaseException:  # a module that cannot be imported alone: the child will
            continue
    return {"imported": imported, "threads": threading.active_count()}


def main() -> int:
    package_dir = sys.argv[1]
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)  # what a library prints on import must not reach the replies
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "preload":
            reply = preload(list(request["modules"]))
        elif request["op"] == "run":
            reply = run(request, package_dir)
        else:
            reply = {"error": f"unknown op {request['op']!r}"}
        replies.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
