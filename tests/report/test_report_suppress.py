"""Inline ``# apiposture: ignore[...]`` comments on a real FastAPI module."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from pytest_apiposture.model import Confidence, Finding, Kind, Location, Severity
from pytest_apiposture.suppress import apply_inline, bare_ignores, inline_ignores, unknown_codes

SHOP = textwrap.dedent(
    """\
    from fastapi import Depends, FastAPI
    from pydantic import BaseModel

    app = FastAPI()


    class UserOut(BaseModel):
        id: int
        email: str
        password_hash: str  # apiposture: ignore[APS301]
        api_token: str


    def get_current_user() -> dict[str, str]:
        return {"name": "alice"}


    @app.get("/admin/stats")  # apiposture: ignore[aps501, APS201]
    def stats(user: dict[str, str] = Depends(get_current_user)) -> dict[str, int]:
        return {"users": 1}


    @app.get("/users/{user_id}", response_model=UserOut)
    def read_user(  # apiposture: ignore[APS301] the model is trimmed by a serializer
        user_id: int,
    ) -> dict[str, object]:
        note = "# apiposture: ignore[APS101] inside a string does not count"
        return {"id": user_id, "note": note}


    @app.get("/health")  # apiposture: ignore
    def health() -> dict[str, str]:
        return {"ok": "yes"}
    """
)


def finding(code: str, method: str, path: str, where: Location | None) -> Finding:
    return Finding(
        code,
        Kind.MISSING_AUTH,
        "API2:2023",
        Severity.HIGH,
        Confidence.LIKELY,
        f"{code} flagged",
        "fix it",
        method,
        path,
        where,
    )


def read_lines(file: str) -> Sequence[str] | None:
    try:
        return Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_inline_ignores_parse_codes_and_skip_strings() -> None:
    lines = SHOP.splitlines()
    assert inline_ignores(lines) == {
        line_of(SHOP, "password_hash: str"): frozenset({"APS301"}),
        line_of(SHOP, '@app.get("/admin/stats")'): frozenset({"APS501", "APS201"}),
        line_of(SHOP, "def read_user("): frozenset({"APS301"}),
    }


def test_bare_ignore_is_reported_not_honoured(tmp_path: Path) -> None:
    lines = SHOP.splitlines()
    assert bare_ignores(lines) == [line_of(SHOP, '@app.get("/health")')]
    module = tmp_path / "shop.py"
    module.write_text(SHOP)
    health = finding(
        "APS201", "GET", "/health", Location(str(module), line_of(SHOP, "def health"), "health")
    )
    assert apply_inline([health], read_lines=read_lines) == [health]


def test_unknown_codes_are_listed() -> None:
    assert unknown_codes({3: frozenset({"APS201", "APS2O1"}), 9: frozenset({"E501"})}) == [
        (3, "APS2O1"),
        (9, "E501"),
    ]


def test_ignore_on_the_flagged_line_and_on_the_handler(tmp_path: Path) -> None:
    module = tmp_path / "shop.py"
    module.write_text(SHOP)
    schemas = tmp_path / "schemas.py"
    schemas.write_text("class Secret:\n    token: str\n")
    file = str(module)
    findings = [
        # the flagged line carries the ignore
        finding(
            "APS301",
            "GET",
            "/users/{user_id}",
            Location(file, line_of(SHOP, "password_hash: str"), "UserOut"),
        ),
        # same line, another code: stays
        finding(
            "APS303",
            "GET",
            "/users/{user_id}",
            Location(file, line_of(SHOP, "password_hash: str"), "UserOut"),
        ),
        # a field on the line below is not covered (GET /users/me has no handler ignore)
        finding(
            "APS301", "GET", "/users/me", Location(file, line_of(SHOP, "api_token: str"), "UserOut")
        ),
        # flagged at the def; the ignore is on its decorator (code matched case-insensitively)
        finding(
            "APS501", "GET", "/admin/stats", Location(file, line_of(SHOP, "def stats("), "stats")
        ),
        # flagged in another file; the handler's def line carries the ignore
        finding("APS301", "GET", "/users/{user_id}", Location(str(schemas), 2, "Secret")),
        # a body line of the handler is not the handler line
        finding(
            "APS101",
            "GET",
            "/users/{user_id}",
            Location(file, line_of(SHOP, "note = "), "read_user"),
        ),
        # no location at all, handler known
        finding("APS201", "GET", "/admin/stats", None),
        # an unreadable file
        finding("APS201", "GET", "/gone", Location(str(tmp_path / "gone.py"), 3, "gone")),
    ]
    handlers = {
        ("GET", "/admin/stats"): Location(file, line_of(SHOP, "def stats("), "stats"),
        ("GET", "/users/{user_id}"): Location(file, line_of(SHOP, "def read_user("), "read_user"),
    }
    result = apply_inline(
        findings, read_lines=read_lines, handler_line=lambda f: handlers.get((f.method, f.path))
    )
    assert [f.suppressed for f in result] == [True, False, False, True, True, False, True, False]
    assert [f.code for f in result] == [f.code for f in findings]


def test_handler_line_as_int_means_the_findings_own_file(tmp_path: Path) -> None:
    module = tmp_path / "shop.py"
    module.write_text(SHOP)
    # flagged inside the body, the handler's decorator two lines above the def has the ignore
    flagged = finding(
        "APS201",
        "GET",
        "/admin/stats",
        Location(str(module), line_of(SHOP, 'return {"users": 1}'), "stats"),
    )
    assert apply_inline([flagged], read_lines=read_lines)[0].suppressed is False
    result = apply_inline(
        [flagged], read_lines=read_lines, handler_line=lambda f: line_of(SHOP, "def stats(")
    )
    assert result[0].suppressed is True


def test_file_that_does_not_parse_still_honours_ignores_on_the_line() -> None:
    lines = ["def broken(:", "    x = 1  # apiposture: ignore[APS304]", '    s = """unterminated']
    assert inline_ignores(lines) == {2: frozenset({"APS304"})}
