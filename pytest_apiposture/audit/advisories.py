"""Advisories: OSV entries, the bundled table, a full OSV/PyPA export, version matching.

The bundled table (``data/advisories.json``) covers a fixed list of API-stack packages
and is read with one ``json.loads`` when an audit runs, never at import. A full export
(``--apiposture-advisories=PATH``: a directory of OSV YAML/JSON files such as the PyPA
advisory database, or a zip of them) covers every package: one that has no entry in it
has no advisory in that data.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..model import Severity
from .cvss import severity_from_osv

_RANGE_TYPES = ("ECOSYSTEM", "SEMVER")
_EVENT_KINDS = ("introduced", "fixed", "last_affected")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Advisory:
    id: str
    package: str  # canonical name
    aliases: tuple[str, ...] = ()
    summary: str = ""
    severity: Severity | None = None
    # each range is its events in file order: (("introduced", "0"), ("fixed", "0.25.0"))
    ranges: tuple[tuple[tuple[str, str], ...], ...] = ()
    versions: tuple[str, ...] = ()  # versions listed as affected one by one
    url: str = ""
    modified: str = ""

    def affects(self, version: Version) -> bool:
        if any(_same(version, v) for v in self.versions):
            return True
        return any(_in_range(version, r) for r in self.ranges)

    def fixed_for(self, version: Version) -> str | None:
        """The lowest fixed version above ``version`` in a range that affects it."""
        fixes = [
            (parsed, raw)
            for r in self.ranges
            if _in_range(version, r)
            for kind, raw in r
            if kind == "fixed" and (parsed := _version(raw)) is not None and parsed > version
        ]
        return min(fixes)[1] if fixes else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "package": self.package,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "url": self.url,
            "modified": self.modified,
            "ranges": [[list(e) for e in r] for r in self.ranges],
        }
        if self.severity:
            out["severity"] = self.severity.value
        if self.versions:
            out["versions"] = list(self.versions)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Advisory:
        return cls(
            id=data["id"],
            package=data["package"],
            aliases=tuple(data.get("aliases", ())),
            summary=data.get("summary", ""),
            url=data.get("url", ""),
            modified=data.get("modified", ""),
            severity=Severity(data["severity"]) if data.get("severity") else None,
            ranges=tuple(tuple((e[0], e[1]) for e in r) for r in data.get("ranges", ())),
            versions=tuple(data.get("versions", ())),
        )


def _version(raw: str) -> Version | None:
    try:
        return Version(raw)
    except InvalidVersion:
        return None


def _same(version: Version, raw: str) -> bool:
    return _version(raw) == version


def _in_range(version: Version, events: tuple[tuple[str, str], ...]) -> bool:
    """OSV range evaluation: walk the events in version order ("0" first)."""
    ordered: list[tuple[Version, str]] = []
    for kind, raw in events:
        parsed = Version("0") if raw == "0" else _version(raw)
        if parsed is not None:
            ordered.append((parsed, kind))
    affected = False
    for at, kind in sorted(ordered, key=lambda e: (e[0], _EVENT_KINDS.index(e[1]))):
        if kind == "introduced" and version >= at:
            affected = True
        elif (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at):
            affected = False
    return affected


def advisories_from_osv(entry: dict[str, Any]) -> list[Advisory]:
    """One Advisory per PyPI package an OSV entry affects; none if withdrawn."""
    if entry.get("withdrawn") or not isinstance(entry.get("id"), str):
        return []
    merged: dict[str, tuple[list[tuple[tuple[str, str], ...]], list[str]]] = {}
    for affected in entry.get("affected") or []:
        if not isinstance(affected, dict) or not isinstance(affected.get("package"), dict):
            continue
        package = affected["package"]
        if str(package.get("ecosystem", "")).split(":")[0] != "PyPI" or not package.get("name"):
            continue
        ranges, versions = merged.setdefault(canonicalize_name(str(package["name"])), ([], []))
        for r in affected.get("ranges") or []:
            if isinstance(r, dict) and r.get("type") in _RANGE_TYPES:
                events = tuple(
                    (kind, str(event[kind]))
                    for event in r.get("events") or []
                    if isinstance(event, dict)
                    for kind in _EVENT_KINDS
                    if kind in event
                )
                if events:
                    ranges.append(events)
        versions.extend(str(v) for v in affected.get("versions") or [])
    severity = severity_from_osv(entry)
    return [
        Advisory(
            id=entry["id"],
            package=name,
            aliases=tuple(str(a) for a in entry.get("aliases") or ()),
            summary=_summary(entry),
            severity=severity,
            ranges=tuple(ranges),
            versions=tuple(versions),
            url=_advisory_url(entry),
            modified=str(entry.get("modified", "")),
        )
        for name, (ranges, versions) in merged.items()
    ]


def _summary(entry: dict[str, Any]) -> str:
    """The advisory's summary, else its details (NVD text) without a leading "X is a
    framework for ..." sentence, at most 240 characters."""
    text = " ".join(str(entry.get("summary") or entry.get("details") or "").split())
    first, dot, rest = text.partition(". ")
    if dot and rest and re.search(r"\bis an? \b", first):
        text = rest
    return text if len(text) <= 240 else text[:237].rstrip() + "..."


