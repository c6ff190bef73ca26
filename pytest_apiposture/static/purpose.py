"""Public by purpose: what a route does and is called says it serves anonymous callers.

A login, a token endpoint, a password reset, an OAuth callback, a health check, the app's
own docs and schema, a static asset, a read the app files under a ``public`` segment:
such a route has to answer callers who have no credential yet (or never will), under
whatever prefix the app mounts it
(``/api/v1/auth/token``, ``/status/healthz/``). ``purpose`` reads the path's static
segments (any prefix), the handler's name and, for the framework's own docs routes, the
handler's module, and returns the reason shown to a reviewer, or None.

It is consulted only when no guard is visible (``auth.auth_verdict``): a visible guard
always wins over a purpose; a route the ``public`` setting lists is reported with its
purpose when it has one, else as declared.
"""

from __future__ import annotations

import re

from ..model import Route

# reason -> (segment words, methods or None for any). A segment matches when it equals a
# word after lower-casing and turning "_" into "-".
_ENTRY = "login entry point"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# fmt: off
_SEGMENTS: tuple[tuple[str, frozenset[str], frozenset[str] | None], ...] = (
    (
        _ENTRY,
        frozenset(
            {
                "login",
                "log-in",
                "signin",
                "sign-in",
                "logout",
                "log-out",
                "signout",
                "sign-out",
                "signup",
                "sign-up",
                "register",
                "registration",
                "forgot-password",
                "reset-password",
                "password-reset",
                "forgot",
                "recover",
                "recovery",
                "verify-email",
                "confirm-email",
                "email-verification",
                "activate",
                "activation",
                "callback",
                "oauth-callback",
                "oauth2-callback",
                # OAuth 2.0 device authorization grant (RFC 8628): a CLI asks for a code
                "device-authorization",
                "device-code",
                "acs",
                "sso",
                "saml",
                "oidc",
            }
        ),
        None,
    ),
    (
        "token endpoint",
        frozenset({"token", "refresh", "token-refresh", "refresh-token"}),
        frozenset({"POST"}),
    ),
    (
        "health or version probe",
        frozenset(
            {
                "health",
                "healthz",
                "healthcheck",
                "health-check",
                "livez",
                "readyz",
                "ready",
                "readiness",
                "liveness",
                "alive",
                "ping",
                "heartbeat",
                "version",
            }
        ),
        _READS,
    ),
    (
        "API docs and schema",
        frozenset(
            {
                "docs",
                "redoc",
                "swagger",
                "openapi",
                "openapi.json",
                "openapi.yaml",
                "swagger.json",
                "swagger.yaml",
                "oauth2-redirect",
                "apidocs",
            }
        ),
        _READS,
    ),
    (
        # the app's own word: a read under ``/public/`` (LiteLLM's model hub, a catalogue)
        "public by name",
        frozenset({"public"}),
        _READS,
    ),
    (
        "static asset",
        frozenset(
            {
                "static",
                "assets",
                "favicon.ico",
                "robots.txt",
                "manifest.json",
                "site.webmanifest",
                "manifest.webmanifest",
                "sw.js",
                "service-worker.js",
                "apple-touch-icon.png",
            }
        ),
        _READS,
    ),
)
# fmt: on
_WELL_KNOWN = ".well-known"
# OAuth / OIDC / SAML protocol endpoints: public by protocol (they authenticate the client
# or the user themselves) when they sit under a protocol segment
# (LNURL: the Lightning payment protocol, whose callbacks payers' wallets call anonymously)
_PROTOCOL = frozenset({"oauth", "oauth2", "oidc", "openid", "saml", "saml2", "sso", "lnurl"})
_PROTOCOL_ENDPOINTS = frozenset({
    "authorize", "token", "tokens", "revoke", "introspect", "register", "callback", "cb",
    "login", "logout", "jwks", "jwks.json", "metadata", "acs", "userinfo",
})  # fmt: skip
# a handler name's protocol step (with a protocol word), unless it manages stored records
_HANDLER_STEPS = frozenset({"callback", "cb", "acs", "token", "login", "authorize"})
_ON_RECORDS = frozenset({"get", "list", "revoke", "delete", "create", "update", "remove"})
# the second step of a login: a challenge the password step issued, and its answer
_MFA = frozenset({"mfa", "2fa", "two-factor", "otp", "totp"})
_MFA_STEPS = frozenset({"challenge", "verify"})
# a word of a segment (split on "-", "_", ".") that names a health or version probe
_PROBE_WORDS = frozenset({"health", "healthz", "healthcheck", "livez", "readyz", "readiness",
                          "liveness", "heartbeat", "version", "ping"})  # fmt: skip
