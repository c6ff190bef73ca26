"""Read TOML and find the line a value was written on.

``tomllib`` gives values, not positions; findings need a line. The files we read are
written by tools or by hand in the usual layout (one table header per line, one key
or one list item per line), so a forward text search from the table header finds the
line; when it does not, the table header's line is reported rather than a guess.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_TOML_LINE = re.compile(r"line (\d+)")


class TomlError(Exception):
    """A TOML file that does not parse; ``line`` is where the parser stopped."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def load_toml(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The parsed document and its lines; raises ``TomlError`` or ``OSError``."""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        raise TomlError(str(exc), int(found.group(1)) if found else 1) from None
    return data, text.splitlines()


def _is_header(line: str) -> bool:
    return line.lstrip().startswith("[")


def table_line(lines: list[str], table: str) -> int | None:
    """1-based line of ``[table]`` (or ``[[table]]``), or None."""
    want = re.compile(r"^\s*\[\[?\s*" + _dotted(table) + r"\s*\]\]?\s*(#.*)?$")
    for number, line in enumerate(lines, start=1):
        if want.match(line):
            return number
    return None


def key_line(lines: list[str], table: str, key: str) -> int | None:
    """1-based line of ``key = ...`` inside ``[table]``; falls back to the header line."""
    start = table_line(lines, table)
    if start is None:
        return None
    want = re.compile(r"""^\s*["']?""" + re.escape(key) + r"""["']?\s*=""")
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if _is_header(line):
            break
        if want.match(line):
            return number
    return start


def value_line(lines: list[str], value: str, start: int) -> int | None:
    """First line at or after ``start`` (1-based) holding ``value`` as a quoted string."""
    needles = (f'"{value}"', f"'{value}'")
    for number in range(max(start, 1), len(lines) + 1):
        line = lines[number - 1]
        if any(n in line for n in needles):
            return number
    return None


def array_entry_lines(lines: list[str], table: str) -> list[int]:
    """For each ``[[table]]`` block, the line of its ``name =`` key (else the header)."""
    header = re.compile(r"^\s*\[\[\s*" + _dotted(table) + r"\s*\]\]\s*(#.*)?$")
    name_key = re.compile(r"""^\s*name\s*=""")
    found: list[int] = []
    current: int | None = None
    for number, line in enumerate(lines, start=1):
        if header.match(line):
            if current is not None:
                found.append(current)
            current = -number  # negative: header seen, name not yet
        elif current is not None and current < 0:
            if name_key.match(line):
                current = number
            elif _is_header(line):
                found.append(-current)
                current = None
    if current is not None:
        found.append(abs(current))
    return found


def _dotted(table: str) -> str:
    parts = [re.escape(p) for p in table.split(".")]
    return r"\s*\.\s*".join(rf"""["']?{p}["']?""" for p in parts)
