"""Mutation testing of the decision modules: does some test notice when a decision changes?

    python benchmarks/mutation/mutate.py                      # every decision module
    python benchmarks/mutation/mutate.py --sample 40 --seed 1 # a quick, repeatable sample
    python benchmarks/mutation/mutate.py --module probes/bola.py --jobs 2

Each mutant (operators.py) is applied, one at a time, to a temporary copy of
``pytest_apiposture/`` (the real tree is never edited); the module's own tests (``TESTS``)
run against the copy through ``PYTHONPATH`` with ``pytest -x -q -p no:cacheprovider``, and
a timeout the harness sets. A mutant is *killed* when pytest fails, *survives* when it
passes, *timed out* when it hangs (counted as killed, reported apart). Mutants listed in
``equivalent.txt`` (they cannot change behaviour) are run by no one and left out of the
score. ``--named`` runs the hand-written mutants of ``named.txt`` (issue 19's survivors)
instead. Exit status: 0; 1 when a ``--named`` mutant survives or, with ``--min-score``, a
module scores below it; 2 when the unmutated tests fail or the copy is not what is imported.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from operators import Mutant, apply, mutants

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "pytest_apiposture"
EQUIVALENT = Path(__file__).resolve().parent / "equivalent.txt"
NAMED = Path(__file__).resolve().parent / "named.txt"

# Fastest and most telling first (``-x`` stops at the first failure). Left out: tests of the
# cache, the docs and the sample apps' probes (12 s for the FastAPI twin alone), which judge
# no decision the listed ones do not.
_RULE_TESTS = (
    "tests/rules/test_rules_fixtures.py",
    "tests/rules/test_rules_sample_apps.py",
    "tests/rules/test_rules_auth.py",
    "tests/rules/test_auth_decisions.py",
    "tests/rules/test_text_filters.py",
    "tests/rules/test_prechecks.py",
    "tests/rules/test_rules_source.py",
    "tests/rules/test_rules_knowledge.py",
)
_PROBE_TESTS = (
    "tests/probes/test_probe_decisions.py",
    "tests/probes/test_exposure_decisions.py",
    "tests/probes/test_probe_helpers.py",
    "tests/probes/test_probe_writes.py",
    "tests/probes/test_probes_fixture_apps.py",
    "tests/probes/test_delete_probes.py",
    "tests/probes/test_issued_credentials.py",
    "tests/probes/test_probe_mutants_context.py",
    "tests/probes/test_probe_mutants_run.py",
    "tests/probes/test_probe_mutants_runtime.py",
    "tests/probes/test_probe_mutants_bola.py",
    "tests/probes/test_probe_mutants_mass.py",
    "tests/probes/test_probe_mutants_exposure.py",
    "tests/probes/test_probe_mutants_missing_auth.py",
    "tests/probes/test_probe_mutants_discover.py",
    "tests/probes/test_probe_mutants_bola_people.py",
)
_VERDICT_TESTS = (
    "tests/core/test_verdict.py",
    "tests/report/test_report_suppress.py",
    "tests/report/test_report_baseline.py",
    "tests/report/test_report_policy.py",
)
#: decision module (relative to the package) -> the tests that judge it
TESTS: dict[str, tuple[str, ...]] = {
    "static/auth.py": _RULE_TESTS,
    "static/guardcode.py": _RULE_TESTS,
    "static/denials.py": _RULE_TESTS,
    **{f"rules/{p.name}": _RULE_TESTS for p in sorted((ROOT / PACKAGE / "rules").glob("aps*.py"))},
    "openapi/drift.py": ("tests/drift/test_drift.py", "tests/drift/test_sample_apps.py"),
    "openapi/operation_drift.py": ("tests/drift/test_drift.py", "tests/drift/test_sample_apps.py"),
    "probes/missing_auth.py": _PROBE_TESTS,
    "probes/bola.py": _PROBE_TESTS,
    "probes/mass_assignment.py": _PROBE_TESTS,
    "probes/exposure.py": _PROBE_TESTS,
    "probes/base.py": _PROBE_TESTS,
    "probes/context.py": _PROBE_TESTS,
    "probes/run.py": _PROBE_TESTS,
    "probes/runtime.py": _PROBE_TESTS,
    "probes/data_exposure.py": _PROBE_TESTS,
    "probes/discover.py": _PROBE_TESTS,
    "verdict.py": _VERDICT_TESTS,
    "suppress.py": _VERDICT_TESTS,
}


@dataclass
class Tally:
    killed: int = 0
    timed_out: int = 0
    equivalent: int = 0
    survived: list[Mutant] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return self.killed + self.timed_out + len(self.survived)

    @property
    def score(self) -> float:
        return 100.0 * (self.killed + self.timed_out) / self.scored if self.scored else 100.0


def tests_of(mutant: Mutant) -> tuple[str, ...]:
    """The module's tests that exist (an older checkout may lack some)."""
    return tuple(t for t in TESTS[mutant.module.split("/", 1)[1]] if (ROOT / t).exists())


