"""Static pass time (source index + classification + rules) against the ``ast.parse`` floor.

    python benchmarks/static/bench_static.py [--modules 150] [--routes-per-module 20] [--repeat 3]
    python benchmarks/static/bench_static.py --app "pkg.main:app" --root DIR [--repeat 3]

Generates the synthetic project (generate.py) in a temporary directory, imports both
apps and enumerates their routes with the real adapters (not timed); or, with --app,
imports that app from DIR as the plugin would (the synthetic project is route-dense:
~18 handlers a file; a real app's package is mostly files without one). Then times:

* floor: read + ``ast.parse`` of every .py file the pass reads (the project's), once each;
* cold:  a new SourceIndex with an empty cache directory, ``analyse`` over all routes;
* warm:  a new SourceIndex on the cache the cold run wrote, ``analyse`` again.

Both include the caller's ``is_public`` predicate (once per route, here the config's
``route_matcher``); its own time is printed on a separate line, and so is one
``syntax.walk`` of every parsed tree: the least any rule engine written in Python pays.

Each round measures the floor, a cold and a warm run back to back in CPU time
(``time.process_time``); the printed ratio is the median of the ``--repeat`` rounds' own
ratios, with their range. ``--calls-off-too`` adds, in each round, a cold run of the same
code with the call following switched off (``rules._calls`` resolving no call site) and
prints what the following costs: the median of the rounds' cold-on / cold-off ratios (in
one process, so both see the same heap and the same neighbours), and both digests. On a shared machine a busy neighbour slows this process's CPU
time too (shared cores), so only ratios taken within one round compare (targets: cold <=
1.5x the floor, warm <= 0.1x).
"""

from __future__ import annotations

import argparse
import ast
import gc
import hashlib
import importlib
import statistics
import sys
import tempfile
import time
import unittest.mock
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.config import route_matcher
from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.loading import load_app
from pytest_apiposture.model import Finding, Route, relative_path
from pytest_apiposture.rules import RULES, _calls
from pytest_apiposture.static.engine import AnalysisResult, analyse, project_files_for
from pytest_apiposture.static.source import SourceIndex
from pytest_apiposture.static.syntax import walk


def best(runs: int, work: Callable[[], object]) -> float:
    """The least CPU time of ``runs`` runs, each with the cyclic GC off: the static pass
    turns it off itself, and a floor measured with it on would include collections of
    the imported app's heap (measured on Prefect: a floor 1.47x the parse time with it off), flattering the ratios."""
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            work()
            times.append(time.process_time() - start)
        finally:
            gc.enable()
    return min(times)


