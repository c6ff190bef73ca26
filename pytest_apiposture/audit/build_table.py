"""Build the bundled advisory table from a PyPA advisory database snapshot.

    python -m pytest_apiposture.audit.build_table SRC_DIR OUT_JSON [--commit SHA] [--date YYYY-MM-DD]

SRC_DIR is the database checkout (the folder holding ``vulns/``). The snapshot's commit
and date are read from ``--commit``/``--date``, else from a README beside or above
SRC_DIR that says ``commit <sha> of <date>`` (as ``shared/advisories/README.md`` does).
The output keeps the database's CC-BY 4.0 attribution, the commit and the date.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from .advisories import Advisory, load_export

# The API stack the bundled table covers. A package listed here with no advisory in the
# snapshot is still "covered": the database had nothing on it as of the snapshot date.
API_STACK: tuple[str, ...] = tuple(
    sorted(
        {
            canonicalize_name(n)
            for n in (
                "starlette",
                "fastapi",
                "flask",
                "werkzeug",
                "jinja2",
                "markupsafe",
                "itsdangerous",
                "click",
                "pydantic",
                "pydantic-core",
                "pyjwt",
                "python-jose",
                "ecdsa",
                "rsa",
                "authlib",
                "requests",
                "urllib3",
                "httpx",
                "h11",
                "anyio",
                "certifi",
                "idna",
                "aiohttp",
                "sqlalchemy",
                "flask-cors",
                "flask-sqlalchemy",
                "flask-login",
                "flask-jwt-extended",
                "uvicorn",
                "gunicorn",
                "python-multipart",
                "websockets",
                "cryptography",
                "pyopenssl",
                "pyyaml",
                "orjson",
                "ujson",
                "jsonschema",
                "connexion",
                "setuptools",
                "pip",
            )
        }
    )
)

ATTRIBUTION = (
    "Advisory data derived from the Python Packaging Advisory Database "
    "(https://github.com/pypa/advisory-database), licensed under CC-BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). Filtered to the packages listed "
    "under 'packages' and reduced to ids, aliases, summaries, severities and affected ranges."
)
_README_STAMP = re.compile(r"commit\s+([0-9a-f]{40})\s+of\s+(\d{4}-\d{2}-\d{2})")


def snapshot_stamp(src: Path) -> tuple[str, str] | None:
    """(commit, date) from a README next to or above ``src``."""
    for readme in (src / "README.md", src.parent / "README.md"):
        try:
            found = _README_STAMP.search(" ".join(readme.read_text(encoding="utf-8").split()))
        except OSError:
            continue
        if found:
            return found.group(1), found.group(2)
    return None


def build_table(src: Path, commit: str, date: str) -> dict[str, Any]:
    vulns = src / "vulns" if (src / "vulns").is_dir() else src
    export, notes = load_export(vulns, wanted=API_STACK)
    if notes:
        raise ValueError("; ".join(notes))
    advisories: list[Advisory] = sorted(
        (a for name in API_STACK for a in export.for_package(name)),
        key=lambda a: (a.package, a.id),
    )
    return {
        "format": 1,
        "source": {
            "name": "PyPA Advisory Database",
            "url": "https://github.com/pypa/advisory-database",
            "commit": commit,
            "date": date,
            "license": "CC-BY-4.0",
            "attribution": ATTRIBUTION,
        },
        "generated_by": "python -m pytest_apiposture.audit.build_table",
        "packages": list(API_STACK),
        "advisories": [_compact(a) for a in advisories],
    }


def _compact(advisory: Advisory) -> dict[str, Any]:
    """Drop the enumerated version list where ranges already say the same (smaller file)."""
    data = advisory.to_json()
    if advisory.ranges:
        data.pop("versions", None)
    return data


def dump_table(table: dict[str, Any]) -> str:
    """JSON with one advisory per line: small, and a rebuild diffs line by line."""
    head = json.dumps(
        {k: v for k, v in table.items() if k != "advisories"}, indent=1, sort_keys=True
    )
    body = ",\n  ".join(json.dumps(a, sort_keys=True) for a in table["advisories"])
    text = head[: -len("\n}")] + ',\n "advisories": [\n  ' + body + "\n ]\n}\n"
    if json.loads(text) != table:  # the hand-joined layout must stay the same JSON
        raise ValueError("advisory table layout does not round-trip")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_apiposture.audit.build_table", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("src", type=Path, help="PyPA advisory database checkout (holds vulns/)")
    parser.add_argument("out", type=Path, help="JSON file to write")
    parser.add_argument("--commit", help="snapshot commit (default: from the README)")
    parser.add_argument("--date", help="snapshot date YYYY-MM-DD (default: from the README)")
    args = parser.parse_args(argv)
    if not args.src.is_dir():
        print(
            f"error: {args.src} is not a directory; pass the advisory database checkout",
            file=sys.stderr,
        )
        return 2
    stamp = snapshot_stamp(args.src)
    commit = args.commit or (stamp[0] if stamp else None)
    date = args.date or (stamp[1] if stamp else None)
    if not commit or not date:
        print(
            "error: snapshot commit/date not found in a README; pass --commit and --date",
            file=sys.stderr,
        )
        return 2
    try:
        table = build_table(args.src, commit, date)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.write_text(dump_table(table), encoding="utf-8")
    print(
        f"wrote {args.out}: {len(table['advisories'])} advisories for {len(API_STACK)} packages "
        f"(snapshot {commit[:12]} of {date})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
