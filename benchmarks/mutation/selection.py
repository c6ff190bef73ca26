"""Which mutants a pass runs: the operator mutants of a module, the hand-written ones of
``named.txt``, those ``equivalent.txt`` leaves out, the survivors an earlier output listed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from operators import Mutant, mutants
from workers import PACKAGE, ROOT

EQUIVALENT = Path(__file__).resolve().parent / "equivalent.txt"
NAMED = Path(__file__).resolve().parent / "named.txt"
NOTE = "  | "  # what follows a mutant's key in our output: why, by which test, how long


def equivalent_lines(path: Path = EQUIVALENT) -> list[str]:
    """``module:line: mutation | why`` lines; ``#`` starts a comment. (The mutation may
    hold " | " itself, ``ast.Assign | ast.AnnAssign``: lines are matched by prefix.)"""
    lines = (raw.strip() for raw in path.read_text().splitlines()) if path.exists() else ()
    return [line for line in lines if line and not line.startswith("#")]


def equivalents(found: list[Mutant], lines: list[str]) -> set[Mutant]:
    """The mutants equivalent.txt lists: by key, or, once the code has moved, by module
    and change when the file lists that change as often as the module now has it."""

    def moved(key: str) -> str:  # the key (or line) without its line number
        module, _line, text = key.split(":", 2)
        return f"{module}:{text}"

    def listed(key: str, among: list[str]) -> int:
        return sum(1 for line in among if line.startswith(f"{key} | "))

    unmoved = [moved(line) for line in lines]
    made = Counter(moved(m.key) for m in found)
    return {
        m
        for m in found
        if listed(m.key, lines) or listed(moved(m.key), unmoved) >= made[moved(m.key)]
    }


def named_mutants(root: Path = ROOT, path: Path = NAMED) -> list[Mutant]:
    """``module | text | replacement | test``: the hand-written mutants (issue 19)."""
    found = []
    for raw in path.read_text().splitlines():
        if raw.strip() and not raw.startswith("#"):
            module, old, new, _test = (part.strip() for part in raw.split(" | "))
            source = (root / PACKAGE / module).read_text()
            line = source[: source.find(old)].count("\n") + 1
            end = line + old.count("\n")
            text = f"`{old}` -> `{new}`"
            found.append(Mutant(f"{PACKAGE}/{module}", line, text, -1, 0, (old, new), end))
    return found


def all_mutants(modules: Iterable[str], root: Path = ROOT) -> list[Mutant]:
    found: list[Mutant] = []
    for module in modules:
        path = f"{PACKAGE}/{module}"
        found.extend(mutants(path, (root / path).read_text()))
    return found


def rerun_keys(path: Path) -> set[str]:
    """The survivors an earlier output of ours listed."""
    lines = path.read_text().splitlines()
    again = {line.split(" survived ", 1)[1] for line in lines if " survived " in line}
    again |= {line for line in lines if line.startswith("  pytest_apiposture/")}
    return {line.split(NOTE, 1)[0].strip() for line in again}
