"""``requirements*.txt`` files, read the way pip reads them.

Handles ``-r``/``-c`` includes (relative to the including file, each file read once),
backslash continuations, comments, environment markers, ``--hash`` options, editable
(``-e``) and URL/VCS lines. A line that pip would reject becomes a ``FileIssue`` with
its file and line; the rest of the file is still read.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .records import Dependency, FileIssue, IssueKind, Scan, Source

_COMMENT = re.compile(r"(^|\s+)#.*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.IGNORECASE)
_PEP508_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"\.(whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz|tar)$", re.IGNORECASE)
_HASH = re.compile(r"^[a-z0-9]+:[0-9a-fA-F]+$")

# Options pip accepts on a line of their own; those with a value take one argument.
_INCLUDE_OPTS = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_VALUE_OPTS = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--use-feature",
    "-e",
    "--editable",
}
_FLAG_OPTS = {"--pre", "--no-index", "--prefer-binary", "--require-hashes"}
# Options pip accepts after a requirement on the same line.
_PER_REQ_OPTS = {"--hash", "--config-settings", "--global-option", "--install-option"}


def read_requirements(path: Path, seen: set[Path], constraint: bool = False) -> Scan:
    """Read ``path`` and everything it includes that is not yet in ``seen``."""
    scan = Scan()
    path = path.resolve()
    if path in seen:
        return scan
    seen.add(path)
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")  # a BOM is not a package
    except OSError as exc:
        scan.notes.append(
            f"{path}: cannot be read ({exc.strerror or exc}); its packages are unaudited"
        )
        return scan
    scan.files.append(path)
    source = Source.CONSTRAINTS if constraint else Source.REQUIREMENTS
    for number, line in _logical_lines(text):
        _read_line(path, number, line, source, seen, scan)
    return scan


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, joined line without comments), skipping blank lines."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.lstrip().startswith("#"):
            if pending:  # a comment ends a continuation, as in pip
                yield start, _COMMENT.sub("", " ".join(pending)).strip()
                pending = []
            continue
        if raw.endswith("\\"):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        joined = _COMMENT.sub("", " ".join(pending)).strip()
        pending = []
        if joined:
            yield start, joined
    if pending:
        joined = _COMMENT.sub("", " ".join(pending)).strip()
        if joined:
            yield start, joined


def _issue(path: Path, number: int, line: str, message: str) -> FileIssue:
    return FileIssue(IssueKind.UNPARSABLE, path, number, line, message)


def _split_option(tokens: list[str]) -> tuple[str, str | None, list[str]]:
    """``--opt=value`` / ``--opt value`` / ``-rfile`` -> (option, value, rest)."""
    head, rest = tokens[0], tokens[1:]
    if head.startswith("--") and "=" in head:
        name, value = head.split("=", 1)
        return name, value, rest
    if not head.startswith("--") and len(head) > 2:
        return head[:2], head[2:], rest
    if head in _INCLUDE_OPTS or head in _VALUE_OPTS:
        return head, (rest[0] if rest else None), rest[1:]
    return head, None, rest


def _read_line(
    path: Path, number: int, line: str, source: Source, seen: set[Path], scan: Scan
) -> None:
    if not line.startswith("-"):
        _read_requirement(path, number, line, source, scan, editable=False)
        return
    try:
        tokens = shlex.split(line)
    except ValueError as exc:
        scan.issues.append(_issue(path, number, line, f"option line does not parse ({exc})"))
        return
    option, value, rest = _split_option(tokens)
    if (option in _INCLUDE_OPTS or option in _VALUE_OPTS) and not value:
        scan.issues.append(_issue(path, number, line, f"option {option} needs a value"))
        return
    if option in _INCLUDE_OPTS:
        _read_include(path, number, line, value or "", _INCLUDE_OPTS[option], seen, scan)
    elif option in ("-e", "--editable"):
        _read_requirement(path, number, " ".join([value or "", *rest]), source, scan, editable=True)
    elif option == "--extra-index-url":
        scan.issues.append(
            FileIssue(IssueKind.EXTRA_INDEX, path, number, line, f"extra index {value}")
        )
    elif option == "--require-hashes":
        scan.hash_mode_files.add(path)
    elif option not in _VALUE_OPTS and option not in _FLAG_OPTS:
        scan.issues.append(_issue(path, number, line, f"unknown option {option}"))


def _read_include(
    path: Path, number: int, line: str, target: str, constraint: bool, seen: set[Path], scan: Scan
) -> None:
    if _SCHEME.match(target):
        message = f"remote file {target} is not read offline; its packages are unaudited"
        scan.issues.append(_issue(path, number, line, message))
        return
    included = (path.parent / target).resolve()
    if not included.is_file():
        scan.issues.append(_issue(path, number, line, f"included file {target} not found"))
        return
    scan.extend(read_requirements(included, seen, constraint=constraint))


def _read_requirement(
    path: Path, number: int, line: str, source: Source, scan: Scan, editable: bool
) -> None:
    spec, hashes, error = _split_per_requirement_options(line)
    if error:
        scan.issues.append(_issue(path, number, line, error))
        return
    if hashes:
        scan.hash_mode_files.add(path)
    if editable or (not _PEP508_URL.match(spec) and _is_url_or_path(spec)):
        dep = _url_dependency(spec, editable)
    else:
        try:
            req = Requirement(spec)
        except InvalidRequirement as exc:
            scan.issues.append(
                _issue(path, number, line, f"not a valid requirement ({_first_line(exc)})")
            )
            return
        dep = dependency_from_requirement(req, Source.REQUIREMENTS, path, number, line)
    if dep is None:
        scan.issues.append(_issue(path, number, line, "environment marker does not parse"))
        return
    scan.deps.append(replace(dep, source=source, file=path, line=number, text=line, hashes=hashes))


def dependency_from_requirement(
    req: Requirement, source: Source, file: Path, line: int, text: str, group: str = ""
) -> Dependency:
    """A PEP 508 requirement as a record (shared with pyproject)."""
    url = req.url
    return Dependency(
        name=canonicalize_name(req.name),
        source=source,
        file=file,
        line=line,
        text=text,
        specifier=None if url else req.specifier,
        version=None if url else exact_version(req),
        marker=req.marker,
        url=url,
        local=bool(url and url.lower().startswith("file:")),
        group=group,
    )


def _url_dependency(spec: str, editable: bool) -> Dependency | None:
    """A bare URL / path line; pip splits its marker at '; ' (URLs) or ';' (paths)."""
    sep = "; " if _SCHEME.match(spec) or _VCS.match(spec) else ";"
    url, _, marker_text = spec.partition(sep)
    url = url.strip()
    marker = None
    if marker_text.strip():
        try:
            marker = Requirement(f"x; {marker_text.strip()}").marker
        except InvalidRequirement:
            return None
    remote = bool(_SCHEME.match(url) or _VCS.match(url)) and not url.lower().startswith("file:")
    return Dependency(
        name=_name_from_url(url),
        source=Source.REQUIREMENTS,
        file=Path(),
        line=0,
        text=spec,
        marker=marker,
        url=url,
        editable=editable,
        local=not remote,
    )


def _split_per_requirement_options(line: str) -> tuple[str, tuple[str, ...], str | None]:
    """(requirement, hashes, error) - pip splits at the first token starting with '-'."""
    tokens = line.split(" ")
    cut = next((i for i, t in enumerate(tokens) if t.startswith("-")), len(tokens))
    spec = " ".join(tokens[:cut]).strip()
    options = [t for t in tokens[cut:] if t]
    hashes: list[str] = []
    i = 0
    while i < len(options):
        token = options[i]
        name, _, value = token.partition("=")
        if name not in _PER_REQ_OPTS:
            return spec, (), f"unknown option {name} after the requirement"
        if not value:
            i += 1
            value = options[i] if i < len(options) else ""
        if name == "--hash":
            if not _HASH.match(value):
                return spec, (), f"--hash value {value!r} is not ALGORITHM:HEX"
            hashes.append(value)
        i += 1
    if not spec:
        return spec, (), "options without a requirement"
    return spec, tuple(hashes), None


def exact_version(req: Requirement) -> str | None:
    """The version an ``==X`` / ``===X`` pin fixes, else None (ranges, wildcards)."""
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def _is_url_or_path(spec: str) -> bool:
    head = spec.split(";")[0].strip()
    return bool(
        _SCHEME.match(head)
        or _VCS.match(head)
        or head.startswith((".", "/", "~", "file:"))
        or "/" in head
        or "\\" in head
        or _ARCHIVE.search(head)
    )


def _name_from_url(url: str) -> str:
    egg = _EGG.search(url)
    if egg:
        return canonicalize_name(egg.group(1))
    filename = url.split("#")[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    if _ARCHIVE.search(filename) and "-" in filename:
        return canonicalize_name(filename.split("-")[0])
    return ""


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
