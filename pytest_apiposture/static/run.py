"""The static pass's whole-run cache entry: one lookup when nothing the run reads changed.

The entry is keyed by a fingerprint of every route fact classification and the rules
read (its rows double as the per-file units' key material, ``staticcache``) and holds
the stat and content hash of every file the pass read.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import time
from collections.abc import Iterable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Route
from .cache import (
    WRITE_FAILED,
    checked_payload,
    file_stamp,
    stamp_holds,
    write_checked,
)
from .callables import code_owner
from .resolve import norm

if TYPE_CHECKING:
    from .source import SourceIndex

RUN_FORMAT = b"apiposture-static-run 2\n"
# the route and guard facts a route's classification and rules read
ROUTE_FACTS = attrgetter(
    "method", "path", "framework", "handler", "kind", "body_model", "body_extra_allowed",
    "response_model", "endpoint_name", "rule", "serializes_objects",
)  # fmt: skip
GUARD_FACTS = attrgetter("name", "origin", "scheme", "auto_error", "scopes")
FIELD_NAME = attrgetter("name")


_ROUTE_PARTS = attrgetter("location", "endpoint", "guards", "body_fields", "response_fields")
_LOCATION_FACTS = attrgetter("file", "line", "symbol")


class RunFingerprint:
    """The digest of a run's route facts, and each route's facts as cache key material."""

    def __init__(self, digest: bytes, rows: list[Any], described: list[Any]) -> None:
        self.digest, self._rows, self._described = digest, rows, described

    def route_key(self, number: int) -> tuple[Any, ...]:
        """Route ``number``'s facts with its guards and field lists spelled out (the
        numbers of the digest's material depend on the other routes)."""
        row = self._rows[number]
        described = self._described
        return (*row[:2], described[row[2]], described[row[3]],
                tuple([described[n] for n in row[4]]), *row[5:])  # fmt: skip


def run_fingerprint(
    routes: Sequence[Route], publics: Sequence[bool], index: SourceIndex, extra: Any
) -> RunFingerprint:
    """Every route fact classification and the rules read (the per-route cache keys),
    plus ``extra``, digested. Guards and field lists, shared between routes, are
    described once (numbered by identity); the rest is one flat tuple per route."""
    described = _Described(index)
    known = described.get  # id of a guard or field list -> its number (C-level lookups)
    describe = described.number
    rows: list[Any] = []
    append = rows.append
    for route, public in zip(routes, publics, strict=True):
        loc, endpoint, guards, body, response = _ROUTE_PARTS(route)
        numbers = tuple(map(known, map(id, guards)))
        if None in numbers:
            numbers = tuple(map(describe, guards))
        body_number = known(id(body))
        if body_number is None:
            body_number = describe(body)
        response_number = known(id(response))
        if response_number is None:
            response_number = describe(response)
        place: Any = ""
        if endpoint is not None:
            code = getattr(code_owner(endpoint), "__code__", None)
            if code is None:
                place = index.code_key(endpoint)
            else:
                place = (code.co_filename, code.co_firstlineno, code.co_name)
        view_class = getattr(endpoint, "view_class", None)
        append((
            ROUTE_FACTS(route),
            None if loc is None else _LOCATION_FACTS(loc),
            body_number,
            response_number,
            numbers,
            place,
            "" if view_class is None else view_class.__qualname__,
            public,
            bool(getattr(endpoint, "__apiposture_public__", False)),
        ))  # fmt: skip
    material = marshal.dumps((described.material, rows, extra))
    digest = hashlib.blake2b(material, digest_size=16).digest()
    return RunFingerprint(digest, rows, described.material)


