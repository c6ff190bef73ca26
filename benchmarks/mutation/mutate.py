"""Mutation testing of the decision modules: does some test notice when a decision changes?

    python benchmarks/mutation/mutate.py                      # every decision module
    python benchmarks/mutation/mutate.py --sample 40 --seed 1 # a quick, repeatable sample
    python benchmarks/mutation/mutate.py --module probes/bola.py --jobs 2

The repository's files are copied once at the start (the working tree may change while a
pass runs). Each mutant (operators.py) is applied, one at a time, to a worker's private
copy of ``pytest_apiposture/``, and the module's own tests (``TESTS``) run against it with
``pytest -x``. A worker is a fork server (forkserver.py): an interpreter that imported
pytest and the libraries the tests use once, and forks a fresh child per run, which
imports the package and the tests from the copies.

From ``FEW`` mutants on, each suite first runs unmutated under a line tracer: it must pass,
and it tells which tests execute which lines. A mutant whose lines no test executes
survives without a run (nothing can notice it: the unmutated run never gets there; not
decided so for a suite that starts processes, whose lines are not traced; ``--check-trace``
runs them anyway and calls a kill among them a harness error). Otherwise the tests that
execute its lines run first (the ones that killed this module's mutants before, then the
quickest; each test file and class kept together), then all the others, so a survivor has
passed every test of its module. ``--keep-output DIR`` keeps each run's pytest output.

A mutant is *killed* when a test fails (or errors), or when the mutated module fails to
import; *survives* when every test passes; *timed out* when it hangs (counted as killed,
reported apart). Anything else (the copy not being what was imported, a collection error
that does not come from the mutated module, a child that dies) is a harness *error*: not
counted, listed, exit status 2. Mutants in ``equivalent.txt`` (they cannot change
behaviour) are run by no one and left out of the score. ``--named`` runs the hand-written
mutants of ``named.txt`` (issue 19's survivors) instead. Exit status: 0; 1 when a
``--named`` mutant survives or, with ``--min-score``, a module scores below it; 2 when the
unmutated tests fail, the copy is not what is imported, or a run ends in a harness error.
"""

from __future__ import annotations

import argparse
import queue
import random
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from operators import Mutant
from selection import NOTE, all_mutants, equivalent_lines, equivalents, named_mutants, rerun_keys
from suites import TESTS
from workers import PACKAGE, ROOT, Suite, Worker, judge, snapshot

UNRUN = "no test executes it"
FEW = 30  # from this many mutants on, trace the suites and preload the libraries


class Tally:
    def __init__(self) -> None:
        self.killed = self.timed_out = self.equivalent = 0
        self.survived: list[Mutant] = []
        self.unrun: list[Mutant] = []  # survivors no test executes (a subset of survived)
        self.errors: list[tuple[Mutant, str]] = []

    @property
    def scored(self) -> int:
        return self.killed + self.timed_out + len(self.survived)

    @property
    def score(self) -> float:
        return 100.0 * (self.killed + self.timed_out) / self.scored if self.scored else 100.0


def tests_of(mutant: Mutant, root: Path = ROOT) -> tuple[str, ...]:
    """The module's tests that exist in ``root`` (an older checkout may lack some)."""
    tests = TESTS[module_of(mutant)]
    return tuple(t for t in tests if (root / t.split("::", 1)[0]).exists())


def module_of(mutant: Mutant) -> str:
    return mutant.module.split("/", 1)[1]


