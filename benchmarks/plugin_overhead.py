"""What the plugin costs a test run: disabled, and enabled, against importing the app.

Prints ratios and differences (medians over interleaved rounds of subprocess runs), never
asserts a time:
  - a 200-test suite with the plugin installed but not enabled vs ``-p no:apiposture``
  - ``pytest --apiposture --apiposture-static-only`` vs importing the app alone
    (``python -c "import pkg.main"``), with the number of items the run had, on:
      * the sample apps (default),
      * the generated project of benchmarks/static (``--generated``: its FastAPI and
        Flask halves, each generated at about ``--routes`` routes),
      * any app (``--app pkg.mod:app --root DIR``), e.g. a real app's venv and tree;
  - with ``--probes``: the same runs with probes, serial against ``-n 2``.

Usage:
  python benchmarks/plugin_overhead.py [--repeat 5]
  python benchmarks/plugin_overhead.py --generated [--routes 1000] [--repeat 3] [--probes]
  python benchmarks/plugin_overhead.py --app "pkg.main:app" --root DIR [--python VENV/bin/python]
"""

from __future__ import annotations

import argparse
import math
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "fastapi_vulnerable": "vulnshop.main:app",
    "fastapi_hardened": "safeshop.main:app",
    "flask_vulnerable": "vulnnotes:app",
    "flask_hardened": "safenotes:app",
}
# other installed pytest plugins (schemathesis, hypothesis) cost seconds of imports that
# have nothing to do with this plugin; keep them out of both sides of every ratio
LEAN = ["-p", "no:schemathesis", "-p", "no:hypothesispytest"]
OUTCOME = re.compile(r"(\d+) (passed|failed|skipped|error|errors)\b")
# routes a module of the generated project holds: FastAPI modules (two of three) 18,
# Flask modules 20
FASTAPI_PER_MODULE, FLASK_PER_MODULE = 18, 20


class Timed(NamedTuple):
    wall: float
    cpu: float  # the child's user + system seconds: a busy neighbour moves it far less
    out: str


def run(cmd: Sequence[str], cwd: Path) -> Timed:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Timed(wall, cpu, proc.stdout)


def items_of(output: str) -> int:
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return sum(int(n) for n, _ in OUTCOME.findall(last))


def compare(label: str, py: str, cwd: Path, target: str, repeat: int, probes: bool) -> None:
    """Interleaved rounds: the import, the gate with no cache (``--cache-clear``: a first
    run, or CI without a cache step), the gate again (what the first left: a developer's
    rerun, or CI with its cache restored); medians of the rounds, CPU and wall."""
    module = target.split(":", 1)[0]
    gate = [py, "-m", "pytest", "-q", *LEAN, "--apiposture", f"--apiposture-app={target}",
            "-p", "no:randomly"]  # fmt: skip
    static = [*gate, "--apiposture-static-only"]
    rounds: dict[str, list[Timed]] = {"import": [], "cold": [], "warm": []}
    serial: list[Timed] = []
    parallel: list[Timed] = []
    counted = 0
    for _ in range(repeat):
        rounds["import"].append(run([py, "-c", f"import {module}"], cwd))
        rounds["cold"].append(run([*static, "--cache-clear"], cwd))
        rounds["warm"].append(run(static, cwd))
        counted = items_of(rounds["warm"][-1].out)
        if probes:
            serial.append(run(gate, cwd))
            parallel.append(run([*gate, "-n", "2"], cwd))
    cpu = {k: statistics.median(t.cpu for t in v) for k, v in rounds.items()}
    wall = {k: statistics.median(t.wall for t in v) for k, v in rounds.items()}
    print(
        f"{label}: {counted} items; import {cpu['import']:.2f} CPU s ({wall['import']:.2f}s wall)"
    )
    for kind in ("cold", "warm"):
        over, over_wall = cpu[kind] - cpu["import"], wall[kind] - wall["import"]
        print(f"  static-only, {kind}: {cpu[kind]:.2f} CPU s, overhead {over:.2f} s = "
              f"{over / cpu['import']:.2f}x the import (wall {over_wall:.2f} s = "
              f"{over_wall / wall['import']:.2f}x)")  # fmt: skip
    if probes:
        one, two = (statistics.median(t.wall for t in v) for v in (serial, parallel))
        one_cpu, two_cpu = (statistics.median(t.cpu for t in v) for v in (serial, parallel))
        print(f"  with probes (warm): serial {one:.2f}s wall / {one_cpu:.2f} CPU s, -n 2 "
              f"{two:.2f}s / {two_cpu:.2f} CPU s (wall ratio {two / one:.2f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--generated", action="store_true", help="the generated project")
    parser.add_argument(
        "--routes", type=int, default=1000, help="about this many routes in each generated half"
    )
    parser.add_argument("--app", help="any app: 'pkg.mod:app'")
    parser.add_argument("--root", type=Path, help="the app's project root")
    parser.add_argument("--python", default=sys.executable, help="the app's venv python")
    parser.add_argument("--probes", action="store_true", help="also serial vs -n 2 with probes")
    args = parser.parse_args()
    py = args.python
    if args.app:
        compare(
            args.app, py, (args.root or Path.cwd()).resolve(), args.app, args.repeat, args.probes
        )
        return
    if args.generated:
        sys.path.insert(0, str(ROOT / "benchmarks" / "static"))
        from generate import generate

        # one project per half, sized so that half has about --routes routes
        sizes = {
            "fastapi_app": math.ceil(args.routes / FASTAPI_PER_MODULE * 3 / 2),
            "flask_app": math.ceil(args.routes / FLASK_PER_MODULE * 3),
        }
        for half, modules in sizes.items():
            with tempfile.TemporaryDirectory(prefix="apiposture-overhead-") as tmp:
                generate(Path(tmp), modules, 20)
                target = f"benchproj.{half}:app"
                compare(target, py, Path(tmp), target, args.repeat, args.probes)
        return
    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp)
        (suite / "test_many.py").write_text(
            "import pytest\n\n@pytest.mark.parametrize('n', range(200))\ndef test_n(n):\n    assert n >= 0\n"
        )
        base = statistics.median(
            run([py, "-m", "pytest", "-q", *LEAN, "-p", "no:apiposture"], suite).wall
            for _ in range(args.repeat)
        )
        with_plugin = statistics.median(
            run([py, "-m", "pytest", "-q", *LEAN], suite).wall for _ in range(args.repeat)
        )
    print(f"200 plain tests: without plugin {base:.3f}s, plugin installed but off "
          f"{with_plugin:.3f}s, ratio {with_plugin / base:.3f}")  # fmt: skip
    for sample, target in SAMPLES.items():
        compare(sample, py, ROOT / "sample_apps" / sample, target, args.repeat, args.probes)


if __name__ == "__main__":
    main()
