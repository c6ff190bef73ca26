"""What the source readers produce and the checks consume.

Every reader (requirement files, pyproject, lock files, installed distributions) turns
its input into ``Dependency`` records plus ``FileIssue`` records for file-level
problems; nothing downstream looks at a file again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name


class Source(str, Enum):
    """Where a dependency record came from; also the order of preference for locations."""

    REQUIREMENTS = "requirements"
    CONSTRAINTS = "constraints"
    PYPROJECT = "pyproject"
    LOCK = "lock"
    INSTALLED = "installed"

    def __str__(self) -> str:
        return self.value

    @property
    def declares(self) -> bool:
        """A declaration the project wrote (not a resolution or an environment)."""
        return self in (Source.REQUIREMENTS, Source.CONSTRAINTS, Source.PYPROJECT)


SOURCE_PREFERENCE = {s: i for i, s in enumerate(Source)}


@dataclass(frozen=True)
class Dependency:
    name: str  # canonical (PEP 503) name, "" when a URL line names no package
    source: Source
    file: Path
    line: int
    text: str  # the line (or TOML value) as written: the evidence
    specifier: SpecifierSet | None = None  # None: no version constraint could be read
    version: str | None = None  # the exact version when pinned, locked or installed
    marker: Marker | None = None
    url: str | None = None  # direct URL / VCS reference
    editable: bool = False
    local: bool = False  # a local path (the project itself, a workspace member)
    hashes: tuple[str, ...] = ()
    group: str = ""  # extra, dependency group, Poetry group, lock section

    @property
    def exact(self) -> bool:
        return self.version is not None


class IssueKind(str, Enum):
    UNPARSABLE = "unparsable"
    EXTRA_INDEX = "extra-index-url"


_LEADING_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class FileIssue:
    kind: IssueKind
    file: Path
    line: int
    text: str
    message: str

    @property
    def guessed_name(self) -> str:
        """The package a broken requirement line seems to name ("" for option lines)."""
        found = _LEADING_NAME.match(self.text) if self.kind is IssueKind.UNPARSABLE else None
        return canonicalize_name(found.group(1)) if found else ""


@dataclass
class Scan:
    """Everything read from one kind of source."""

    deps: list[Dependency] = field(default_factory=list)
    issues: list[FileIssue] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    hash_mode_files: set[Path] = field(default_factory=set)  # files that use --hash
    notes: list[str] = field(default_factory=list)

    def extend(self, other: Scan) -> None:
        self.deps.extend(other.deps)
        self.issues.extend(other.issues)
        self.files.extend(f for f in other.files if f not in self.files)
        self.hash_mode_files |= other.hash_mode_files
        self.notes.extend(other.notes)