def findings_digest(findings: Sequence[Finding], root: Path) -> str:
    """One short hash of what was found, without absolute paths: equal digests before and
    after a change mean the change found exactly the same things."""
    rows = sorted(
        (
            f.code, f.method, f.path, f.severity.value, f.confidence.value, f.message,
            relative_path(f.location.file, str(root)) if f.location else "",
            f.location.line if f.location else 0,
        )
        for f in findings
    )  # fmt: skip
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=150)
    parser.add_argument("--routes-per-module", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--app", help="a real app to measure instead (module:attr[()])")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="its project root")
    parser.add_argument(
        "--calls-off-too",
        action="store_true",
        help="also time each cold run without following calls into project functions",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="apiposture-bench-") as tmp:
        routes: list[Route]
        if args.app:
            root = args.root.resolve()
            loaded = load_app(args.app, root)
            routes = select_adapter(loaded.app).routes(loaded.app)
            project_files = project_files_for(routes, loaded.module_file, root)
        else:
            root = Path(tmp) / "project"
            package = generate(root, args.modules, args.routes_per_module)
            sys.path.insert(0, str(root))
            routes = []
            for target in ("benchproj.fastapi_app", "benchproj.flask_app"):
                app = importlib.import_module(target).app
                routes += select_adapter(app).routes(app)
            project_files = project_files_for(routes, package / "fastapi_app.py", root)
        # the floor parses what the pass reads: the project's files and handler files
        handler_files = {r.location.file for r in routes if r.location is not None}
        files = sorted(
            {Path(p) for p in project_files}
            | {Path(f) for f in handler_files if Path(f).is_relative_to(root) and f.endswith(".py")}
        )
        rules = [rule() for rule in RULES]
        is_public = route_matcher(DEFAULT_KNOWLEDGE.public_routes)

        def floor() -> None:
            for path in files:
                ast.parse(path.read_bytes(), filename=str(path))

        def run(cache_dir: Path, *, follow: bool = True) -> AnalysisResult:
            if not follow:
                with unittest.mock.patch.object(_calls, "_sites", lambda index, fs: []):
                    return run(cache_dir)
            index = SourceIndex(root, cache_dir=cache_dir)
            return analyse(
                routes,
                root=root,
                knowledge=DEFAULT_KNOWLEDGE,
                index=index,
                rules=rules,
                is_public=is_public,
                project_files=project_files,
            )

        caches = iter(range(10_000))
        cache_root = Path(tmp) / "caches"
        warm_dir = cache_root / "warm"
        cold_result = run(warm_dir)
        # Interleaved rounds: floor, cold, warm back to back, so a neighbour that slows the
        # machine down slows all three; the ratio printed is the median of the rounds'.
        rounds: list[tuple[float, float, float]] = []
        follow_ratios: list[float] = []
        for number in range(args.repeat):
            parse = best(1, floor)
            cold = best(1, lambda: run(cache_root / str(next(caches))))
            warm = best(1, lambda: run(warm_dir))
            rounds.append((parse, cold, warm))
            if args.calls_off_too:
                off = best(1, lambda: run(cache_root / str(next(caches)), follow=False))
                if number % 2:  # the other order too: neither run always comes first
                    cold = best(1, lambda: run(cache_root / str(next(caches))))
                follow_ratios.append(cold / off)
        off_result = run(cache_root / "off", follow=False) if args.calls_off_too else None
        warm_result = run(warm_dir)
        public = best(args.repeat, lambda: [is_public(route) for route in routes])
        # what one Python-level visit of every node costs: the floor under any rule engine
        # written in Python (the rules share one such visit of each handler)
        trees = [ast.parse(path.read_bytes(), filename=str(path)) for path in files]
        visit = best(args.repeat, lambda: [walk(tree) for tree in trees])

    same = sorted(map(repr, cold_result.findings)) == sorted(map(repr, warm_result.findings))
    parse = statistics.median(r[0] for r in rounds)
    cold_ratios = [c / f for f, c, _ in rounds]
    warm_ratios = [w / f for f, _, w in rounds]
    print(
        f"project: {len(files)} files, {len(routes)} routes, {len(cold_result.findings)} findings"
        f" (digest {findings_digest(cold_result.findings, root)})"
    )
    print(f"parse floor : {parse * 1000:8.1f} ms (median of {len(rounds)} rounds)")
    print(
        f"cold static : {statistics.median(r[1] for r in rounds) * 1000:8.1f} ms  = "
        f"{statistics.median(cold_ratios):5.2f}x the parse floor "
        f"(rounds {min(cold_ratios):.2f}-{max(cold_ratios):.2f})"
    )
    print(
        f"warm static : {statistics.median(r[2] for r in rounds) * 1000:8.1f} ms  = "
        f"{statistics.median(warm_ratios):5.2f}x the parse floor "
        f"(rounds {min(warm_ratios):.2f}-{max(warm_ratios):.2f})"
    )
    print(f"is_public   : {public * 1000:8.1f} ms  = {public / parse:5.2f}x (in both figures)")
    print(
        f"node visit  : {visit * 1000:8.1f} ms  = {visit / parse:5.2f}x (syntax.walk of every tree)"
    )
    print(f"warm findings identical to cold: {same}")
    if off_result is not None:
        print(
            f"call following: cold {statistics.median(follow_ratios):.3f}x the same cold run "
            f"without it (rounds {min(follow_ratios):.3f}-{max(follow_ratios):.3f}); without "
            f"it: {len(off_result.findings)} findings "
            f"(digest {findings_digest(off_result.findings, root)})"
        )


if __name__ == "__main__":
    main()
