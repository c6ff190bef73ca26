"""One request and its response (``Exchange``), and the redacted transcript of a probe.

A failure report shows exactly what was sent and what came back, minus credentials:
header values that carry credentials, identity tokens echoed in bodies, values under
sensitive keys and secret-shaped values are masked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..knowledge import CREDENTIAL_HEADERS, DEFAULT_KNOWLEDGE, Knowledge
from .secrets import mask, secret_shape

BODY_PREVIEW = 600  # characters of a body shown in a transcript
_CREDENTIAL_WORDS = ("auth", "token", "secret", "key", "cookie", "session", "password")


class _NotJSON:
    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Any = _NotJSON()


@dataclass(frozen=True)
class Exchange:
    """What one probe request sent and received. ``status`` is None when no response came."""

    label: str  # who asked: "anonymous", an identity name, "invalid credentials"
    route: str  # the route called, "GET /items/{item_id}"
    method: str
    url: str  # path and query as sent
    request_headers: tuple[tuple[str, str], ...] = ()
    request_body: str = ""
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    data: Any = NOT_JSON  # the parsed JSON body, NOT_JSON when the body is not JSON
    elapsed: float = 0.0
    error: str | None = None  # raised / timed out / body cut off: said plainly
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def is_json(self) -> bool:
        return self.data is not NOT_JSON

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""

    @property
    def location(self) -> str:
        return self.header("location") or ""

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.response_headers:
            if key.lower() == lower:
                return value
        return None

    def describe(self) -> str:
        """One line: ``alice GET /items/1 -> 200`` or ``... -> timed out after 2s``."""
        outcome = str(self.status) if self.status is not None else "no response"
        if self.error:
            outcome = f"{outcome} ({self.error})" if self.status is not None else self.error
        return f"{self.label}: {self.method} {self.url} -> {outcome}"


def is_credential_header(name: str) -> bool:
    lower = name.lower()
    return lower in CREDENTIAL_HEADERS or any(word in lower for word in _CREDENTIAL_WORDS)


def redact_header(name: str, value: str) -> str:
    if not is_credential_header(name):
        return value
    scheme, sep, _rest = value.partition(" ")
    if sep and scheme.lower() in {"bearer", "basic", "token", "digest", "apikey"}:
        return f"{scheme} ***"
    return "***"


def redact_json(doc: Any, knowledge: Knowledge = DEFAULT_KNOWLEDGE) -> Any:
    """A copy of ``doc`` with values under sensitive keys and secret-shaped values masked."""
    if isinstance(doc, dict):
        out: dict[str, Any] = {}
        for key, value in doc.items():
            if knowledge.is_sensitive_field(str(key)) and isinstance(value, (str, int)):
                out[key] = mask(str(value))
            else:
                out[key] = redact_json(value, knowledge)
        return out
    if isinstance(doc, list):
        return [redact_json(item, knowledge) for item in doc]
    if isinstance(doc, str) and secret_shape(doc):
        return mask(doc)
    return doc


def _credential_values(exchanges: Iterable[Exchange]) -> set[str]:
    values: set[str] = set()
    for exchange in exchanges:
        for name, value in exchange.request_headers:
            if is_credential_header(name):
                token = value.partition(" ")[2] or value
                if len(token) >= 6:
                    values.add(token)
    return values


def _scrub(text: str, secrets: set[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _body_text(exchange: Exchange, knowledge: Knowledge) -> str:
    if exchange.is_json:
        text = json.dumps(redact_json(exchange.data, knowledge), default=str)
    elif exchange.body:
        text = exchange.body[: BODY_PREVIEW * 2].decode("utf-8", "replace")
    else:
        return ""
    return text if len(text) <= BODY_PREVIEW else text[:BODY_PREVIEW] + " ..."


def _request_body_text(raw: str, knowledge: Knowledge) -> str:
    try:
        doc = json.loads(raw)
    except ValueError:
        return raw[:BODY_PREVIEW]
    text = json.dumps(redact_json(doc, knowledge), default=str)
    return text if len(text) <= BODY_PREVIEW else text[:BODY_PREVIEW] + " ..."


def format_transcript(
    exchanges: Sequence[Exchange], knowledge: Knowledge = DEFAULT_KNOWLEDGE
) -> str:
    """The requests and responses of a probe, credentials redacted, for a failure report."""
    secrets = _credential_values(exchanges)
    lines: list[str] = []
    for number, ex in enumerate(exchanges, 1):
        lines.append(f"[{number}] {ex.label}: {ex.method} {ex.url}")
        for name, value in ex.request_headers:
            lines.append(f"      {name}: {redact_header(name, value)}")
        if ex.request_body:
            lines.append(f"      {_request_body_text(ex.request_body, knowledge)}")
        if ex.status is None:
            lines.append(f"    <- {ex.error or 'no response'}")
            continue
        extra = f"  [{ex.error}]" if ex.error else ""
        kind = f"  {ex.content_type}" if ex.content_type else ""
        where = f"  Location: {ex.location}" if ex.location else ""
        lines.append(f"    <- {ex.status}{kind}{where}{extra}")
        body = _body_text(ex, knowledge)
        if body:
            lines.append(f"      {_scrub(body, secrets)}")
    return "\n".join(lines)