def equivalent_keys(path: Path = EQUIVALENT) -> set[str]:
    """``module:line: mutation | why`` lines; ``#`` starts a comment."""
    keys = set()
    for raw in path.read_text().splitlines() if path.exists() else ():
        line = raw.strip()
        if line and not line.startswith("#"):
            keys.add(line.split(" | ", 1)[0].strip())
    return keys


def named_mutants(path: Path = NAMED) -> list[Mutant]:
    """``module | text | replacement | test``: the hand-written mutants (issue 19)."""
    found = []
    for raw in path.read_text().splitlines():
        if raw.strip() and not raw.startswith("#"):
            module, old, new, _test = (part.strip() for part in raw.split(" | "))
            source = (ROOT / PACKAGE / module).read_text()
            line = source[: source.find(old)].count("\n") + 1
            text = f"`{old}` -> `{new}`"
            found.append(Mutant(f"{PACKAGE}/{module}", line, text, -1, 0, (old, new)))
    return found


def all_mutants(modules: Iterable[str]) -> list[Mutant]:
    found: list[Mutant] = []
    for module in modules:
        path = f"{PACKAGE}/{module}"
        found.extend(mutants(path, (ROOT / path).read_text()))
    return found


class Worker:
    """One private copy of the package; mutants are written into it and put back."""

    def __init__(self, base: Path) -> None:
        self.dir = base
        shutil.copytree(
            ROOT / PACKAGE, base / PACKAGE, ignore=shutil.ignore_patterns("__pycache__")
        )
        # PYTHONSAFEPATH: ``python -m pytest`` would put the cwd (the real tree) first.
        # No plugin autoload (a second or more per run on a busy machine): only ours.
        self.env = dict(
            os.environ,
            PYTHONPATH=f"{base}{os.pathsep}{ROOT}",
            PYTHONSAFEPATH="1",
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        )
        self.env.pop("PYTEST_ADDOPTS", None)

    def where(self) -> str:
        code = f"import {PACKAGE}; print({PACKAGE}.__file__)"
        out = subprocess.run(
            [sys.executable, "-c", code], env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip()

    def pytest(self, tests: Sequence[str], timeout: float, bytecode: bool) -> tuple[str, float]:
        env = dict(self.env) if bytecode else dict(self.env, PYTHONDONTWRITEBYTECODE="1")
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        command += ["-p", f"{PACKAGE}.plugin", *tests]
        start = time.monotonic()
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return "timeout", time.monotonic() - start
        return ("survived" if code == 0 else "killed"), time.monotonic() - start

    def run(self, mutant: Mutant, timeout: float) -> str:
        target = self.dir / mutant.module
        original = (ROOT / mutant.module).read_text()
        for stale in target.parent.glob(f"__pycache__/{target.stem}.*.pyc"):
            stale.unlink()
        target.write_text(apply(original, mutant))
        try:
            outcome, _ = self.pytest(tests_of(mutant), timeout, False)
        finally:
            target.write_text(original)
        return outcome


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
    args = parser.parse_args(argv)

    modules = args.module or list(TESTS)
    unknown = [m for m in modules if m not in TESTS]
    if unknown:
        parser.error(f"not a decision module: {', '.join(unknown)} (see TESTS)")
    equivalent = equivalent_keys()
    found = named_mutants() if args.named else all_mutants(modules)
    if args.named:
        modules = list(dict.fromkeys(m.module.split("/", 1)[1] for m in found))
    tallies = {f"{PACKAGE}/{m}": Tally() for m in modules}
    todo = []
    for mutant in found:
        if mutant.key in equivalent:
            tallies[mutant.module].equivalent += 1
        else:
            todo.append(mutant)
    if args.rerun:
        lines = args.rerun.read_text().splitlines()
        again = {line.split(" survived ", 1)[1].strip() for line in lines if " survived " in line}
        again |= {line.strip() for line in lines if line.startswith("  pytest_apiposture/")}
        todo = [m for m in todo if m.key in again]
    if args.match:
        todo = [m for m in todo if any(text in m.key for text in args.match)]
    if args.sample is not None:
        todo = sorted(
            random.Random(args.seed).sample(todo, min(args.sample, len(todo))),
            key=lambda m: (m.module, m.index, m.variant),
        )
    if args.list:
        for mutant in todo:
            print(mutant.key)
        print(f"{len(todo)} mutants ({len(found)} made, {len(found) - len(todo)} not run)")
        return 0

    with tempfile.TemporaryDirectory(prefix="apiposture-mutants-") as tmp:
        workers = [Worker(Path(tmp) / f"w{i}") for i in range(max(1, args.jobs))]
        if not workers[0].where().startswith(tmp):
            print(f"mutate: the copy is not the package imported: {workers[0].where()}")
            return 2
        timeouts: dict[tuple[str, ...], float] = {}
        for worker in workers:  # bytecode for the unmutated modules, once
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(worker.dir)], check=True)
        suites = sorted({tests_of(m) for m in todo})
        with ThreadPoolExecutor(len(workers)) as pool:
            runs = pool.map(lambda tests: workers[0].pytest(tests, 900, True), suites)
            for tests, (outcome, seconds) in zip(suites, runs, strict=True):
                if outcome != "survived":
                    print(f"mutate: the unmutated tests fail: {' '.join(tests)}")
                    return 2
                print(f"baseline {seconds:5.1f} s  {' '.join(tests)}", flush=True)
                timeouts[tests] = 60 + 3 * seconds
        free = list(workers)
        start = time.monotonic()

        def one(mutant: Mutant) -> tuple[Mutant, str]:
            worker = free.pop()
            try:
                return mutant, worker.run(mutant, timeouts[tests_of(mutant)])
            finally:
                free.append(worker)

        with ThreadPoolExecutor(len(workers)) as pool:
            for done, (mutant, outcome) in enumerate(pool.map(one, todo), 1):
                tally = tallies[mutant.module]
                if outcome == "killed":
                    tally.killed += 1
                elif outcome == "timeout":
                    tally.timed_out += 1
                else:
                    tally.survived.append(mutant)
                print(f"[{done}/{len(todo)}] {outcome:8} {mutant.key}", flush=True)
        elapsed = time.monotonic() - start
    status = report(tallies, elapsed, len(todo), args.min_score)
    if args.named and any(t.survived for t in tallies.values()):
        print("mutate: a mutant of named.txt survived: the test named for it no longer kills it")
        return 1
    return status


def report(tallies: dict[str, Tally], elapsed: float, ran: int, minimum: float | None) -> int:
    print(f"\n{'module':42} {'mutants':>7} {'killed':>6} {'surv':>5} {'t/o':>4} {'equiv':>5} score")
    low = []
    for module, t in tallies.items():
        if not t.scored and not t.equivalent:
            continue
        print(
            f"{module.removeprefix(PACKAGE + '/'):42} {t.scored:7} {t.killed:6} "
            f"{len(t.survived):5} {t.timed_out:4} {t.equivalent:5} {t.score:5.1f}%"
        )
        if minimum is not None and t.scored and t.score < minimum:
            low.append(module)
    total = Tally()
    for t in tallies.values():
        total.killed += t.killed
        total.timed_out += t.timed_out
        total.survived += t.survived
    print(
        f"{'all':42} {total.scored:7} {total.killed:6} {len(total.survived):5} "
        f"{total.timed_out:4} {'':5} {total.score:5.1f}%"
    )
    print(f"\n{ran} mutants in {elapsed:.0f} s ({elapsed / max(ran, 1):.1f} s each, wall clock)")
    if total.survived:
        print("\nsurvivors:")
        for mutant in total.survived:
            print(f"  {mutant.key}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
