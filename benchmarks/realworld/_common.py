"""Shared steps of the real-app runs: venv, install, project, timed runs, results.

Every run gets its own directories under the base directory (``--base``, or the
``APIPOSTURE_REALWORLD_DIR`` environment variable, default
``~/.cache/apiposture-realworld``), never inside this repository:

    <base>/<venv>/               the app's virtual environment (shared by runs of one app)
    <base>/state/<run>/          fresh per run: the app's state (database, home dir) and
                                 project/, a checkout-like tree: src/<pkg> links to the
                                 installed package, pyproject.toml holds the configuration
    <base>/results/<run>/        static.json, probes.json (the apiposture JSON reports),
                                 routes.json (independent count), run.json (times, errors),
                                 *.log (pytest output)

The project tree mirrors how the gate runs in the app's own repository: the app's code
is under the rootdir (so the static rules read it), the virtual environment is not (so
the frameworks' code is not mistaken for the app's).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PLUGINS = HERE / "plugins"
TRACEBACK = re.compile(r"^Traceback \(most recent call last\)|^INTERNALERROR", re.MULTILINE)
# pytest's last line: "3 failed, 10 passed, 2 skipped in 4.2s", "no tests ran in 0.1s"
OUTCOME = re.compile(r"^=* ?(?:\d+ \w+(?:, )?)+ in [\d.]+s|^=* ?no tests ran", re.MULTILINE)


def default_base() -> Path:
    env = os.environ.get("APIPOSTURE_REALWORLD_DIR")
    return Path(env) if env else Path.home() / ".cache" / "apiposture-realworld"


@dataclass
class RunSpec:
    """One configuration of one app."""

    name: str  # results/<name>, state/<name>
    venv: str  # <base>/<venv>: runs of one app share it
    requirement: str  # what pip installs: "prefect", "mlflow[auth]"
    package: str  # top-level package linked into project/src
    target: str  # --apiposture-app
    env: Mapping[str, str] = field(default_factory=dict)  # "{state}" is the state dir
    # more top-level packages of the app's own repository, linked beside it (a monorepo's
    # other distributions: OPAL's server imports its guards from opal_common)
    extra_packages: Sequence[str] = ()
    public: Sequence[str] = ()
    extra_requirements: Sequence[str] = ()  # what the app's own pins would have brought
    identities: Sequence[str] = ()  # NAME=Header: value, when the credential is fixed
    identities_plugin: str | None = None  # module in plugins/ (pytest -p)
    host: str | None = None
    # more pytest arguments: "-p no:phoenix" when a library's pytest plugin would import the
    # app's package from site-packages before the project's src/ is on the path
    pytest_args: Sequence[str] = ()
    # (state dir, environment, venv python) -> None: databases, config files
    prepare: Callable[[Path, dict[str, str], Path], None] | None = None
    # the app's Requires-Python floor when it is above the harness's own: the venv is made
    # by the interpreter that runs the harness, so run it with that Python
    requires_python: tuple[int, int] | None = None


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base", type=Path, default=default_base(), help="work directory")
    parser.add_argument(
        "--venv", type=Path, default=None, help="the app's venv (default <base>/<app>)"
    )
    parser.add_argument("--skip-install", action="store_true", help="use the venv as it is")
    parser.add_argument("--no-probes", action="store_true", help="static run only")
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="install, prepare the state, count the routes and time one import; run no "
        "pytest (an app kept unseen until its measurement can be set up without a look)",
    )
    parser.add_argument(
        "--ci-checkout",
        action="store_true",
        help="then rewrite the venv's and the project's files as a fresh CI job has them "
        "(same bytes, new mtimes and inodes), keep pytest's cache as a CI cache step "
        "restores it, and time one more static run",
    )
    parser.add_argument(
        "--pythonpath",
        type=Path,
        default=None,
        help="import pytest_apiposture from this directory instead (try a change on the apps)",
    )
    parser.add_argument("--results", default="results", help="results directory name under --base")
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="times to run the import and the static run (least wins)",
    )
    return parser.parse_args()


def run(spec: RunSpec, args: argparse.Namespace) -> dict[str, Any]:
    base: Path = args.base.resolve()
    if base == REPO or REPO in base.parents:
        sys.exit(f"--base {base} is inside the repository; choose a directory outside it")
    venv = (args.venv or base / spec.venv).resolve()
    python = ensure_venv(venv, spec, skip_install=args.skip_install)
    state = fresh(base / "state" / spec.name)
    results = fresh(base / args.results / spec.name)
    env = environment(spec, state, args.pythonpath)
    record: dict[str, Any] = {"run": spec.name, "target": spec.target, "venv": str(venv)}
    record["versions"] = versions(python, spec)
    try:
        if spec.prepare is not None:
            started = time.perf_counter()
            spec.prepare(state, env, python)
            record["prepare_seconds"] = round(time.perf_counter() - started, 2)
        project = make_project(state, spec, python)
        record["count"] = count_routes(python, spec, env, project, results)
        if args.setup_only:
            record["setup_only"] = True
            record["import"] = import_time(python, spec, env, project, results)
            return _write_record(record, results)
        # import alone and the static run, alternated: the least of each is the figure
        # (a shared machine only ever adds time)
        imports, statics = [], []
        for _ in range(max(1, args.repeat)):
            imports.append(import_time(python, spec, env, project, results))
            statics.append(pytest_run(python, spec, env, project, results, static=True))
        record["import"] = _least(imports)
        record["static"] = _least(statics)
        record["static_cold"] = statics[0]  # no cache yet (the state dir is fresh)
        if args.ci_checkout:
            fresh_checkout(venv)
            # bytecode, as pip install compiles it: the app's modules, then pytest's own
            import_time(python, spec, env, project, results)
            subprocess.run(
                [str(python), "-m", "pytest", "-q", "--co", "-p", "no:cacheprovider"],
                env=_src_env(env, project),
                cwd=project,
                capture_output=True,
                check=False,
            )
            record["import_checkout"] = import_time(python, spec, env, project, results)
            record["static_checkout"] = pytest_run(python, spec, env, project, results, static=True)
        if not args.no_probes:
            record["probes"] = pytest_run(python, spec, env, project, results, static=False)
    except subprocess.CalledProcessError as exc:
        record["error"] = f"{' '.join(map(str, exc.cmd))[:200]} exited {exc.returncode}"
    return _write_record(record, results)


def fresh_checkout(venv: Path) -> None:
    """Every file of the venv (the app's package included: the project links to it) as a
    CI job has it after a checkout and an install: the same bytes under a new inode and
    mtime. Bytecode is written elsewhere (PYTHONPYCACHEPREFIX)."""
    later = time.time()
    for directory, _, names in os.walk(venv):
        for name in names:
            path = Path(directory, name)
            if path.is_symlink() or not path.is_file():
                continue
            copy = path.with_name(name + ".checkout-tmp")
            shutil.copy2(path, copy)
            os.utime(copy, (later, later))
            os.replace(copy, path)


def _write_record(record: dict[str, Any], results: Path) -> dict[str, Any]:
    (results / "run.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(f"{record['run']}: results in {results}")
    return record


def ensure_venv(venv: Path, spec: RunSpec, *, skip_install: bool) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if spec.requires_python:
        have_version = subprocess.run(
            [str(python), "-c", "import sys; print(*sys.version_info[:2])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        if tuple(map(int, have_version)) < spec.requires_python:
            floor = ".".join(map(str, spec.requires_python))
            sys.exit(
                f"{spec.requirement} needs Python >= {floor} and {venv} has "
                f"{'.'.join(have_version)}: remove it and run this script with Python {floor}"
            )
    if skip_install:
        return python
    # in the venv's directory: an app may write files where it is imported (LNbits creates
    # ./data/.lnbits_auth_key), and the harness may be run from inside the repository
    have = subprocess.run(
        [str(python), "-c", f"import {spec.package}, pytest_apiposture"],
        capture_output=True,
        cwd=venv,
    )
    if have.returncode != 0:
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "-U", "pip"], check=True)
        subprocess.run([*pip, spec.requirement, *spec.extra_requirements], check=True)
        subprocess.run([*pip, "-e", str(REPO)], check=True)  # the plugin and its dependencies
    return python


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def environment(spec: RunSpec, state: Path, plugin_source: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update({k: v.format(state=state) for k, v in spec.env.items()})
    # bytecode in the state dir, nothing written next to the installed package; cached as
    # on a user's machine (the first of the repeated rounds compiles, the least wins)
    env["PYTHONPYCACHEPREFIX"] = str(state / "pycache")
    # apiposture_no_network and the identity plugins; first, a pytest_apiposture to try out
    paths = [str(plugin_source.resolve())] if plugin_source else []
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(PLUGINS)])
    return env


def make_project(state: Path, spec: RunSpec, python: Path) -> Path:
    """project/: src/<pkg> -> the installed package (and any extra packages),
    pyproject.toml, an empty tests/."""
    project = state / "project"
    (project / "src").mkdir(parents=True)
    (project / "tests").mkdir()
    for package in (spec.package, *spec.extra_packages):
        installed = subprocess.run(
            [
                str(python),
                "-c",
                f"import importlib.util as u; print(u.find_spec({package!r}).submodule_search_locations[0])",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        (project / "src" / package).symlink_to(installed, target_is_directory=True)
    (project / "pyproject.toml").write_text(pyproject(spec), encoding="utf-8")
    return project


def pyproject(spec: RunSpec) -> str:
    lines = [
        "[tool.pytest.ini_options]",
        'testpaths = ["tests"]',
        "",
        "[tool.apiposture]",
        f"app = {json.dumps(spec.target)}",
        f"public = {json.dumps(list(spec.public))}",
    ]
    if spec.identities:
        lines.append(f"identities = {json.dumps(list(spec.identities))}")
    if spec.host:
        lines.append(f"host = {json.dumps(spec.host)}")
    return "\n".join(lines) + "\n"


def versions(python: Path, spec: RunSpec) -> dict[str, str]:
    dist = re.split(r"[\[<>=!~; ]", spec.requirement, maxsplit=1)[0]  # "pkg[extra]", "pkg==1.2"
    code = (
        "import importlib.metadata as m, json, sys\n"
        f"names = [{dist!r}, 'fastapi', 'starlette', 'flask', 'werkzeug', 'pytest']\n"
        "out = {}\n"
        "for n in names:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "out['python'] = sys.version.split()[0]\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    return json.loads(done.stdout) if done.returncode == 0 else {}


CPU_SECONDS: dict[Path, float] = {}  # log -> the child's user+sys CPU seconds


def _timed(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> tuple[float, int, str]:
    """Wall seconds, exit code, output; the child's CPU seconds go to ``CPU_SECONDS[log]``
    (on a shared machine the CPU time moves far less than the wall time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU_SECONDS[log] = round(cpu, 2)
    return round(seconds, 2), done.returncode, log.read_text(encoding="utf-8", errors="replace")


def count_routes(
    python: Path, spec: RunSpec, env: dict[str, str], project: Path, results: Path
) -> dict[str, Any]:
    out = results / "routes.json"
    cmd = [str(python), str(HERE / "count_routes.py"), spec.target, "--out", str(out)]
    if spec.host:
        cmd += ["--host", spec.host]
    seconds, code, text = _timed(cmd, _src_env(env, project), project, results / "count.log")
    if code != 0:
        return {"error": _last_line(text), "seconds": seconds}
    routes = json.loads(out.read_text(encoding="utf-8"))["routes"]
    return {"routes": len(routes), "seconds": seconds}


def import_time(
    python: Path, spec: RunSpec, env: dict[str, str], project: Path, results: Path
) -> dict[str, Any]:
    """Wall time of a process that only imports the app and builds it."""
    out = results / "import.json"
    cmd = [
        str(python),
        str(HERE / "count_routes.py"),
        spec.target,
        "--out",
        str(out),
        "--import-only",
    ]
    seconds, code, text = _timed(cmd, _src_env(env, project), project, results / "import.log")
    if code != 0:
        return {"error": _last_line(text), "seconds": seconds}
    inner = json.loads(out.read_text(encoding="utf-8"))["import_seconds"]
    cpu = CPU_SECONDS[results / "import.log"]
    return {"seconds": seconds, "cpu_seconds": cpu, "in_process_seconds": round(inner, 2)}


def _least(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The last result, with the least wall time of all and every wall time."""
    least = dict(results[-1])
    least["all_seconds"] = [r["seconds"] for r in results]
    least["seconds"] = min(r["seconds"] for r in results)
    errors = [
        r for r in results if r.get("error") or r.get("tracebacks") or r.get("network_attempts")
    ]
    if errors:  # a failure in any repetition is reported, not hidden by a clean last one
        least.update({k: v for k, v in errors[0].items() if k != "seconds"})
    return least


def _src_env(env: dict[str, str], project: Path) -> dict[str, str]:
    """Import the app from project/src, as the plugin does (it puts src/ on sys.path)."""
    paths = [str(project / "src"), env.get("PYTHONPATH", "")]
    return {**env, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def pytest_run(
    python: Path, spec: RunSpec, env: dict[str, str], project: Path, results: Path, *, static: bool
) -> dict[str, Any]:
    label = "static" if static else "probes"
    report = results / f"{label}.json"
    netlog = results / f"network-{label}.log"
    # pytest's cache holds the static pass's cache: the first static run is cold, the
    # repeats warm (as a developer's second run); the probe run starts cold again
    cache = [] if static else ["-p", "no:cacheprovider"]
    cmd = [
        str(python),
        "-m",
        "pytest",
        "-q",
        *cache,
        "-p",
        "apiposture_no_network",
        "--apiposture",
        f"--apiposture-json={report}",
    ]
    if static:
        cmd.append("--apiposture-static-only")
    if spec.identities_plugin:
        cmd += ["-p", spec.identities_plugin]
    cmd += list(spec.pytest_args)
    run_env = {**env, "APIPOSTURE_NETLOG": str(netlog)}
    seconds, code, text = _timed(cmd, run_env, project, results / f"{label}.log")
    attempts = netlog.read_text(encoding="utf-8").splitlines() if netlog.exists() else []
    outcomes = OUTCOME.findall(text)
    return {
        "seconds": seconds,
        "cpu_seconds": CPU_SECONDS[results / f"{label}.log"],
        "exit_code": code,
        "tracebacks": len(TRACEBACK.findall(text)),
        "report": report.exists(),
        "network_attempts": len(attempts),
        "outcome": outcomes[-1].strip("= ")[:200] if outcomes else _last_line(text),
    }


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
