"""What the adapters read from a view's source file, kept across runs per file content.

The Flask adapter points each view and decorator at its ``def`` (line, end line,
qualname) and reads the body fields a view looks up; both come from parsing the file
the code object names. On a large app that parse is most of what enumerating costs
(pgAdmin 4: 97 files, 1.5 s of CPU in every run), though the files rarely change. The
facts are stored per file with its stamp (``static.cache.file_stamp``: its content hash,
and its mtime, size and inode to skip reading it while they hold); a file whose content
differs is parsed again. Stored in the plugin's cache directory; without one (``-p
no:cacheprovider``, the CLI) every run parses.
"""

from __future__ import annotations

import contextlib
import contextvars
import marshal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..static.cache import (
    FileStamp,
    checked_payload,
    file_stamp,
    package_code_key,
    stamp_holds,
    write_checked,
)

FORMAT = b"apiposture-defs 2\n"
# (co_name, co_firstlineno) -> (def line, end line, qualname)
Facts = dict[tuple[str, int], tuple[int, int | None, str]]
# (co_name, co_firstlineno, request names) -> the body fields the view reads
Reads = dict[tuple[str, int, tuple[str, ...]], tuple[str, ...]]

_CURRENT: contextvars.ContextVar[DefStore | None] = contextvars.ContextVar(
    "apiposture_def_store", default=None
)


class DefStore:
    """Per source file: its stamp, its defs' facts and the body reads asked of it."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stored: dict[str, tuple[Any, Facts, Reads]] = {}
        self._valid: dict[str, bool] = {}
        self._fresh: dict[str, tuple[Any, Facts, Reads]] = {}
        self._changed = False

    @staticmethod
    def current() -> DefStore | None:
        return _CURRENT.get()

    def facts(self, filename: str) -> Facts | None:
        """The stored facts of ``filename`` while it is unchanged; else None."""
        entry = self._entry(filename)
        return None if entry is None else entry[1]

    def reads(self, filename: str, key: tuple[str, int, tuple[str, ...]]) -> tuple[str, ...] | None:
        entry = self._entry(filename)
        if entry is not None:
            found = entry[2].get(key)
            if found is not None:
                return found
        fresh = self._fresh.get(filename)
        return None if fresh is None else fresh[2].get(key)

    def stamp(self, filename: str) -> FileStamp:
        """``filename``'s stamp now: taken before it is read, so an edit made while it is
        being parsed makes the next run parse it again."""
        return file_stamp(filename, time.time_ns())

    def record_facts(self, filename: str, stamp: FileStamp, facts: Facts) -> None:
        self._fresh[filename] = (stamp, facts, {})
        self._changed = True

    def record_reads(
        self, filename: str, key: tuple[str, int, tuple[str, ...]], reads: tuple[str, ...]
    ) -> None:
        fresh = self._fresh.get(filename)
        if fresh is None:
            entry = self._entry(filename)
            if entry is None:
                return  # its facts were not recorded: nothing to attach the reads to
            fresh = self._fresh[filename] = (entry[0], entry[1], dict(entry[2]))
        fresh[2][key] = reads
        self._changed = True

    def _entry(self, filename: str) -> tuple[Any, Facts, Reads] | None:
        entry = self._stored.get(filename)
        if entry is None:
            return None
        valid = self._valid.get(filename)
        if valid is None:
            stamp = entry[0]
            try:
                valid = stamp is not None and stamp_holds(filename, stamp)
            except (TypeError, ValueError):  # a damaged entry: parse the file again
                valid = False
            self._valid[filename] = valid
        return entry if valid else None

    def load(self) -> None:
        with contextlib.suppress(OSError, ValueError, TypeError, EOFError):
            if self.path is None:
                return
            payload = checked_payload(self.path.read_bytes(), FORMAT)
            if payload is None:
                return
            key, stored = marshal.loads(payload)
            if key == _key() and isinstance(stored, dict):
                self._stored = stored

    def save(self) -> str | None:
        """Write the fresh entries and the stored ones still valid (a note on failure)."""
        if self.path is None or not self._changed:
            return None
        entries: dict[str, tuple[Any, Facts, Reads]] = {}
        for filename, entry in self._stored.items():
            if filename not in self._fresh and self._entry(filename) is not None:
                entries[filename] = entry
        entries.update(self._fresh)
        try:
            write_checked(self.path, FORMAT, marshal.dumps((_key(), entries)))
        except (OSError, ValueError) as exc:
            return f"could not write the source-facts cache {self.path}: {exc}"
        return None


@contextlib.contextmanager
def def_store(cache_dir: Path | None, notes: list[str]) -> Iterator[None]:
    """The adapters' SourceCaches made in the block use one store in ``cache_dir``."""
    store = DefStore(None if cache_dir is None else cache_dir / "apiposture-defs.bin")
    store.load()
    token = _CURRENT.set(store)
    try:
        yield
    finally:
        _CURRENT.reset(token)
        note = store.save()
        if note:
            notes.append(note)


def _key() -> str:
    return f"{sys.version}\0{package_code_key()}"
