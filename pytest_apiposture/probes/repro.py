"""A command that reproduces a probe finding: ``curl`` against a running copy of the app,
with every credential read from an environment variable, and the pytest node id to
rerun the check. Secrets never appear in the text (reports get committed and shared).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from .transcript import Exchange

BASE = "${APIPOSTURE_URL:-http://127.0.0.1:8000}"
_VAR = re.compile(r"[^A-Za-z0-9]+")


def decisive(transcript: Sequence[Exchange], route_key: str) -> Exchange | None:
    """The exchange that proves the finding: the last one to the route the app answered
    with 2xx (else the last one to the route)."""
    mine = [ex for ex in transcript if ex.route == route_key] or list(transcript)
    return next((ex for ex in reversed(mine) if ex.ok), mine[-1] if mine else None)


def env_name(kind: str, who: str) -> str:
    """``APIPOSTURE_TOKEN_ALICE``: upper case, non-alphanumerics as ``_``."""
    parts = (_VAR.sub("_", part).strip("_").upper() for part in ("APIPOSTURE", kind, who))
    return "_".join(p for p in parts if p)


def curl(exchange: Exchange, credential_headers: frozenset[str]) -> str:
    """The ``curl`` command that sends ``exchange``'s request; credentials as ``$VARS``."""
    who = exchange.label.split(",", 1)[0].strip() or "anonymous"
    parts = ["curl", "-sS", "-i", "-X", exchange.method]
    content_type = ""
    for name, value in exchange.request_headers:
        if name.lower() == "content-type":
            content_type = value
        if name.lower() in credential_headers:
            parts += ["-H", _secret_header(name, value, who)]
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.request_body:
        if not content_type:
            body = exchange.request_body.lstrip()
            content_type = "application/json" if body[:1] in "{[" else ""
            if content_type:
                parts += ["-H", shlex.quote(f"Content-Type: {content_type}")]
        parts += ["--data-raw", shlex.quote(exchange.request_body)]
    parts.append(f'"{BASE}{_quote_url(exchange.url)}"')
    return " ".join(parts)


def _secret_header(name: str, value: str, who: str) -> str:
    scheme, sep, _rest = value.partition(" ")
    if name.lower() == "authorization" and sep and scheme.isalpha():
        return f'"{name}: {scheme} ${env_name("TOKEN", who)}"'
    if name.lower() == "cookie":
        return f'"{name}: ${env_name("COOKIE", who)}"'
    return f'"{name}: ${env_name(name, who)}"'


def _quote_url(url: str) -> str:
    # inside double quotes: only ", $, ` and \ need escaping
    return re.sub(r'(["$`\\])', r"\\\1", url)


def rerun(anchor: str, route_key: str) -> str:
    """The pytest command that reruns the endpoint's item (its node id)."""
    return "pytest --apiposture " + shlex.quote(f"{anchor}::{route_key}")


def command(
    transcript: Sequence[Exchange], credential_headers: frozenset[str], route_key: str
) -> str:
    """The curl line for the finding on ``route_key``; '' without a transcript."""
    exchange = decisive(transcript, route_key)
    return curl(exchange, credential_headers) if exchange is not None else ""