def choose(
    args: argparse.Namespace, found: list[Mutant], tallies: dict[str, Tally]
) -> list[Mutant]:
    equivalent = equivalents(found, equivalent_lines())
    todo = []
    for mutant in found:
        if mutant in equivalent:
            tallies[mutant.module].equivalent += 1
        else:
            todo.append(mutant)
    if args.rerun:
        again = rerun_keys(args.rerun)
        todo = [m for m in todo if m.key in again]
    if args.match:
        todo = [m for m in todo if any(text in m.key for text in args.match)]
    if args.sample is not None:
        todo = sorted(
            random.Random(args.seed).sample(todo, min(args.sample, len(todo))),
            key=lambda m: (m.module, m.index, m.variant),
        )
    return todo


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--module", action="append", help="e.g. probes/bola.py (repeatable)")
    parser.add_argument("--sample", type=int, help="run N mutants drawn at random")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--match", action="append", help="only mutants whose text has this")
    parser.add_argument("--named", action="store_true", help="the mutants of named.txt")
    parser.add_argument(
        "--rerun", type=Path, help="only the survivors listed in this earlier output of ours"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--min-score", type=float, help="exit 1 when a module scores below")
    parser.add_argument("--keep-output", type=Path, help="keep each run's pytest output here")
    parser.add_argument(
        "--check-trace",
        action="store_true",
        help="run the mutants no test executes too: an error if one is killed",
    )
    args = parser.parse_args(argv)

    modules = args.module or list(TESTS)
    unknown = [m for m in modules if m not in TESTS]
    if unknown:
        parser.error(f"not a decision module: {', '.join(unknown)} (see TESTS)")
    start = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill, as on ^C
    with tempfile.TemporaryDirectory(prefix="apiposture-mutants-") as tmp:
        source = snapshot(Path(tmp) / "source")
        found = named_mutants(source) if args.named else all_mutants(modules, source)
        if args.named:
            modules = list(dict.fromkeys(module_of(m) for m in found))
        tallies = {f"{PACKAGE}/{m}": Tally() for m in modules}
        todo = choose(args, found, tallies)
        if args.list:
            for mutant in todo:
                print(mutant.key)
            print(f"{len(todo)} mutants ({len(found)} made, {len(found) - len(todo)} not run)")
            return 0
        workers = []
        try:
            for i in range(max(1, args.jobs)):
                workers.append(Worker(Path(tmp) / f"w{i}", source, args.keep_output))
            status = run_all(workers, todo, tallies, args.check_trace)
        finally:
            for worker in workers:
                worker.close()
    if status:
        return status
    status = report(tallies, time.monotonic() - start, len(todo), args.min_score)
    if args.named and any(t.survived for t in tallies.values()):
        print("mutate: a mutant of named.txt survived: the test named for it no longer kills it")
        return 1
    return status


def run_all(
    workers: list[Worker], todo: list[Mutant], tallies: dict[str, Tally], check_trace: bool
) -> int:
    """The unmutated suites, then every mutant; 2 when the harness cannot judge.

    A run of ``FEW`` mutants or more first traces each suite and preloads the libraries the
    tests import into the fork servers (then runs the suites again, to know they pass
    there); a smaller one (``--named``, a CI sample) would spend more on that than it saves.
    """
    many = len(todo) >= FEW
    tree = workers[0].source
    names = sorted({tests_of(m, tree) for m in todo})
    suites: dict[tuple[str, ...], Suite] = {}
    for tests, (suite, problem) in zip(names, _each(workers, names, many), strict=True):
        if problem:
            print(f"mutate: {problem}: {' '.join(tests)}")
            return 2
        suites[tests] = suite
        how = "(traced)" if many else ""
        print(f"baseline {suite.seconds:5.1f} s {how}  {' '.join(tests)}", flush=True)
    if many:
        preload = list(dict.fromkeys(n for suite in suites.values() for n in suite.modules))
        for worker in workers:
            worker.preload(preload)
        # the suites must pass as the mutants' runs will find the fork servers: preloaded
        for tests, (_, problem) in zip(names, _each(workers, names, None, suites), strict=True):
            if problem:
                print(f"mutate: {problem}: {' '.join(tests)}")
                return 2
            print(f"baseline {suites[tests].seconds:5.1f} s (preloaded)  {' '.join(tests)}")
    free: queue.SimpleQueue[Worker] = queue.SimpleQueue()  # one run at a time per worker
    for worker in workers:
        free.put(worker)

    def one(mutant: Mutant) -> tuple[Mutant, str, str]:
        suite = suites[tests_of(mutant, tree)]
        covering = suite.covering(module_of(mutant), mutant.lines)
        unexecuted = covering is not None and not covering
        if unexecuted and not check_trace:
            return mutant, "survived", UNRUN
        worker = free.get()
        try:
            reply = worker.run(mutant, suite, suite.first(module_of(mutant), covering or set()))
            outcome, detail = judge(reply, worker.dir, worker.dir / mutant.module)
            if outcome == "killed" and covering and not covering & {"", detail}:
                # the failing test does not execute the mutant's lines (nor does the import):
                # a test that depends on the order? The usual order decides.
                reply = worker.run(mutant, suite, [])
                outcome, detail = judge(reply, worker.dir, worker.dir / mutant.module)
        finally:
            free.put(worker)
        if unexecuted and outcome != "survived":
            return mutant, "error", f"{outcome} ({detail}), though no test executes its lines"
        if outcome == "error":
            return mutant, outcome, detail
        if "::" in detail:
            suite.killed_by(module_of(mutant), detail)
        seconds = f"{reply.get('seconds', 0.0):.1f} s, cpu {reply.get('cpu', 0.0):.2f} s"
        return mutant, outcome, f"{seconds}, by {detail}" if detail else seconds

    with ThreadPoolExecutor(len(workers)) as pool:
        for done, (mutant, outcome, detail) in enumerate(pool.map(one, todo), 1):
            tally = tallies[mutant.module]
            if outcome == "killed":
                tally.killed += 1
            elif outcome == "timeout":
                tally.timed_out += 1
            elif outcome == "survived":
                tally.survived.append(mutant)
                if detail == UNRUN:
                    tally.unrun.append(mutant)
            else:
                tally.errors.append((mutant, detail))
            print(f"[{done}/{len(todo)}] {outcome:8} {mutant.key}{NOTE}{detail}", flush=True)
    return 0


def _each(
    workers: list[Worker],
    names: list[tuple[str, ...]],
    trace: bool | None,
    suites: dict[tuple[str, ...], Suite] | None = None,
) -> list[tuple[Suite, str]]:
    """Every suite's unmutated run, shared among the workers (one run at a time each): the
    first (``trace`` says whether traced), or again (``trace`` None) after the preload."""
    free: queue.SimpleQueue[Worker] = queue.SimpleQueue()
    for worker in workers:
        free.put(worker)

    def one(tests: tuple[str, ...]) -> tuple[Suite, str]:
        worker = free.get()
        try:
            if trace is None:
                assert suites is not None
                return suites[tests], worker.recheck(suites[tests])
            return worker.baseline(tests, trace=trace)
        finally:
            free.put(worker)

    with ThreadPoolExecutor(len(workers)) as pool:
        return list(pool.map(one, names))


def report(tallies: dict[str, Tally], elapsed: float, ran: int, minimum: float | None) -> int:
    print(f"\n{'module':42} {'mutants':>7} {'killed':>6} {'surv':>5} {'t/o':>4} {'equiv':>5} score")
    low = []
    total = Tally()
    for module, t in tallies.items():
        total.killed += t.killed
        total.timed_out += t.timed_out
        total.survived += t.survived
        total.unrun += t.unrun
        total.errors += t.errors
        if not t.scored and not t.equivalent:
            continue
        print(
            f"{module.removeprefix(PACKAGE + '/'):42} {t.scored:7} {t.killed:6} "
            f"{len(t.survived):5} {t.timed_out:4} {t.equivalent:5} {t.score:5.1f}%"
        )
        if minimum is not None and t.scored and t.score < minimum:
            low.append(module)
    print(
        f"{'all':42} {total.scored:7} {total.killed:6} {len(total.survived):5} "
        f"{total.timed_out:4} {'':5} {total.score:5.1f}%"
    )
    print(f"\n{ran} mutants in {elapsed:.0f} s ({elapsed / max(ran, 1):.2f} s each, wall clock)")
    if total.survived:
        print(f"\nsurvivors ({len(total.unrun)} of them executed by no test):")
        for mutant in total.survived:
            print(f"  {mutant.key}{NOTE + UNRUN if mutant in total.unrun else ''}")
    if total.errors:
        print("\nharness errors (not counted; the kill could not be judged):")
        for mutant, why in total.errors:
            print(f"  {mutant.key}: {why}")
        return 2
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
