"""Accepting findings: inline ``# apiposture: ignore[APS301]`` comments and baselines.

Both work without line numbers where code moves: an inline ignore sits on the line
it silences (or on the handler's ``def``/decorators), and a baseline stores the
finding's fingerprint (rule + route + file + symbol), so a handler that moves down
the file stays accepted.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .model import Finding, Location, relative_path

BASELINE_VERSION = 1
IGNORE_COMMENT = re.compile(
    r"#\s*apiposture\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE
)
CODE = re.compile(r"^APS\d{3}$")


class BaselineError(Exception):
    """A baseline file that cannot be used; the message is one line and says what to do."""


# ---------------------------------------------------------------- inline ignores


def _comments(lines: Sequence[str]) -> Iterator[tuple[int, str]]:
    """(1-based line, comment text) for real comments, not ``#`` inside strings."""
    source = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError):
        # a file that does not tokenize: fall back to a plain scan of every line
        for number, line in enumerate(lines, start=1):
            if "#" in line:
                yield number, line[line.index("#") :]


def _ignores(lines: Sequence[str]) -> Iterator[tuple[int, frozenset[str] | None]]:
    """Every ignore comment; ``None`` for a bare one (no codes)."""
    for number, comment in _comments(lines):
        match = IGNORE_COMMENT.search(comment)
        if match is None:
            continue
        raw = match.group("codes") or ""
        codes = frozenset(c.strip().upper() for c in raw.split(",") if c.strip())
        yield number, codes or None


def inline_ignores(lines: Sequence[str]) -> dict[int, frozenset[str]]:
    """Line number (1-based) -> codes that ``# apiposture: ignore[...]`` silences there."""
    if not any("apiposture" in line.lower() for line in lines):
        return {}  # most files hold no ignore: no need to tokenize them
    return {number: codes for number, codes in _ignores(lines) if codes is not None}


def bare_ignores(lines: Sequence[str]) -> list[int]:
    """Lines with ``# apiposture: ignore`` and no codes: reported, never honoured."""
    return [number for number, codes in _ignores(lines) if codes is None]


def unknown_codes(ignores: dict[int, frozenset[str]]) -> list[tuple[int, str]]:
    """(line, code) for ignore entries that are not APS codes at all (typos)."""
    return sorted((n, c) for n, codes in ignores.items() for c in codes if not CODE.match(c))


def definition_headers(lines: Sequence[str]) -> list[range]:
    """For every def/class: its first decorator line through the end of its signature."""
    try:
        tree = ast.parse("\n".join(x.rstrip("\n") for x in lines))
    except (SyntaxError, ValueError):
        return []
    headers = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            body_start = node.body[0].lineno  # a def or class always has a body
            headers.append(range(first, max(node.lineno, body_start - 1) + 1))
    return headers


@dataclass
class _SourceIgnores:
    """One file's ignore comments and def headers, parsed once."""

    lines: Sequence[str]
    ignores: dict[int, frozenset[str]]
    _headers: list[range] | None = None

    def lines_for(self, line: int) -> range:
        """``line``, or the whole header when it is a def or decorator line."""
        if self._headers is None:
            self._headers = definition_headers(self.lines)
        for header in self._headers:
            if line in header:
                return header
        return range(line, line + 1)

    def ignores_code(self, line: int, code: str) -> bool:
        if not self.ignores:
            return False
        return any(code in self.ignores.get(n, ()) for n in self.lines_for(line))


HandlerPlace = Callable[[Finding], "int | Location | None"]


IgnoreCache = dict[str, "_SourceIgnores | None"]


def apply_inline(
    findings: Sequence[Finding],
    *,
    read_lines: Callable[[str], Sequence[str] | None],
    handler_line: HandlerPlace | None = None,
    cache: IgnoreCache | None = None,
) -> list[Finding]:
    """Mark findings ``suppressed`` whose code is ignored on the flagged line, or on
    the handler's ``def`` line or its decorators.

    ``handler_line`` gives the handler's place: a line in the finding's own file, or a
    ``Location`` when the handler lives elsewhere (a response model in schemas.py).
    ``read_lines`` returns a file's lines, or None when it cannot be read. ``cache``
    keeps each file's ignores between calls (a run judges its findings item by item).
    """
    cache = {} if cache is None else cache

    def ignored(file: str, line: int, code: str) -> bool:
        if file not in cache:
            lines = read_lines(file)
            cache[file] = _SourceIgnores(lines, inline_ignores(lines)) if lines else None
        source = cache[file]
        return source is not None and source.ignores_code(line, code)

    result: list[Finding] = []
    for finding in findings:
        code = finding.code.upper()
        location = finding.location
        hit = location is not None and ignored(location.file, location.line, code)
        if not hit and handler_line is not None:
            place = handler_line(finding)
            if isinstance(place, int) and location is not None:
                hit = ignored(location.file, place, code)
            elif isinstance(place, Location):
                hit = ignored(place.file, place.line, code)
        result.append(replace(finding, suppressed=True) if hit else finding)
    return result


# ---------------------------------------------------------------- baselines


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str]
    path: Path


def load_baseline(path: Path) -> Baseline:
    """Read a baseline; a missing file is an empty baseline."""
    hint = "fix it or delete it and rerun with --apiposture-update-baseline"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Baseline(frozenset(), path)
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path}: cannot read it ({exc}); {hint}") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"baseline {path}: not valid JSON (line {exc.lineno}: {exc.msg}); {hint}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"baseline {path}: expected an object with a 'findings' list; {hint}")
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"baseline {path}: version {data.get('version')!r} is not {BASELINE_VERSION}; {hint}"
        )
    fingerprints: set[str] = set()
    for index, entry in enumerate(data["findings"]):
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise BaselineError(f"baseline {path}: entry #{index} has no 'fingerprint'; {hint}")
        fingerprints.add(fingerprint)
    return Baseline(frozenset(fingerprints), path)


def baseline_entry(finding: Finding, root: str) -> dict[str, str]:
    location = finding.location
    return {
        "fingerprint": finding.fingerprint(root),
        "code": finding.code,
        "method": finding.method,
        "path": finding.path,
        "file": relative_path(location.file, root).replace("\\", "/") if location else "",
        "symbol": location.symbol if location else "",
    }


def write_baseline(path: Path, findings: Sequence[Finding], *, root: str) -> None:
    """Accept ``findings`` (suppressed ones need no baseline); no line numbers stored."""
    entries: dict[str, dict[str, str]] = {}
    for finding in findings:
        if not finding.suppressed:
            entry = baseline_entry(finding, root)
            entries[entry["fingerprint"]] = entry
    ordered = sorted(
        entries.values(),
        key=lambda e: (e["file"], e["symbol"], e["code"], e["path"], e["method"], e["fingerprint"]),
    )
    data = {"version": BASELINE_VERSION, "tool": "pytest-apiposture", "findings": ordered}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def apply_baseline(
    findings: Sequence[Finding], baseline: Baseline, *, root: str
) -> tuple[list[Finding], list[str]]:
    """(findings with ``baselined=True`` where the baseline has them, fingerprints in
    the baseline that no current finding has: fixed since it was written)."""
    present: set[str] = set()
    marked: list[Finding] = []
    for finding in findings:
        fingerprint = finding.fingerprint(root)
        present.add(fingerprint)
        matched = fingerprint in baseline.fingerprints
        marked.append(replace(finding, baselined=True) if matched else finding)
    return marked, sorted(baseline.fingerprints - present)
