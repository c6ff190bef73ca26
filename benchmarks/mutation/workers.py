"""The workers of ``mutate.py``: a private copy of the package and a fork server each, what the
unmutated run of each suite taught (``Suite``), and the judgement of one mutant's run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from operators import Mutant, apply

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "pytest_apiposture"
FORKSERVER = Path(__file__).resolve().parent / "forkserver.py"
PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider", "-p", f"{PACKAGE}.plugin")


def snapshot(folder: Path) -> Path:
    """A copy of the repository's files as they are now (what git tracks or would, the
    package, tests, docs and sample apps), in ``folder``: the mutants are made from it and
    the tests run in it, so editing the tree while a pass runs changes nothing of it."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # (a deleted file git still lists is left out)
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


@dataclass
class Suite:
    """One module's tests, as their unmutated run saw them."""

    tests: tuple[str, ...]
    seconds: float
    durations: dict[str, float]
    # module (relative to the package) -> line -> the tests that execute it ("" = at import
    # or collection, outside any test); None when the tests start processes (not traced)
    coverage: dict[str, dict[int, set[str]]] | None
    modules: list[str]  # libraries the run imported: the fork servers import them once
    kills: dict[str, Counter[str]] = field(default_factory=dict)  # module -> test -> kills

    def covering(self, module: str, lines: range) -> set[str] | None:
        """The tests that execute one of ``lines`` of ``module``; None when unknown."""
        if self.coverage is None:
            return None
        executed = self.coverage.get(module, {})
        return {test for line in lines for test in executed.get(line, ())}

    def first(self, module: str, covering: set[str]) -> list[str]:
        """The order to try the tests that can notice the mutant in (every test, when its
        lines run at import): this module's killers first, then the quickest. The rest of
        the suite runs after them, unchanged."""
        kills = self.kills.get(module, Counter())
        tests = set(self.durations) if "" in covering else covering - {""}
        return sorted(tests, key=lambda t: (-kills[t], self.durations.get(t, 0.0), t))

    def killed_by(self, module: str, test: str) -> None:
        self.kills.setdefault(module, Counter())[test] += 1


class Worker:
    """One private copy of the package and the fork server that runs pytest on it."""

    def __init__(self, base: Path, source: Path, keep: Path | None = None) -> None:
        self.dir = base
        self.source = source  # the snapshot the mutants were made from and the tests run in
        self.keep = keep  # a folder to keep each run's pytest output in, or None
        shutil.copytree(source / PACKAGE, base / PACKAGE)
        # bytecode for the unmutated modules, once (a mutant's run writes none)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(base)], check=True)
        # PYTHONSAFEPATH: the script's folder is not put on sys.path before the copy.
        # No plugin autoload (a second or more per run on a busy machine): only ours.
        env = dict(
            os.environ,
            PYTHONPATH=f"{base}{os.pathsep}{source}",
            PYTHONSAFEPATH="1",
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        )
        env.pop("PYTEST_ADDOPTS", None)
        self.log = open(base / "forkserver.log", "w")  # noqa: SIM115 (closed in close())
        self.server = subprocess.Popen(
            [sys.executable, str(FORKSERVER), str(base / PACKAGE)],
            cwd=source,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def request(self, **payload: Any) -> dict[str, Any]:
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.write(json.dumps(payload) + "\n")
        self.server.stdin.flush()
        line = self.server.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server stopped (see {self.dir / 'forkserver.log'})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def pytest(
        self,
        tests: tuple[str, ...],
        first: list[str],
        timeout: float,
        *,
        trace: bool = False,
        name: str = "",
    ) -> dict[str, Any]:
        log = ""
        if self.keep is not None:
            self.keep.mkdir(parents=True, exist_ok=True)
            log = str(self.keep / (re.sub(r"[^\w.-]+", "_", name)[:150] + ".txt"))
        return self.request(
            op="run",
            args=[*PYTEST_ARGS, *tests],
            first=first,
            timeout=timeout,
            result=str(self.dir / "result.json"),
            trace=trace,
            bytecode=trace,  # the unmutated run may cache the tests' rewritten bytecode
            log=log,
        )

    def baseline(self, tests: tuple[str, ...], *, trace: bool) -> tuple[Suite, str]:
        """The unmutated run of ``tests`` (``trace``: which tests execute which lines), and
        what is wrong with it ("" if nothing)."""
        reply = self.pytest(tests, [], 1800, trace=trace, name="baseline " + " ".join(tests))
        suite = Suite(tests, float(reply.get("seconds", 0.0)), {}, None, [])
        package = str(reply.get("package") or "")
        if reply.get("exitstatus") != 0:
            return suite, f"the unmutated tests fail (pytest exit status {reply.get('status')})"
        if not package.startswith(str(self.dir) + os.sep):
            return suite, f"the copy is not the package imported: {package}"
        suite.durations = reply["durations"]
        suite.modules = reply["modules"]
        if trace and not reply["spawned"]:
            tests_run = reply["tests"]
            suite.coverage = {
                module: {int(line): {tests_run[i] for i in ids} for line, ids in lines.items()}
                for module, lines in reply["coverage"].items()
            }
        return suite, ""

    def recheck(self, suite: Suite) -> str:
        """The unmutated run again, after the preload: what is wrong with it ("" if nothing).
        Its time (untraced) sets the mutants' timeout."""
        reply = self.pytest(suite.tests, [], 1800, name="preloaded " + " ".join(suite.tests))
        if reply.get("exitstatus") != 0:
            failed = ", ".join(reply.get("failed") or ()) or f"exit status {reply.get('status')}"
            return f"the unmutated tests fail once the libraries are preloaded ({failed})"
        suite.seconds = float(reply["seconds"])
        return ""

    def preload(self, modules: list[str]) -> None:
        self.request(op="preload", modules=modules)

    def run(self, mutant: Mutant, suite: Suite, first: list[str]) -> dict[str, Any]:
        """Write the mutant into the copy, run the suite, put the original back."""
        target = self.dir / mutant.module
        original = (self.source / mutant.module).read_text()
        before = target.stat()
        target.write_text(apply(original, mutant))
        # never the unmutated module's bytecode: another modification time
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns + 7_000_000_000))
        try:
            return self.pytest(suite.tests, first, 60 + 3 * suite.seconds, name=mutant.key)
        finally:
            target.write_text(original)
            # the same time as before: the unmutated bytecode compiled once stays valid
            os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))

    def close(self) -> None:
        """Stop the fork server (it kills a run still going: its input closes)."""
        if self.server.stdin is not None:
            self.server.stdin.close()
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.log.close()


def judge(reply: dict[str, Any], copy: Path, mutated: Path) -> tuple[str, str]:
    """(killed | survived | timeout | error, the killing test or what went wrong): a kill
    needs a failing test, or the mutated module itself failing to import, in a run that
    imported the package from the worker's ``copy``."""
    if reply.get("timeout"):
        return "timeout", ""
    if "exitstatus" not in reply:
        return "error", f"the run died before it reported (exit status {reply.get('status')})"
    package = reply.get("package")
    if package is not None and not str(package).startswith(str(copy) + os.sep):
        return "error", f"the package was imported from {package}, not the copy"
    if reply["failed"]:
        return "killed", str(reply["failed"][0])
    errors = [str(e) for e in reply["collect_errors"]]
    if errors:
        if any(str(mutated) in error for error in errors):
            return "killed", "import of the mutated module"
        return "error", "collection failed elsewhere: " + errors[0].strip().splitlines()[-1]
    if reply["exitstatus"] == 0:
        return "survived", ""
    return "error", f"pytest exit status {reply['exitstatus']} with no failing test"
