"""Zero-config identities: two accounts registered and logged in through the app itself.

When nobody configured an identity and the app has an open registration route and a
login route, the probe session registers two fresh accounts (names unique to the run)
and logs each in, so BOLA and the mass-assignment read-backs run with no setup. The
credential is the login answer's token (``Authorization: Bearer``) or its cookies. A
registration or login that fails leaves the run without identities and says why.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Route
from .client import NO_BODY
from .shape import resolve, shape_of
from .synth import build_request

_REGISTER = re.compile(r"(?:^|/)(?:register|registration|signup|sign-up|sign_up|join)/?$", re.I)
_PEOPLE = re.compile(r"(?:^|/)(?:users|accounts|members)/?$", re.I)
_LOGIN = re.compile(
    r"(?:^|/)(?:login|log-in|signin|sign-in|token|tokens|session|sessions|authenticate)/?$", re.I
)
_PASSWORD = re.compile(r"pass(word|wd|phrase)?$", re.I)
_EMAIL = re.compile(r"e-?mail", re.I)
_NAME = re.compile(r"^(user)?_?name$|^login$|^handle$|^user$", re.I)
_TOKEN = re.compile(r"^(access_?token|token|jwt|id_?token|auth_?token|session_?token)$", re.I)
NAMES = ("apiposture-a", "apiposture-b")


@dataclass
class AutoIdentities:
    """The routes zero-config identities go through, and what happened when they did."""

    register: Route
    login: Route
    schema: dict[str, Any] | None = None
    problem: str | None = None  # set when registering or logging in failed
    nonce: str = field(default_factory=lambda: secrets.token_hex(4))

    def describe(self) -> str:
        return f"registered through {self.register.key}, logged in through {self.login.key}"

    def __call__(self, client: Any) -> dict[str, dict[str, str]]:
        """name -> headers, for ``resolve_identities``; {} (and ``problem``) on failure."""
        found: dict[str, dict[str, str]] = {}
        for base in NAMES:
            name = f"{base}-{self.nonce}"
            try:
                found[base] = self._account(client, name)
            except _Failed as exc:
                self.problem = f"zero-config identity {base}: {exc}"
                return {}
        return found

    def _account(self, client: Any, name: str) -> dict[str, str]:
        password = f"Apiposture-{self.nonce}-Passw0rd!"
        made = self._send(client, self.register, name, password)
        if not 200 <= made.status_code < 300:
            raise _Failed(f"{self.register.key} answered {made.status_code}: {_text(made)}")
        answer = self._send(client, self.login, name, password)
        if not 200 <= answer.status_code < 300:
            raise _Failed(f"{self.login.key} answered {answer.status_code}: {_text(answer)}")
        for response in (answer, made):
            token = _token(response)
            if token:
                return {"Authorization": f"Bearer {token}"}
        cookies = [c.split(";", 1)[0] for c in answer.headers.get_list("set-cookie")]
        if cookies:
            return {"Cookie": "; ".join(cookies)}
        raise _Failed(f"{self.login.key} answered {answer.status_code} with no token and no cookie")

    def _send(self, client: Any, route: Route, name: str, password: str) -> Any:
        shape = shape_of(route, self.schema)
        request = build_request(route.method, route.path, shape)
        body = request.json if request.json is not NO_BODY else request.form
        fields = _fields(shape) or ["username", "email", "password"]
        filled = dict(body) if isinstance(body, Mapping) else {}
        for key in fields:
            value = _account_value(key, name, password)
            if value is not None:
                filled[key] = value
        if request.form is not None or shape.body_kind == "form":
            return client.request(route.method, request.url, data=filled)
        return client.request(route.method, request.url, json=filled)


class _Failed(Exception):
    pass


def _fields(shape: Any) -> list[str]:
    spec = resolve(shape.root, shape.body) if shape.body else {}
    return [str(k) for k in (spec.get("properties") or {})]


def _account_value(key: str, name: str, password: str) -> str | None:
    if _PASSWORD.search(key):
        return password
    if _EMAIL.search(key):
        return f"{name}@example.com"
    if _NAME.search(key):
        return name
    return None


def _token(response: Any) -> str | None:
    """The token in a login or registration answer: at its top level or one level down."""
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    nested = [v for v in data.values() if isinstance(v, dict)]
    for record in (data, *nested):
        for key, value in record.items():
            if _TOKEN.match(str(key)) and isinstance(value, str) and value:
                return value
    return None


def _text(response: Any) -> str:
    text: str = response.text.strip().replace("\n", " ")
    return text[:120] or "(empty body)"


def find(routes: Sequence[Route], schema: dict[str, Any] | None) -> AutoIdentities | None:
    """The app's open registration and login routes, or None when it has not both."""
    posts = [r for r in routes if r.kind == "http" and r.method == "POST" and not r.path_params]
    login = next((r for r in posts if _LOGIN.search(r.path)), None)
    register = next((r for r in posts if _REGISTER.search(r.path)), None)
    if register is None:  # ``POST /users`` registers when it takes a password
        register = next(
            (
                r
                for r in posts
                if _PEOPLE.search(r.path)
                and any(_PASSWORD.search(f) for f in _fields(shape_of(r, schema)))
            ),
            None,
        )
    if login is None or register is None:
        return None
    return AutoIdentities(register, login, schema)
