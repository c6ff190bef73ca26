"""The terminal summary: golden output, thresholds, preview, fixed fingerprints."""

from __future__ import annotations

from collections.abc import Callable

from pytest_apiposture.model import Posture, Severity
from pytest_apiposture.report.terminal import summary_lines


def render(lines: list[tuple[str, dict[str, bool]]]) -> str:
    """One golden line per output line: the markup names, a tab, the text."""
    return "".join(
        f"{','.join(sorted(k for k, v in markup.items() if v)) or '-'}\t{text}\n"
        for text, markup in lines
    )


def test_terminal_summary_matches_golden(
    posture: Posture, golden: Callable[[str, str], None]
) -> None:
    lines = summary_lines(posture, fail_on=Severity.HIGH, include_preview=False, verbose=0)
    golden("terminal.txt", render(lines))


def test_verbose_terminal_summary_matches_golden(
    posture: Posture, golden: Callable[[str, str], None]
) -> None:
    lines = summary_lines(
        posture,
        fail_on=Severity.HIGH,
        include_preview=False,
        verbose=1,
        fixed=["0123456789abcdef01234567"],
    )
    golden("terminal-verbose.txt", render(lines))


def failing_codes(lines: list[tuple[str, dict[str, bool]]]) -> list[str]:
    """Codes listed between the failing title and the warnings title."""
    codes: list[str] = []
    inside = False
    for text, _ in lines:
        if "fail the build" in text:
            inside = True
        elif "warning" in text and "not failing" in text:
            inside = False
        elif inside and text.strip().startswith("APS"):
            codes.append(text.split()[0])
    return codes


def test_threshold_and_preview_move_findings_between_sections(posture: Posture) -> None:
    high = summary_lines(posture, fail_on=Severity.HIGH, include_preview=False, verbose=0)
    assert failing_codes(high) == ["APS151", "APS001", "APS201", "APS202", "APS301", "APS304"]
    critical = summary_lines(posture, fail_on=Severity.CRITICAL, include_preview=False, verbose=0)
    assert failing_codes(critical) == ["APS151"]
    medium_preview = summary_lines(
        posture, fail_on=Severity.MEDIUM, include_preview=True, verbose=0
    )
    assert failing_codes(medium_preview) == [
        "APS151",
        "APS001",
        "APS201",
        "APS202",
        "APS101",
        "APS301",
        "APS304",
        "APS401",
    ]
    assert medium_preview[-1] == (
        "apiposture: 8 endpoints, 8 failing, 0 warnings, 1 info, 1 suppressed, 2 baselined "
        "(fail-on=medium, preview included)",
        {"red": True, "bold": True},
    )


def test_clean_posture_is_green(posture: Posture) -> None:
    posture.findings = [f for f in posture.findings if f.suppressed or f.baselined]
    posture.notes = []
    lines = summary_lines(posture, fail_on=Severity.HIGH, include_preview=False, verbose=0)
    assert lines == [
        ("suppressed: 1 (inline ignore)  baselined: 2", {}),
        (
            "apiposture: 8 endpoints, 0 failing, 0 warnings, 1 suppressed, 2 baselined (fail-on=high)",
            {"green": True, "bold": True},
        ),
    ]


def test_load_error_is_shown_first_in_red() -> None:
    posture = Posture(
        app="shop.main:app", framework="", root="/srv/shop", error="cannot import shop.main"
    )
    lines = summary_lines(posture, fail_on=Severity.HIGH, include_preview=False, verbose=0)
    assert lines[0] == ("apiposture: ERROR cannot import shop.main", {"red": True, "bold": True})
    assert lines[-1][1] == {"red": True, "bold": True}
