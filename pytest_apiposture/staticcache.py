"""The static pass's on-disk cache: unit results valid while the files they read are unchanged.

A unit (the routes of one handler file, or the project rules on one file) is stored
under the hash of everything it was computed from, with the set of files it read and
their content hashes. A later run reuses a unit only when its key matches and every
one of those files still hashes the same. The file is one ``marshal`` payload of plain
tuples behind a format stamp and a checksum: anything damaged, foreign or stale is
ignored, and a missing, stale or corrupt cache only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .callables import code_owner
from .model import Auth, Confidence, Finding, GuardRole, Kind, Location, Route, Severity

if TYPE_CHECKING:
    from .knowledge import Knowledge
    from .rules import Rule
    from .source import SourceIndex

FORMAT = b"apiposture-static-cache 4\n"
_CHECKSUM_SIZE = 16
WRITE_FAILED = "could not write the static-analysis cache"
_VARIANTS = 4  # results kept per unit (apps or configurations sharing one root)
# A unit as stored: (number of its dependency set, its key material, its encoded value).
Stored = tuple[int, Any, Any]


class StaticCache:
    """Load once, look units up, record new ones, write once (atomically).

    A unit is named (``("routes", file)``, ``("file", path)``) and holds a few variants,
    each with the *key material* it was computed from: plain tuples of the facts it
    read, compared for equality (cheaper than hashing them) on lookup.
    """

    def __init__(self, index: SourceIndex, tool: str, path: Path | None) -> None:
        self.index, self.tool, self.path = index, tool, path
        self._paths: tuple[str, ...] = ()
        self._digests: tuple[str, ...] = ()
        self._depsets: tuple[tuple[int, ...], ...] = ()
        self._units: dict[Any, list[Stored]] = {}
        self._valid: dict[int, bool] = {}
        # what the next file holds first: unit -> (key material, dependency paths, value)
        self._fresh: dict[Any, tuple[Any, Sequence[str], Any]] = {}
        self.used: set[str] = set()  # every file the units this run used or made read

    @classmethod
    def open(cls, index: SourceIndex, tool: str) -> StaticCache:
        if index.cache_dir is None:
            return cls(index, tool, None)
        name = hashlib.blake2b(index.root.encode(), digest_size=8).hexdigest()
        cache = cls(index, tool, Path(index.cache_dir) / f"apiposture-static-{name}.bin")
        with contextlib.suppress(OSError, ValueError, TypeError, EOFError, KeyError):
            cache._load(Path(cache.path or "").read_bytes())
        return cache

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def _load(self, data: bytes) -> None:
        head = len(FORMAT)
        if not data.startswith(FORMAT):
            return
        checksum, payload = data[head : head + _CHECKSUM_SIZE], data[head + _CHECKSUM_SIZE :]
        if hashlib.blake2b(payload, digest_size=_CHECKSUM_SIZE).digest() != checksum:
            return  # truncated or damaged: never unmarshal it
        tool, paths, digests, depsets, units = marshal.loads(payload)
        if tool != self.tool or not isinstance(units, dict) or len(paths) != len(digests):
            return
        self._paths, self._digests, self._depsets, self._units = paths, digests, depsets, units

    def get(self, unit: Any, material: Any) -> Any:
        """The stored value of ``unit`` computed from equal key material, while every file
        it read is unchanged; else None."""
        for variant in self._units.get(unit, ()):
            try:
                if variant[1] == material and self._depset_valid(variant[0]):
                    paths = self._paths
                    self.used.update(paths[i] for i in self._depsets[variant[0]])
                    return variant[2]
            except (IndexError, TypeError, ValueError):
                return None  # a damaged entry: recompute
        return None

    def put(self, unit: Any, material: Any, paths: Iterable[str], encoded: Any) -> None:
        if self.path is not None:
            deps = sorted(paths)
            self.used.update(deps)
            self._fresh[unit] = (material, deps, encoded)

    def _depset_valid(self, number: int) -> bool:
        """Every file of the set still hashes as recorded (checked once per set per run)."""
        valid = self._valid.get(number)
        if valid is None:
            digest, paths, digests = self.index.digest, self._paths, self._digests
            valid = all(digest(paths[i]) == digests[i] for i in self._depsets[number])
            self._valid[number] = valid
        return valid

    def save(self) -> None:
        """Write the fresh units and the stored ones still valid; nothing new: no write."""
        if self.path is None or not self._fresh:
            return
        table = _Tables(self.index)
        units: dict[Any, list[Stored]] = {}
        for unit, (material, deps, encoded) in self._fresh.items():
            units[unit] = [(table.depset(deps), material, encoded)]
        for unit, variants in self._units.items():  # other apps' still-valid results
            kept = units.setdefault(unit, [])
            for variant in variants:
                with contextlib.suppress(IndexError, TypeError, ValueError):
                    if len(kept) >= _VARIANTS or any(k[1] == variant[1] for k in kept):
                        continue
                    if self._depset_valid(variant[0]):
                        deps = [self._paths[i] for i in self._depsets[variant[0]]]
                        kept.append((table.depset(deps), variant[1], variant[2]))
        payload = marshal.dumps(
            (self.tool, tuple(table.paths), tuple(table.digests), tuple(table.depsets), units)
        )
        checksum = hashlib.blake2b(payload, digest_size=_CHECKSUM_SIZE).digest()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(FORMAT + checksum + payload)
            os.replace(temp, self.path)
        except OSError as exc:
            self.index.note(f"{WRITE_FAILED} {self.path}: {exc}")


class _Tables:
    """The path and dependency-set tables of the file being written."""

    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self.paths: list[str] = []
        self.digests: list[str] = []
        self._numbers: dict[str, int] = {}
        self.depsets: list[tuple[int, ...]] = []
        self._sets: dict[tuple[int, ...], int] = {}

    def depset(self, deps: Sequence[str]) -> int:
        numbers = []
        for path in deps:
            number = self._numbers.get(path)
            if number is None:
                number = self._numbers[path] = len(self.paths)
                self.paths.append(path)
                self.digests.append(self.index.digest(path))
            numbers.append(number)
        key = tuple(numbers)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = len(self.depsets)
            self.depsets.append(key)
        return found


# -- the key every entry shares -------------------------------------------------------
# the code of the static pass: a change to any of these invalidates every stored unit
_STATIC_PASS_MODULES = tuple(
    f"pytest_apiposture.{name}"
    for name in ("rules", "auth", "guardcode", "source", "parsed", "resolve", "syntax",
                 "callables", "analysis", "staticcache", "model", "knowledge")
)  # fmt: skip


def tool_key(knowledge: Knowledge, rules: Sequence[Rule], root: Path) -> str:
    """Everything every unit depends on: this code, the rules' code, the knowledge, root."""
    parts = [sys.version, os.path.abspath(root), _knowledge_key(knowledge)]
    names = {type(r).__module__ for r in rules} | {
        name for name in sys.modules if name.startswith(_STATIC_PASS_MODULES)
    }
    for name in sorted(names):
        parts += [name, _file_hash(getattr(sys.modules.get(name), "__file__", None))]
    parts += [f"{type(r).__module__}.{type(r).__qualname__}" for r in rules]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def _knowledge_key(knowledge: Knowledge) -> str:
    """Stable across processes: sets are sorted (their repr order depends on hash seeds)."""
    items = []
    for item in fields(knowledge):
        if not item.compare:
            continue  # derived (compiled patterns, the hash): the tables say it all
        value = getattr(knowledge, item.name)
        items.append(f"{item.name}={sorted(value) if isinstance(value, frozenset) else value!r}")
    return ";".join(items)