_RESET = re.compile(r"password.*(?:reset|forgot|recover)|(?:reset|forgot|recover).*password")
# a final segment that names a file of these kinds is an asset (``/ui/app.3f2a.js``)
_ASSET_FILE = re.compile(r"\.(?:js|mjs|css|map|ico|png|svg|jpe?g|gif|webp|woff2?|ttf|txt|md)$")
# the framework's own docs routes (a custom ``openapi_url`` / ``docs_url``)
_DOCS_MODULES = ("fastapi.applications:", "flasgger", "flask_smorest", "apispec", "spectree")
# handler names: every word of the name is checked
_NAME_WORDS: dict[str, str] = {
    "login": _ENTRY, "logout": _ENTRY, "signin": _ENTRY, "signout": _ENTRY,
    "signup": _ENTRY, "register": _ENTRY, "healthcheck": "health or version probe",
    "health": "health or version probe", "liveness": "health or version probe",
    "readiness": "health or version probe", "heartbeat": "health or version probe",
    "favicon": "static asset", "robots": "static asset",
}  # fmt: skip
# a handler name word that says the route acts on someone else's account, not the caller's
_NOT_ENTRY = re.compile(r"admin|impersonat|as_user|for_user|other", re.IGNORECASE)


def purpose(route: Route) -> str | None:
    """Why ``route`` is public by purpose ("login entry point", "static asset"), or None."""
    if route.kind != "http":
        return None
    method = route.method
    if route.handler.startswith(_DOCS_MODULES):
        return "API docs and schema (served by the framework)"
    if route.endpoint_name == "static" or route.endpoint_name.endswith(".static"):
        return "static asset (the framework's static folder)"
    segments = [s for s in route.path.strip("/").split("/") if s]
    statics = [s.lower().replace("_", "-") for s in segments if not s.startswith("{")]
    if _WELL_KNOWN in statics and method in _READS:
        return "well-known metadata"
    for reason, words, methods in _SEGMENTS:
        if methods is not None and method not in methods:
            continue
        if reason.startswith("health") and len(statics) != len(segments):
            continue  # ``/models/{id}/version`` reads an object, not the server's health
        if reason == _ENTRY and _NOT_ENTRY.search(route.handler.rpartition(":")[2]):
            continue
        hit = next((s for s in statics if s in words), None)
        if hit is not None:
            return f"{reason} (path segment '{hit}')"
    words_last = set(re.split(r"[-_.]", statics[-1])) if statics else set()
    if statics and len(statics) == len(segments) and method in _READS and words_last & _PROBE_WORDS:
        return f"health or version probe (path segment '{segments[-1]}')"
    if any(s in _PROTOCOL for s in statics[:-1]) and statics[-1] in _PROTOCOL_ENDPOINTS:
        return f"{_ENTRY} (protocol endpoint '{statics[-1]}')"
    if method == "POST" and statics[-1:] and statics[-1] in _MFA_STEPS and _MFA & set(statics):
        return f"{_ENTRY} (second factor step '{statics[-1]}')"
    hit = next((s for s in statics if _RESET.search(s)), None)
    if hit is not None:
        return f"{_ENTRY} (path segment '{hit}')"
    if method in _READS and segments and _ASSET_FILE.search(segments[-1].lower()):
        return f"static asset (file '{segments[-1]}')"
    name = route.handler.rpartition(".")[2].rpartition(":")[2].lower()
    if not _NOT_ENTRY.search(name):
        name_words = set(name.split("_"))
        # ``handle_oauth_token``: the provider's redirect back, under the app's own path
        if name_words & _PROTOCOL and name_words & _HANDLER_STEPS and not name_words & _ON_RECORDS:
            return f"{_ENTRY} (protocol step in handler '{name}')"
        # ``reset_password`` taking its reset key in the body (no object in the path)
        if _RESET.search(name) and len(statics) == len(segments):
            return f"{_ENTRY} (handler '{name}')"
        for word in name.split("_"):
            named = _NAME_WORDS.get(word)
            # a read named ``login`` may be any page; a POST named so takes credentials
            if named is not None and (method == "POST") == (named == _ENTRY):
                return f"{named} (handler '{name}')"
    return None


def is_entry_point(reason: str | None) -> bool:
    """A login, sign-up, token or reset route: its own credential checks refuse a bad
    password, they do not guard the route."""
    return reason is not None and reason.startswith((_ENTRY, "token endpoint"))
