"""docs/configuration.md lists every option exactly as the plugin defines it."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_apiposture.config import OPTIONS, option_flag, options_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
TABLE = re.compile(r"<!-- options:start[^>]*-->\n(.*?)<!-- options:end -->", re.S)


def test_the_options_table_is_current() -> None:
    match = TABLE.search(DOCS.read_text(encoding="utf-8"))
    assert match is not None, "docs/configuration.md lost its options markers"
    assert match.group(1) == options_markdown(), (
        "regenerate the table: python -m pytest_apiposture.config"
    )


def test_every_option_has_its_three_spellings_in_the_table() -> None:
    table = options_markdown()
    for name in OPTIONS:
        row = next(line for line in table.splitlines() if f"`apiposture_{name}`" in line)
        assert f"`{option_flag(name)}" in row
        assert f"`{name.replace('_', '-')}`" in row