class _Described(dict[int, int]):
    """id of a guard or field tuple (kept alive by the routes) -> the number of its
    description in ``material``, each described on first sight."""

    def __init__(self, index: SourceIndex) -> None:
        super().__init__()
        self.codes = _CodeKeys(index)
        self.material: list[Any] = []
        self._numbers: dict[Any, int] = {}  # description -> its number (equal ones share)

    def number(self, obj: Any) -> int:
        known = self.get(id(obj))
        if known is None:
            if obj.__class__ is tuple:  # a field list
                facts: Any = tuple(map(FIELD_NAME, obj))
            else:
                codes = self.codes
                facts = (GUARD_FACTS(obj), codes[obj.func] if obj.func else "",
                         tuple(map(codes.__getitem__, obj.chain)))  # fmt: skip
            known = self._numbers.setdefault(facts, len(self._numbers))
            if known == len(self.material):
                self.material.append(facts)
            self[id(obj)] = known
        return known


class _CodeKeys(dict[Any, str]):
    """Callable -> ``code_key`` (not unwrapped), each looked up once per fingerprint."""

    def __init__(self, index: SourceIndex) -> None:
        super().__init__()
        self.index = index

    def __missing__(self, func: Any) -> str:
        key = self.index.code_key(func, unwrap=False)
        with contextlib.suppress(TypeError):  # an unhashable callable: not remembered
            self[func] = key
        return key


class RunCache:
    """One stored result of the whole pass, reused while its fingerprint (the routes, the
    configuration) is equal and every file the pass read is unchanged: a file whose
    (mtime, size, inode) is as recorded is not read again; otherwise its content hash
    decides."""

    def __init__(self, index: SourceIndex, tool: str, path: Path | None) -> None:
        self.index, self.tool, self.path = index, tool, path
        self.started_ns = time.time_ns()

    @classmethod
    def open(cls, index: SourceIndex, tool: str) -> RunCache:
        if index.cache_dir is None:
            return cls(index, tool, None)
        return cls(index, tool, run_cache_path(Path(index.cache_dir), index.root))

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def get(self, fingerprint: bytes) -> Any:
        """The stored value for ``fingerprint`` while its files are unchanged; else None."""
        if self.path is None:
            return None
        try:
            payload = checked_payload(self.path.read_bytes(), RUN_FORMAT)
            if payload is None:
                return None
            tool, stored_print, files, value = marshal.loads(payload)
            if tool != self.tool or stored_print != fingerprint:
                return None
            digest = self.index.digest
            if not all(stamp_holds(path, stamp, digest) for path, stamp in files):
                return None
            return value
        except (OSError, ValueError, TypeError, EOFError, KeyError, IndexError):
            return None  # absent, damaged or foreign: recompute

    def save(self, fingerprint: bytes, paths: Iterable[str], value: Any) -> None:
        if self.path is None:
            return
        digest, started = self.index.digest, self.started_ns
        files = [(path, file_stamp(path, started, digest)) for path in sorted(set(paths))]
        payload = marshal.dumps((self.tool, fingerprint, tuple(files), value))
        try:
            write_checked(self.path, RUN_FORMAT, payload)
        except OSError as exc:
            if not any(n.startswith(WRITE_FAILED) for n in self.index.notes):  # said once
                self.index.note(f"{WRITE_FAILED} {self.path}: {exc}")


def run_cache_path(cache_dir: Path, root: str | Path) -> Path:
    """Where the whole-run entry of the project at ``root`` is kept."""
    name = hashlib.blake2b(norm(str(root)).encode(), digest_size=8).hexdigest()
    return cache_dir / f"apiposture-static-run-{name}.bin"


def run_entry_holds(cache_dir: Path, root: str | Path) -> bool:
    """A whole-run entry is stored for ``root`` and every file it read is unchanged (its
    routes are not checked: that needs the app). False when in doubt."""
    try:
        payload = checked_payload(run_cache_path(cache_dir, root).read_bytes(), RUN_FORMAT)
        if payload is None:
            return False
        _tool, _print, files, _value = marshal.loads(payload)
        from .source import SourceIndex  # digests as the entry recorded them

        digest = SourceIndex(Path(root)).digest
        return all(stamp_holds(path, stamp, digest) for path, stamp in files)
    except (OSError, ValueError, TypeError, EOFError, IndexError):
        return False
