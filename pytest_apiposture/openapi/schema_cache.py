"""The app's generated OpenAPI schema, kept across runs while nothing it came from changed.

On a FastAPI app the schema is most of what a static-only run costs over importing the
app (Prefect: 2.3 s of CPU, LiteLLM 2.9 s), and the drift checks read it: a stale schema
would make their verdicts wrong, so the key is everything the generation could read.

- the run's routes (method, path, handler, in the schema or not) and the app's target;
- every module file the process has loaded (the project's and the installed libraries'):
  its path and content hash, with its mtime, size and inode to skip reading it while
  they are unchanged (not when it was written within two seconds of the save: a stat
  that close to an edit proves nothing). A fresh checkout or reinstall changes every
  stat but no content, so a cache directory restored in CI still holds. Every module
  the app's import loaded in this run must be one of those (a newly installed optional
  dependency changes what the app imports, though no recorded file changed);
- the environment variables (settings change schemas) but the per-run ones: pytest-xdist's
  per worker, the terminal's size, the host name and CI runners' per-job variables
  (GitHub Actions ``GITHUB_*``, ``RUNNER_*``, ``ACTIONS_*``; GitLab ``CI_*``), and the
  contents of ``.env`` files in the root and the working directory;
- the Python interpreter, this package's code and the cache format.

Anything else a schema is built from (a YAML file the app reads at import, the clock) is
not seen: ``--cache-clear`` regenerates it. A missing, foreign or damaged entry only
costs the generation.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..model import Route
from ..static.cache import (
    FileStamp,
    checked_payload,
    file_digest,
    file_stamp,
    file_stat,
    package_code_key,
    stamp_holds,
    write_checked,
)

FORMAT = b"apiposture-schema-cache 2\n"
# set per xdist worker or per run (workers get COLUMNS and LINES too), the terminal's
# size, the shell's last command, the host (a CI container's id) and the service manager's
# ids: a worker reads the schema its controller stored
_VOLATILE_ENV = frozenset(
    {"PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID",
     "PYTEST_CURRENT_TEST", "COLUMNS", "LINES", "_", "OLDPWD", "HOSTNAME", "INVOCATION_ID",
     "JOURNAL_STREAM"}
)  # fmt: skip
# a CI runner's per-job variables (run ids, commit, tokens, step files): a cache restored
# in the next job would never match with them in the key
_VOLATILE_ENV_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_", "CI_")


class SchemaCache:
    """One stored schema per app and root, in the plugin's cache directory."""

    def __init__(self, path: Path, key: bytes, new_modules: frozenset[str] | None) -> None:
        self.path, self.key, self.new_modules = path, key, new_modules

    @classmethod
    def open(
        cls,
        cache_dir: Path | None,
        *,
        target: str,
        root: str,
        routes: Sequence[Route],
        new_modules: frozenset[str] | None,
    ) -> SchemaCache | None:
        """None without a cache directory (``-p no:cacheprovider``)."""
        if cache_dir is None:
            return None
        name = hashlib.blake2b(f"{root}\0{target}".encode(), digest_size=8).hexdigest()
        material = (
            FORMAT, package_code_key(), sys.version, sys.executable, target, root,
            [(r.method, r.path, r.handler, r.in_schema) for r in routes],
            sorted((k, v) for k, v in os.environ.items() if _in_key(k)),
            [(p, file_digest(p)) for p in _env_files(root)],
        )  # fmt: skip
        key = hashlib.blake2b(repr(material).encode(), digest_size=16).digest()
        return cls(cache_dir / f"apiposture-schema-{name}.bin", key, new_modules)

    def get(self) -> dict[str, Any] | None:
        """The stored schema, if its key is this run's and no module it was built from
        changed; else None."""
        try:
            payload = checked_payload(self.path.read_bytes(), FORMAT)
            if payload is None:
                return None
            key, stamps, schema = marshal.loads(payload)
            if key != self.key or not isinstance(schema, dict):
                return None
            recorded = set()
            for path, stamp in stamps:
                if not stamp_holds(path, stamp):
                    return None
                recorded.add(path)
            if self.new_modules is not None:
                files = _module_files(self.new_modules)
                if any(path not in recorded for path in files):
                    return None  # the app imports a module the stored run did not load
            return schema
        except (OSError, ValueError, TypeError, EOFError, KeyError, IndexError):
            return None  # absent, damaged or foreign: regenerate

    def save(self, schema: dict[str, Any], *, since_ns: int) -> str | None:
        """Store ``schema``; a note when it could not be written (None when stored or
        when it holds values a schema file cannot: then it is simply not kept).
        ``since_ns``: when the app's import began. A module file modified since then may
        not be what was imported: its stamp is one no file matches, so the next run
        generates the schema again (one modified just before is stamped by content)."""
        now = time.time_ns()
        stamps = [
            (
                path,
                _UNSETTLED if _modified_since(path, since_ns, now) else file_stamp(path, since_ns),
            )
            for path in _module_files(sys.modules)
        ]
        try:
            payload = marshal.dumps((self.key, stamps, schema))
        except ValueError:
            return None
        try:
            write_checked(self.path, FORMAT, payload)
        except OSError as exc:
            return f"could not write the OpenAPI schema cache {self.path}: {exc}"
        return None


# the stamp of a file that changed while the schema was being made: matches nothing
_UNSETTLED: FileStamp = (None, b"")


def _modified_since(path: str, since_ns: int, now_ns: int) -> bool:
    """Modified between ``since_ns`` and now; an mtime in the future is a skewed clock or
    an unpacked archive, not an edit during the run (such a file is stamped by content)."""
    stat = file_stat(path)
    return stat is not None and since_ns <= stat[0] <= now_ns


def _in_key(variable: str) -> bool:
    return variable not in _VOLATILE_ENV and not variable.startswith(_VOLATILE_ENV_PREFIXES)


def _module_files(names: Iterable[str]) -> list[str]:
    """The files of the named modules that are loaded (sorted, once each)."""
    modules = sys.modules
    files: set[str] = set()
    for name in list(names):
        file = getattr(modules.get(name), "__file__", None)
        if isinstance(file, str):
            files.add(file)
    return sorted(files)


def _env_files(root: str) -> list[str]:
    """``.env`` files the app's settings may read, in the root and the working directory."""
    found: set[str] = set()
    for directory in {root, os.getcwd()}:
        with contextlib.suppress(OSError), os.scandir(directory) as entries:
            found.update(e.path for e in entries if ".env" in (e.name[:4], e.name[-4:]))
    return sorted(found)
