"""What the plugin costs a test run: disabled, and enabled, against importing the app.

Prints ratios and differences (medians over interleaved rounds of subprocess runs), never
asserts a time:
  - a 200-test suite with the plugin installed but not enabled vs ``-p no:apiposture``
  - ``pytest --apiposture --apiposture-static-only`` vs importing the app alone
    (``python -c "import pkg.main"``), with the number of items the run had, on:
      * the sample apps (default),
      * the generated project of benchmarks/static (``--generated``: its FastAPI and
        Flask halves, ~1,050 routes each with the default size),
      * any app (``--app pkg.mod:app --root DIR``), e.g. a real app's venv and tree;
  - with ``--probes``: the same runs with probes, serial against ``-n 2``.

Usage:
  python benchmarks/plugin_overhead.py [--repeat 5]
  python benchmarks/plugin_overhead.py --generated [--modules 112] [--repeat 3] [--probes]
  python benchmarks/plugin_overhead.py --app "pkg.main:app" --root DIR [--python VENV/bin/python]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "fastapi_vulnerable": "vulnshop.main:app",
    "fastapi_hardened": "safeshop.main:app",
    "flask_vulnerable": "vulnnotes:app",
    "flask_hardened": "safenotes:app",
}
# other installed pytest plugins (schemathesis, hypothesis) cost seconds of imports that
# have nothing to do with this plugin; keep them out of both sides of every ratio
LEAN = ["-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:cacheprovider"]
OUTCOME = re.compile(r"(\d+) (passed|failed|skipped|error|errors)\b")


def run(cmd: Sequence[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc.stdout


def items_of(output: str) -> int:
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return sum(int(n) for n, _ in OUTCOME.findall(last))


def compare(label: str, py: str, cwd: Path, target: str, repeat: int, probes: bool) -> None:
    """Interleaved rounds: import, then the gate, back to back, so a busy neighbour slows
    both sides of a round; medians of the rounds."""
    module = target.split(":", 1)[0]
    gate = [py, "-m", "pytest", "-q", *LEAN, "--apiposture", f"--apiposture-app={target}",
            "-p", "no:randomly"]  # fmt: skip
    static = [*gate, "--apiposture-static-only"]
    imports, statics, counted = [], [], 0
    serial, parallel = [], []
    for _ in range(repeat):
        imports.append(run([py, "-c", f"import {module}"], cwd)[0])
        elapsed, out = run(static, cwd)
        statics.append(elapsed)
        counted = items_of(out)
        if probes:
            serial.append(run(gate, cwd)[0])
            parallel.append(run([*gate, "-n", "2"], cwd)[0])
    imported, checked = statistics.median(imports), statistics.median(statics)
    print(f"{label}: {counted} items; import {imported:.2f}s, pytest --apiposture static "
          f"{checked:.2f}s: overhead {checked - imported:.2f}s = {(checked - imported) / imported:.2f}x "
          "the import")  # fmt: skip
    if probes:
        one, two = statistics.median(serial), statistics.median(parallel)
        print(f"{label}: with probes serial {one:.2f}s, -n 2 {two:.2f}s (ratio {two / one:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--generated", action="store_true", help="the generated project")
    parser.add_argument("--modules", type=int, default=112, help="its size (20 routes a module)")
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

        with tempfile.TemporaryDirectory(prefix="apiposture-overhead-") as tmp:
            generate(Path(tmp), args.modules, 20)
            for half in ("fastapi_app", "flask_app"):
                target = f"benchproj.{half}:app"
                compare(target, py, Path(tmp), target, args.repeat, args.probes)
        return
    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp)
        (suite / "test_many.py").write_text(
            "import pytest\n\n@pytest.mark.parametrize('n', range(200))\ndef test_n(n):\n    assert n >= 0\n"
        )
        base = statistics.median(
            run([py, "-m", "pytest", "-q", *LEAN, "-p", "no:apiposture"], suite)[0]
            for _ in range(args.repeat)
        )
        with_plugin = statistics.median(
            run([py, "-m", "pytest", "-q", *LEAN], suite)[0] for _ in range(args.repeat)
        )
    print(f"200 plain tests: without plugin {base:.3f}s, plugin installed but off "
          f"{with_plugin:.3f}s, ratio {with_plugin / base:.3f}")  # fmt: skip
    for sample, target in SAMPLES.items():
        compare(sample, py, ROOT / "sample_apps" / sample, target, args.repeat, args.probes)


if __name__ == "__main__":
    main()