def _file_hash(path: str | None) -> str:
    try:
        with open(path or "", "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return os.urandom(8).hex()  # unknown code: never reuse


# -- values: plain tuples in the file, model objects in memory ---------------------------
_KINDS = {m.value: m for m in Kind}
_SEVERITIES = {m.value: m for m in Severity}
_CONFIDENCES = {m.value: m for m in Confidence}
ROLES = {m.value: m for m in GuardRole}
AUTHS = {m.value: m for m in Auth}
# member (or None) -> its value: a dict lookup instead of Enum's ``value`` property
VALUE_OF: dict[Any, Any] = {
    None: None,
    **{m: m.value for e in (Kind, Severity, Confidence, GuardRole, Auth) for m in e},
}
_new = object.__new__


def encode_finding(f: Finding) -> tuple[Any, ...]:
    loc = f.location
    where = None if loc is None else (loc.file, loc.line, loc.symbol, loc.end_line)
    return (f.code, VALUE_OF[f.kind], f.owasp, VALUE_OF[f.severity], VALUE_OF[f.confidence],
            f.message, f.remediation, f.method, f.path, where, f.evidence, f.cwe, f.status,
            f.baselined, f.suppressed)  # fmt: skip


def decode_finding(v: tuple[Any, ...]) -> Finding:
    """The Finding ``encode_finding`` stored; built without ``__init__`` (a warm run makes
    thousands, and the frozen dataclass's ``__init__`` is the slow part)."""
    where = v[9]
    location = None
    if where is not None:
        location = _new(Location)
        location.__dict__.update(file=where[0], line=where[1], symbol=where[2], end_line=where[3])
    finding = _new(Finding)
    finding.__dict__.update(
        code=v[0], kind=_KINDS[v[1]], owasp=v[2], severity=_SEVERITIES[v[3]],
        confidence=_CONFIDENCES[v[4]], message=v[5], remediation=v[6], method=v[7], path=v[8],
        location=location, evidence=v[10], cwe=v[11], status=v[12], baselined=v[13],
        suppressed=v[14],
    )  # fmt: skip
    return finding


# -- the whole-run entry: one lookup when nothing the run reads has changed ----------------
RUN_FORMAT = b"apiposture-static-run 1\n"
_RACY_NS = 2_000_000_000  # a file modified this close to the run: its stat proves nothing
# the route and guard facts a route's classification and rules read
ROUTE_FACTS = attrgetter(
    "method", "path", "framework", "handler", "kind", "body_model", "body_extra_allowed",
    "response_model", "path_params",
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
        flask = route.raw if route.framework == "flask" else None
        view_class = getattr(endpoint, "view_class", None)
        append((
            ROUTE_FACTS(route),
            None if loc is None else _LOCATION_FACTS(loc),
            body_number,
            response_number,
            numbers,
            place,
            "" if view_class is None else view_class.__qualname__,
            "" if flask is None else text_only(getattr(flask, "endpoint", None)),
            "" if flask is None else text_only(getattr(flask, "rule", None)),
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


def text_only(value: object) -> str:
    """Only plain strings: a repr with a memory address would change on every run."""
    return value if isinstance(value, str) else ""


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
        name = hashlib.blake2b(index.root.encode(), digest_size=8).hexdigest()
        return cls(index, tool, Path(index.cache_dir) / f"apiposture-static-run-{name}.bin")

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def get(self, fingerprint: bytes) -> Any:
        """The stored value for ``fingerprint`` while its files are unchanged; else None."""
        if self.path is None:
            return None
        try:
            data = self.path.read_bytes()
            head = len(RUN_FORMAT)
            if not data.startswith(RUN_FORMAT):
                return None
            checksum, payload = data[head : head + _CHECKSUM_SIZE], data[head + _CHECKSUM_SIZE :]
            if hashlib.blake2b(payload, digest_size=_CHECKSUM_SIZE).digest() != checksum:
                return None
            tool, stored_print, files, value = marshal.loads(payload)
            if tool != self.tool or stored_print != fingerprint:
                return None
            digest = self.index.digest
            for path, stat, known in files:
                unchanged = stat is not None and _stat(path) == tuple(stat)
                if not unchanged and digest(path) != known:
                    return None
            return value
        except (OSError, ValueError, TypeError, EOFError, KeyError, IndexError):
            return None  # absent, damaged or foreign: recompute

    def save(self, fingerprint: bytes, paths: Iterable[str], value: Any) -> None:
        if self.path is None:
            return
        files = []
        for path in sorted(set(paths)):
            stat = _stat(path)
            if stat is not None and stat[0] >= self.started_ns - _RACY_NS:
                stat = None  # may have changed after it was read: always hash it
            files.append((path, stat, self.index.digest(path)))
        payload = marshal.dumps((self.tool, fingerprint, tuple(files), value))
        checksum = hashlib.blake2b(payload, digest_size=_CHECKSUM_SIZE).digest()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(RUN_FORMAT + checksum + payload)
            os.replace(temp, self.path)
        except OSError as exc:
            if not any(n.startswith(WRITE_FAILED) for n in self.index.notes):  # said once
                self.index.note(f"{WRITE_FAILED} {self.path}: {exc}")


def _stat(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)
