"""Names one edit away from a popular package (typosquat candidates).

The bundled ``data/popular_packages.txt`` lists popular names, most downloaded first,
with its date in a ``# date:`` line. A name is a candidate when it is one insertion,
deletion, substitution or swap of neighbours away from one of the first
``TARGETS`` names, is not itself in the list, and the edit is not just a trailing digit
(``gitdb2``/``gitdb``-style version forks are common and legitimate). Short popular
names (under five characters) are skipped: too many real packages sit next to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

TARGETS = 1000
MIN_TARGET_LENGTH = 5


@dataclass(frozen=True)
class PopularNames:
    names: frozenset[str]  # every listed name: never reported
    targets: tuple[str, ...]  # the most popular ones, which squatters imitate
    date: str

    def lookalike(self, name: str) -> str | None:
        """The popular name ``name`` imitates, or None."""
        if name in self.names:
            return None
        for target in self.targets:
            if one_edit_apart(name, target) and not _trailing_digit_only(name, target):
                return target
        return None


def load_popular() -> PopularNames:
    text = (
        resources.files("pytest_apiposture")
        .joinpath("data/popular_packages.txt")
        .read_text("utf-8")
    )
    names: list[str] = []
    date = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("# date:"):
            date = line.removeprefix("# date:").strip()
        elif line and not line.startswith("#"):
            names.append(line)
    targets = tuple(n for n in names[:TARGETS] if len(n) >= MIN_TARGET_LENGTH)
    return PopularNames(frozenset(names), targets, date)


def one_edit_apart(a: str, b: str) -> bool:
    """Exactly one insertion, deletion, substitution or adjacent transposition apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def _trailing_digit_only(a: str, b: str) -> bool:
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(long) == len(short) + 1 and long.startswith(short) and long[-1].isdigit()
