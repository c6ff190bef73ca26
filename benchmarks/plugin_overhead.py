"""What the plugin costs a test run: disabled, and enabled on the sample apps.

Prints ratios (medians over repeated subprocess runs), never asserts a time:
  - a 200-test suite with the plugin installed but not enabled vs ``-p no:apiposture``
  - ``pytest --apiposture --apiposture-static-only`` on each sample app vs importing the
    app alone (``python -c "import pkg.main"``)

Usage: python benchmarks/plugin_overhead.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "fastapi_vulnerable": "vulnshop.main",
    "fastapi_hardened": "safeshop.main",
    "flask_vulnerable": "vulnnotes",
    "flask_hardened": "safenotes",
}
# other installed pytest plugins (schemathesis, hypothesis) cost seconds of imports that
# have nothing to do with this plugin; keep them out of both sides of every ratio
LEAN = ["-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:cacheprovider"]


def timed(cmd: list[str], cwd: Path, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp)
        (suite / "test_many.py").write_text(
            "import pytest\n\n@pytest.mark.parametrize('n', range(200))\ndef test_n(n):\n    assert n >= 0\n"
        )
        base = timed([py, "-m", "pytest", "-q", *LEAN, "-p", "no:apiposture"], suite, args.repeat)
        with_plugin = timed([py, "-m", "pytest", "-q", *LEAN], suite, args.repeat)
    print(f"200 plain tests: without plugin {base:.3f}s, plugin installed but off {with_plugin:.3f}s, "
          f"ratio {with_plugin / base:.3f}")
    for sample, module in SAMPLES.items():
        cwd = ROOT / "sample_apps" / sample
        imported = timed([py, "-c", f"import {module}"], cwd, args.repeat)
        static = timed([py, "-m", "pytest", "-q", *LEAN, "--apiposture", "--apiposture-static-only"], cwd, args.repeat)
        print(f"{sample}: import app {imported:.3f}s, pytest --apiposture static {static:.3f}s, "
              f"ratio {static / imported:.2f}")


if __name__ == "__main__":
    main()
