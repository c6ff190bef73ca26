"""Value shapes that must never leave a server: hashes, tokens, keys, card numbers, SSNs.

Data, not code: one table of (label, pattern). Used twice: the data-exposure probe
reports them, and transcripts redact them so a failure report does not leak them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# label, regex (matched with fullmatch on a stripped string value unless noted)
SECRET_SHAPES: tuple[tuple[str, str], ...] = (
    ("bcrypt hash", r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}"),
    (
        "argon2 hash",
        r"\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+",
    ),
    (
        "pbkdf2 hash",
        r"(?:pbkdf2:sha\d+(?::\d+)?\$\S+\$[0-9a-f]+|pbkdf2_sha\d+\$\d+\$\S+\$\S+|\$pbkdf2(?:-sha\d+)?\$\d+\$\S+)",
    ),
    (
        "scrypt hash",
        r"(?:scrypt:\d+:\d+:\d+\$\S+\$[0-9a-f]+|\$scrypt\$\S+|\$7\$[./A-Za-z0-9]{11,}\$\S+)",
    ),
    ("sha-crypt hash", r"\$[56]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,86}"),
    ("JWT", r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    ("private key", r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*"),
    ("AWS access key", r"(?:AKIA|ASIA)[0-9A-Z]{16}"),
    ("Google API key", r"AIza[0-9A-Za-z_-]{35}"),
    ("GitHub token", r"gh[pousr]_[A-Za-z0-9]{36,}"),
    ("Slack token", r"xox[abprs]-[A-Za-z0-9-]{10,}"),
    ("Stripe secret key", r"[rs]k_live_[0-9A-Za-z]{16,}"),
    ("SSN", r"(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}"),
)
_COMPILED = tuple((label, re.compile(pattern)) for label, pattern in SECRET_SHAPES)
_CARD = re.compile(r"(?:\d[ -]?){12,18}\d")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def secret_shape(value: str) -> str | None:
    """The label of the secret ``value`` looks like, or None."""
    text = value.strip()
    if len(text) < 9:
        return None
    first = text[0]
    # cheap prefilter: every shape starts with one of these
    if first not in "$ep-AaGgxsrSs0123456789" and not text.startswith(("gh", "xox")):
        return None
    for label, pattern in _COMPILED:
        if pattern.fullmatch(text):
            return label
    if _CARD.fullmatch(text):
        digits = re.sub(r"[ -]", "", text)
        if 13 <= len(digits) <= 19 and digits[0] in "3456" and luhn_ok(digits):
            return "card number"
    return None


@dataclass(frozen=True)
class Hit:
    """A place in a JSON document: ``$.user.password_hash``, and what is there."""

    path: str
    key: str
    value: Any


def walk(doc: Any, path: str = "$", depth: int = 0) -> Iterator[Hit]:
    """Every (path, key, value) of a JSON document, lists folded to ``[]``.

    Lists are folded so that a listing of a hundred users yields each key once per
    distinct path; only the first few items are looked at.
    """
    if depth > 12:
        return
    if isinstance(doc, dict):
        for key, value in doc.items():
            child = f"{path}.{key}"
            yield Hit(child, str(key), value)
            yield from walk(value, child, depth + 1)
    elif isinstance(doc, list):
        for item in doc[:20]:
            yield from walk(item, f"{path}[]", depth + 1)


def mask(value: str) -> str:
    """Keep a recognisable prefix, hide the rest."""
    if len(value) <= 8:
        return "***"
    return f"{value[:6]}...(redacted)"
