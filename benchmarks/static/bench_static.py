"""Static pass time (source index + classification + rules) against the ``ast.parse`` floor.

    python benchmarks/static/bench_static.py [--modules 150] [--routes-per-module 20] [--repeat 3]

Generates the synthetic project (generate.py) in a temporary directory, imports both
apps and enumerates their routes with the real adapters (not timed), then times:

* floor: read + ``ast.parse`` of every .py file of the project, once each;
* cold:  a new SourceIndex with an empty cache directory, ``analyse`` over all routes;
* warm:  a new SourceIndex on the cache the cold run wrote, ``analyse`` again.

Both include the caller's ``is_public`` predicate (once per route, here the config's
``route_matcher``); its own time is printed on a separate line.

Each figure is the best of ``--repeat`` runs of CPU time (``time.process_time``: other
processes on a shared machine inflate wall time, not this); the ratios are what to
compare (targets: cold <= 1.5x the floor, warm <= 0.1x).
"""

from __future__ import annotations

import argparse
import ast
import gc
import importlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.analysis import AnalysisResult, analyse, project_files_for
from pytest_apiposture.config import route_matcher
from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Route
from pytest_apiposture.rules import RULES
from pytest_apiposture.source import SourceIndex


def best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=150)
    parser.add_argument("--routes-per-module", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="apiposture-bench-") as tmp:
        root = Path(tmp) / "project"
        package = generate(root, args.modules, args.routes_per_module)
        sys.path.insert(0, str(root))
        routes: list[Route] = []
        for target in ("benchproj.fastapi_app", "benchproj.flask_app"):
            app = importlib.import_module(target).app
            routes += select_adapter(app).routes(app)
        files = sorted(package.rglob("*.py"))
        project_files = project_files_for(routes, package / "fastapi_app.py", root)
        rules = [rule() for rule in RULES]
        is_public = route_matcher(DEFAULT_KNOWLEDGE.public_routes)

        def floor() -> None:
            for path in files:
                ast.parse(path.read_bytes(), filename=str(path))

        def run(cache_dir: Path) -> AnalysisResult:
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
        parse = best(args.repeat, floor)
        cold = best(args.repeat, lambda: run(cache_root / str(next(caches))))
        warm_dir = cache_root / "warm"
        cold_result = run(warm_dir)
        warm = best(args.repeat, lambda: run(warm_dir))
        warm_result = run(warm_dir)
        public = best(args.repeat, lambda: [is_public(route) for route in routes])

    same = sorted(map(repr, cold_result.findings)) == sorted(map(repr, warm_result.findings))
    print(
        f"project: {len(files)} files, {len(routes)} routes, {len(cold_result.findings)} findings"
    )
    print(f"parse floor : {parse * 1000:8.1f} ms")
    print(f"cold static : {cold * 1000:8.1f} ms  = {cold / parse:5.2f}x the parse floor")
    print(f"warm static : {warm * 1000:8.1f} ms  = {warm / parse:5.2f}x the parse floor")
    print(f"is_public   : {public * 1000:8.1f} ms  = {public / parse:5.2f}x (in both figures)")
    print(f"warm findings identical to cold: {same}")


if __name__ == "__main__":
    main()
