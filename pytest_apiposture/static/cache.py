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
import functools
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Auth, Confidence, Finding, GuardRole, Kind, Location, Severity

if TYPE_CHECKING:
    from ..knowledge import Knowledge
    from ..rules.base import Rule
    from .source import SourceIndex

FORMAT = b"apiposture-static-cache 4\n"
CHECKSUM_SIZE = 16
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
        payload = checked_payload(data, FORMAT)
        if payload is None:
            return  # foreign, truncated or damaged: never unmarshal it
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
        try:
            write_checked(self.path, FORMAT, payload)
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
def checked_payload(data: bytes, header: bytes) -> bytes | None:
    """The payload ``write_checked`` wrote under ``header``; None when the file is another
    format, truncated or damaged."""
    if not data.startswith(header):
        return None
    head = len(header)
    checksum, payload = data[head : head + CHECKSUM_SIZE], data[head + CHECKSUM_SIZE :]
    if hashlib.blake2b(payload, digest_size=CHECKSUM_SIZE).digest() != checksum:
        return None
    return payload


def write_checked(path: Path, header: bytes, payload: bytes) -> None:
    """``header + checksum + payload``, written atomically: a reader sees the old file or
    the whole new one, and a torn or foreign file fails its checksum."""
    checksum = hashlib.blake2b(payload, digest_size=CHECKSUM_SIZE).digest()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(header + checksum + payload)
    os.replace(temp, path)


def tool_key(knowledge: Knowledge, rules: Sequence[Rule], root: Path) -> str:
    """Everything every unit depends on: this code, the rules' code, the knowledge, root."""
    parts = [sys.version, os.path.abspath(root), _knowledge_key(knowledge)]
    parts.append(package_code_key())
    # rules from conftests and other plugins live outside the package: hash their files too
    for name in sorted({type(r).__module__ for r in rules} - {None}):
        if not name.startswith(_PACKAGE + "."):
            parts += [name, _file_hash(getattr(sys.modules.get(name), "__file__", None))]
    parts += [f"{type(r).__module__}.{type(r).__qualname__}" for r in rules]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


_PACKAGE = __name__.split(".", 1)[0]


@functools.cache
def package_code_key() -> str:
    """A hash of every source file of this package: any change to the plugin's code
    invalidates every stored unit, with no list of modules to keep in step."""
    top = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(top.rglob("*.py")):
        digest.update(path.relative_to(top).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


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


def decode_findings(encoded: Sequence[tuple[Any, ...]]) -> list[Finding]:
    """The Findings ``encode_finding`` stored (damaged input raises ValueError, KeyError,
    TypeError or IndexError)."""
    return [_decode(v) for v in encoded]


def _decode(v: tuple[Any, ...]) -> Finding:
    """Built without ``__init__`` (a warm run makes thousands, and the frozen dataclass's
    ``__init__`` is the slow part); one keyword ``update`` is the fastest fill measured."""
    if len(v) != 15:
        raise ValueError("a stored finding of the wrong size")
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


# a file modified this close to the stamp may change again within the clock's resolution
# without its mtime moving: such a file is checked by its content only
RACY_NS = 2_000_000_000
# (mtime_ns, size, inode), or None when it proves nothing; and the content hash
FileStamp = tuple[tuple[int, int, int] | None, Any]


def file_stat(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def file_stamp(path: str, now: int, digest: Callable[[str], Any] | None = None) -> FileStamp:
    """``path``'s stat and content hash (``digest``, default ``file_digest``: None when it
    cannot be read). The stat is left out when the file was modified within two seconds
    of ``now``. The static pass, the schema cache and the adapters' source facts stamp
    the files they depend on with it."""
    stat = file_stat(path)
    if stat is not None and stat[0] >= now - RACY_NS:
        stat = None
    return (stat, (digest or file_digest)(path))


def stamp_holds(path: str, stamp: Any, digest: Callable[[str], Any] | None = None) -> bool:
    """``path`` is as stamped: the same stat, else the same content. A checkout, a copy
    or a reinstall gives every file a new mtime and inode but keeps its content, so a
    cache restored in CI still holds (the content is read only when the stat differs)."""
    stat, known = stamp
    if stat is not None and file_stat(path) == tuple(stat):
        return True
    return bool((digest or file_digest)(path) == known)


def file_digest(path: str) -> bytes | None:
    """``path``'s content hash, or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).digest()
    except OSError:
        return None
