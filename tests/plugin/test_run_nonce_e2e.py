"""Every name a probe creates carries the run's nonce: new per run, one for all items.

``px_names_app`` records every title it is sent (``worker title`` lines in the file
``PX_NAMES_FILE`` names). Two runs against it must create no name in common (a second
run against the same database collides with nothing the first left); within one run,
every xdist worker's names carry the controller's one nonce; a nonce given as an option
replays a run's names exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "probes" / "fixtures" / "px_names_app.py"
# apiposture[variant]-<nonce: 6 hex><probe and route: 4 hex>
NAME = re.compile(r"^apiposture\d*-(?P<nonce>[0-9a-f]{6})[0-9a-f]{4}$")


def created(pytester: pytest.Pytester, *args: str) -> list[tuple[str, str]]:
    """(worker, title) for every name one ``pytest --apiposture`` run created."""
    names = pytester.path / f"names-{len(list(pytester.path.glob('names-*')))}.txt"
    pytester.makepyfile(px_names_app=FIXTURE.read_text())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PX_NAMES_FILE", str(names))
        result = pytester.runpytest_subprocess(
            "--apiposture", "--apiposture-app=px_names_app:app", "--apiposture-no-audit",
            "-p", "no:cacheprovider", *args,
        )  # fmt: skip
    assert result.ret == 1, result.stdout.str()[-2000:]  # the open create routes fail
    lines = names.read_text().split("\n") if names.exists() else []
    return [(line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in lines if line]


def nonces(names: list[tuple[str, str]]) -> set[str]:
    found = set()
    for _worker, title in names:
        match = NAME.match(title)
        assert match is not None, title
        found.add(match.group("nonce"))
    return found


def test_two_runs_create_different_names_one_nonce_for_all_workers(
    pytester: pytest.Pytester,
) -> None:
    # --dist each: every worker runs every item, so both create names whatever the timing
    first = created(pytester, "-n", "2", "--dist", "each")
    second = created(pytester)  # the next run, in one process
    assert len(first) >= 8 and len(second) >= 4
    assert {worker for worker, _ in first} == {"gw0", "gw1"}  # both workers created names
    assert len(nonces(first)) == 1  # one nonce per run, the controller's, in every worker
    assert len(nonces(second)) == 1
    assert nonces(first) != nonces(second)
    assert not {t for _, t in first} & {t for _, t in second}
    # within a worker's run, no two probes create the same name
    for worker in ("gw0", "gw1"):
        mine = [t for w, t in first if w == worker]
        assert len(set(mine)) == len(mine)


def test_a_nonce_given_as_an_option_replays_the_names(pytester: pytest.Pytester) -> None:
    first = created(pytester, "--apiposture-probe-nonce=5eed01")
    second = created(pytester, "--apiposture-probe-nonce=5eed01")
    assert nonces(first) == {"5eed01"}
    assert sorted(t for _, t in first) == sorted(t for _, t in second)


def test_a_nonce_that_cannot_be_part_of_a_name_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(px_names_app=FIXTURE.read_text())
    result = pytester.runpytest_subprocess(
        "--apiposture", "--apiposture-app=px_names_app:app", "--apiposture-probe-nonce=a b@c"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: apiposture probe_nonce: 'a b@c' must be 1 to 16 letters or digits "
            "(it goes into user names and e-mail addresses)"
        ]
    )