def _advisory_url(entry: dict[str, Any]) -> str:
    for ref in entry.get("references") or []:
        if (
            isinstance(ref, dict)
            and ref.get("type") == "ADVISORY"
            and "/advisories/GHSA-" in str(ref.get("url"))
        ):
            return str(ref["url"])
    return f"https://osv.dev/vulnerability/{entry['id']}"


@dataclass
class AdvisoryTable:
    by_package: dict[str, list[Advisory]] = field(default_factory=dict)
    covered: frozenset[str] | None = frozenset()  # None: every package (a full export)
    description: str = ""
    as_of: str = ""

    def covers(self, name: str) -> bool:
        return self.covered is None or name in self.covered

    def for_package(self, name: str) -> list[Advisory]:
        return self.by_package.get(name, [])

    def add(self, advisory: Advisory) -> None:
        bucket = self.by_package.setdefault(advisory.package, [])
        if all(a.id != advisory.id for a in bucket):
            bucket.append(advisory)

    def merged_with(self, other: AdvisoryTable) -> AdvisoryTable:
        """``other``'s entries win (a newer export); coverage is the union."""
        out = AdvisoryTable(
            covered=None
            if self.covered is None or other.covered is None
            else self.covered | other.covered
        )
        for table in (other, self):
            for bucket in table.by_package.values():
                for advisory in bucket:
                    out.add(advisory)
        out.description = "; ".join(t.description for t in (other, self) if t.description)
        # the older date: past it, at least one source may lack advisories
        dates = [d for d in (self.as_of, other.as_of) if d]
        out.as_of = min(dates) if dates else ""
        return out


def load_bundled() -> tuple[AdvisoryTable, dict[str, Any]]:
    """The bundled table and its ``source`` record (attribution, commit, date)."""
    text = resources.files("pytest_apiposture").joinpath("data/advisories.json").read_text("utf-8")
    data = json.loads(text)
    source = data["source"]
    table = AdvisoryTable(
        covered=frozenset(data["packages"]),
        description=f"{source['name']} snapshot {source['commit'][:12]} of {source['date']}",
        as_of=source["date"],
    )
    for item in data["advisories"]:
        table.add(Advisory.from_json(item))
    return table, source


_OSV_ID = re.compile(r"""(?:^|[{,])\s*["']?id["']?\s*:""", re.MULTILINE)
_MODIFIED = re.compile(r"""["']?modified["']?\s*:\s*["']?(\d{4}-\d{2}-\d{2})""")


def _mentions(names: Collection[str]) -> re.Pattern[str]:
    """Matches a text naming a package in ``names`` (any case, any of - _ . as separator)."""
    parts = [re.split(r"[-_.]+", name) for name in sorted(names) if name]
    if not parts:
        return re.compile(r"(?!)")
    alternatives = "|".join("[-_.]".join(re.escape(p) for p in split) for split in parts)
    # where OSV names a package: `name: x` (YAML), `"name": "x"` (JSON), `pkg:pypi/x` (purl)
    lead = r"""(?:\bname["']?\s*:\s*["']?|pkg:pypi/)"""
    return re.compile(rf"{lead}(?:{alternatives})(?![A-Za-z0-9._-])", re.IGNORECASE)


def load_export(
    path: Path, wanted: Collection[str] | None = None
) -> tuple[AdvisoryTable, list[str]]:
    """A full OSV/PyPA export (a directory or a .zip). Raises ``FileNotFoundError`` when
    ``path`` does not exist; files that do not parse are skipped and named in the notes.

    With ``wanted`` (canonical names), only files whose text mentions one of them are
    parsed: YAML parsing dominates the cost, and the table is only asked about those.
    """
    if not path.exists():
        raise FileNotFoundError(str(path))
    table = AdvisoryTable(covered=None)
    mentions = _mentions(wanted) if wanted is not None else None
    bad: list[str] = []
    entries = 0
    for name, text in _export_files(path):
        if not _OSV_ID.search(text):
            continue
        entries += 1
        stamp = _MODIFIED.search(text)
        table.as_of = max(table.as_of, stamp.group(1)) if stamp else table.as_of
        if mentions is not None and not mentions.search(text):
            continue
        try:
            loaded = json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=_LOADER)
        except (ValueError, yaml.YAMLError):
            bad.append(name)
            continue
        for entry in loaded if isinstance(loaded, list) else [loaded]:
            if isinstance(entry, dict):
                for advisory in advisories_from_osv(entry):
                    table.add(advisory)
    newest = table.as_of or "unknown"
    table.description = f"advisory export {path} ({entries} files, newest modified {newest})"
    notes = []
    if bad:
        shown = ", ".join(bad[:5])
        notes.append(
            f"{len(bad)} advisory file(s) in {path} do not parse and were skipped: {shown}"
        )
    if entries == 0:
        notes.append(f"{path} holds no OSV advisories; only the bundled table is used")
        table.covered = frozenset()
    return table, notes


def _export_files(path: Path) -> Iterator[tuple[str, str]]:
    suffixes = (".json", ".yaml", ".yml")
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith(suffixes) and not info.is_dir():
                    yield info.filename, archive.read(info).decode("utf-8", "replace")
        return
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in suffixes)
    for file in files:
        try:
            yield str(file), file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
