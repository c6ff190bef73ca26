"""Data tables the rules and probes consult. Data, not code: extend from config.

``[tool.apiposture]`` keys ``auth_names``, ``sensitive_fields``, ``privileged_fields``
and ``public`` add to these tables (see ``config.Settings``); nothing here is mutated
at run time: ``Knowledge.extended`` returns a new object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace

from .library_guards import (
    LIBRARY_AUTHORIZATION_GUARDS,
    LIBRARY_AUTHORIZING_HANDLERS,
    LIBRARY_PUBLIC_HANDLERS,
)

# Callable names that suggest authentication. Only a hint: the dependency graph
# (a SecurityBase scheme in the sub-tree) or the guard's code (aborting with 401/403)
# decides. Matched against the last dotted component, case-insensitively, as substrings.
AUTH_NAME_HINTS: tuple[str, ...] = (
    "current_user",
    "current_active_user",
    "get_user_from_token",
    "login_required",
    "auth_required",
    "requires_auth",
    "require_auth",
    "token_required",
    "jwt_required",
    "verify_token",
    "verify_jwt",
    "verify_api_key",
    "api_key",
    "authenticate",
    "authenticated",
    "authorize",
    "check_auth",
    "require_user",
    "require_login",
    "fresh_jwt_required",
    "permission_required",
    "roles_required",
    "roles_accepted",
    "require_role",
    "require_admin",
    "admin_required",
    "require_scope",
    "requires_scope",
)

# Names that say a guard checks a role/permission/scope, not just identity.
AUTHORIZATION_NAME_HINTS: tuple[str, ...] = (
    "admin",
    "superuser",
    "role",
    "permission",
    "scope",
    "staff",
    "owner",
)

# Credential-carrying request parts: a dependency that reads one of these is auth.
CREDENTIAL_HEADERS: frozenset[str] = frozenset(
    {"authorization", "x-api-key", "api-key", "x-auth-token", "x-access-token", "cookie"}
)

# Request body fields a client must never set for itself (mass assignment).
PRIVILEGED_FIELDS: frozenset[str] = frozenset(
    {
        "is_admin",
        "admin",
        "is_superuser",
        "superuser",
        "is_staff",
        "staff",
        "role",
        "roles",
        "permissions",
        "scopes",
        "groups",
        "owner_id",
        "user_id",
        "account_id",
        "tenant_id",
        "org_id",
        "organization_id",
        "balance",
        "credit",
        "credits",
        "is_verified",
        "verified",
        "email_verified",
        "is_active",
        # not "active" / "status": on most resources (a schedule, a session, a server
        # version) they are the client's own switch or workflow state, not a privilege;
        # is_active / is_approved / verified stay. Add them with `privileged_fields`.
        "plan",
        "tier",
        "approved",
        "is_approved",
        "price",
        "discount",
        "created_by",
        "password_hash",
        "hashed_password",
    }
)

# Response fields that must not leave the server (data exposure). Matched on the
# normalised name (lower case, no separators) as whole names or by the patterns below.
SENSITIVE_FIELDS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passwordhash",
        "hashedpassword",
        "pwhash",
        "passhash",
        "salt",
        "secret",
        "clientsecret",
        "secretkey",
        "apikey",
        "apisecret",
        "privatekey",
        "accesstoken",
        "refreshtoken",
        "token",
        "sessiontoken",
        "authtoken",
        "resettoken",
        "otp",
        "otpsecret",
        "totpsecret",
        "mfasecret",
        "ssn",
        "socialsecuritynumber",
        "cardnumber",
        "creditcard",
        "creditcardnumber",
        "cvv",
        "cvc",
        "pin",
        "iban",
        "accountnumber",
    }
)
SENSITIVE_FIELD_PATTERNS: tuple[str, ...] = (
    r"password",
    r"passwd",
    r"secret",
    r"(?:api|access|refresh|session|auth|reset|bearer)_?token",
    r"api_?key",
    r"private_?key",
    r"hash(?:ed)?_?pass",
    r"pass(?:word)?_?hash",
    r"credit_?card",
    r"card_?number",
)

# Calls that fetch one object (BOLA sources) and the words that make a query owner-scoped.
FETCH_CALLS: frozenset[str] = frozenset(
    {
        "get",
        "get_or_404",
        "first_or_404",
        "one",
        "first",
        "scalar_one",
        "scalar_one_or_none",
        "filter_by",
        "filter",
        "where",
        "find_one",
        "get_by_id",
        "retrieve",
        "fetch",
        "load",
    }
)
OWNER_WORDS: tuple[str, ...] = ("owner", "user_id", "created_by", "author", "tenant", "account_id")

# A call that asks whether the caller may act on an object: a checking verb and a
# permission word among its name's words (``verify_permission_for_model``, ``check_access``;
# never ``log_access``), with an action (``action=Action.READ``, ``"write"``).
ACCESS_CHECK_VERBS: frozenset[str] = frozenset({"verify", "check", "ensure", "require", "assert",
    "enforce", "authorize", "authorise", "has", "can", "may", "validate"})  # fmt: skip
ACCESS_CHECK_NOUNS: re.Pattern[str] = re.compile(
    r"^(?:permissions?|perms?|access|authori[sz](?:ed|ation)|allowed|privileges?|acl|rbac)$"
)
ACTION_KEYWORDS: frozenset[str] = frozenset({"action", "permission", "perm", "operation", "op",
    "mode", "access", "privilege", "right", "verb", "scope"})  # fmt: skip
ACTION_WORDS: re.Pattern[str] = re.compile(
    r"^(?:read|write|view|edit|update|delete|remove|create|manage|admin|list|execute|run|"
    r"share|promote|modify|change|own)$",
    re.IGNORECASE,
)
# Path parameters that name an object.
ID_PARAM_PATTERN = r"(?:^id$|_id$|Id$|^uuid$|_uuid$|^pk$|^slug$|^key$)"

# Routes that are normally public. The user's ``public`` setting replaces this
# list only when it says so (``public_defaults = false``).
DEFAULT_PUBLIC: tuple[str, ...] = (
    "GET /docs",
    "GET /docs/*",
    "GET /redoc",
    "GET /openapi.json",
    "GET /static/*",
    "GET /health",
    "GET /healthz",
    "GET /livez",
    "GET /readyz",
    "GET /ping",
    "GET /favicon.ico",
    "GET /",
    "POST /token",
    "POST /login",
    "POST /auth/login",
    "POST /auth/token",
    "POST /register",
    "POST /signup",
    "POST /auth/register",
)

# Words that say code handles a credential (regex fragments, matched case-insensitively
# anywhere in a name, attribute, string or ``if`` test of a guard's code).
CREDENTIAL_WORDS: tuple[str, ...] = (
    r"authori[sz]ation", r"api[-_]?key", r"token", r"session", r"bearer",
    r"credential", r"jwt", r"current_user", r"is_authenticated", r"identity",
    r"cookie", r"password", r"login_manager", r"g\.user",
)  # fmt: skip

# A token that pages through results (``page_token``, ``next_token``, a cursor's
# ``continuation_token``) names no credential: a guard that checks one refuses a bad page
# token, not an anonymous caller (Prefect's ``verified_page_token``).
PAGINATION_TOKEN: re.Pattern[str] = re.compile(
    r"(?:page|cursor|continuation|pagination|next|resume|sync)[-_]?tokens?", re.IGNORECASE
)

# Words in an ``if`` test that make a denial a role/permission check (regex fragments).
ROLE_WORDS: tuple[str, ...] = (
    r"role", r"admin", r"superuser", r"staff", r"permission", r"privilege", r"group",
    # a policy decision about this caller and this request: `if not is_authorized_dag(...)`
    r"is_authori[sz]ed", r"(?:has|can)_access",
)  # fmt: skip

# Exception class names that deny access when raised (regex fragments, case-insensitive).
DENY_EXCEPTION_WORDS: tuple[str, ...] = (
    r"unauthori[sz]ed", r"forbidden", r"notauthenticated", r"permissiondenied",
    r"authenticationfailed", r"autherror", r"authenticationerror", r"unauthenticated",
    r"accessdenied", r"notauthorized", r"invalidtoken", r"invalidcredentials",
    r"(?:credentials?|token)notvalid",  # ZenML's CredentialsNotValid, a TokenNotValid
)  # fmt: skip

# Names of settings that hold a secret key (APS804): a name *ending* in one of these.
SECRET_NAMES: tuple[str, ...] = (
    r"secret", r"secret_?key", r"signing_?key", r"private_?key", r"api_?key", r"jwt_?key", r"token_?secret",
)  # fmt: skip

# Functions that mask a value before it is serialised (APS301: a field whose validator or
# serializer returns ``redact(v)`` is not exposed).
REDACTION_CALL = re.compile(r"redact|mask|obfuscat|censor|scrub|anonymi[sz]e", re.IGNORECASE)

# Request parameters that set a page size (APS401): the whole name, case-insensitive.
LIMIT_NAMES: tuple[str, ...] = (
    r"limit", r"page_?size", r"per_?page", r"size", r"count", r"max_?results", r"max",
    r"top", r"take", r"first", r"batch_?size", r"n",
)  # fmt: skip

# Admin-looking path segments (function-level authorization).
ADMIN_PATH_PATTERN = (
    r"(?:^|/)(?:admin|admins|internal|manage|management|staff|superuser|ops|debug)(?:/|$)"
)


@dataclass(frozen=True)
class Knowledge:
    """The tables in one immutable object, so config can extend them per run."""

    auth_name_hints: tuple[str, ...] = AUTH_NAME_HINTS
    authorization_name_hints: tuple[str, ...] = AUTHORIZATION_NAME_HINTS
    library_authorization_guards: frozenset[str] = LIBRARY_AUTHORIZATION_GUARDS
    library_public_handlers: frozenset[str] = LIBRARY_PUBLIC_HANDLERS
    library_authorizing_handlers: frozenset[str] = LIBRARY_AUTHORIZING_HANDLERS
    privileged_fields: frozenset[str] = PRIVILEGED_FIELDS
    sensitive_fields: frozenset[str] = SENSITIVE_FIELDS
    sensitive_field_patterns: tuple[str, ...] = SENSITIVE_FIELD_PATTERNS
    public_routes: tuple[str, ...] = DEFAULT_PUBLIC
    credential_words: tuple[str, ...] = CREDENTIAL_WORDS
    role_words: tuple[str, ...] = ROLE_WORDS
    deny_exception_words: tuple[str, ...] = DENY_EXCEPTION_WORDS
    secret_names: tuple[str, ...] = SECRET_NAMES
    limit_names: tuple[str, ...] = LIMIT_NAMES
    # compiled from the tables above (derived, so not part of equality)
    _sensitive_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    credential_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    role_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    deny_exception_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    secret_name_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    limit_name_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        compiled = {
            "_sensitive_re": _alternatives(self.sensitive_field_patterns),
            "credential_re": _alternatives(self.credential_words),
            "role_re": _alternatives(self.role_words),
            "deny_exception_re": _alternatives(self.deny_exception_words),
            "secret_name_re": _alternatives(self.secret_names, "{}$"),
            "limit_name_re": _alternatives(self.limit_names, "^{}$"),
        }
        for name, pattern in compiled.items():
            object.__setattr__(self, name, pattern)
        # memo keys hold a Knowledge: hash its tables once, not on every lookup
        tables = tuple(getattr(self, f.name) for f in fields(self) if f.compare)
        object.__setattr__(self, "_hash", hash(tables))

    def __hash__(self) -> int:
        return self._hash

    def extended(
        self,
        *,
        auth_names: tuple[str, ...] = (),
        privileged_fields: tuple[str, ...] = (),
        sensitive_fields: tuple[str, ...] = (),
        public_routes: tuple[str, ...] | None = None,
        extra_public: tuple[str, ...] = (),
        credential_words: tuple[str, ...] = (),
        role_words: tuple[str, ...] = (),
        deny_exception_words: tuple[str, ...] = (),
        secret_names: tuple[str, ...] = (),
        limit_names: tuple[str, ...] = (),
    ) -> Knowledge:
        """A copy with more entries; the word and name tables take regex fragments."""
        return replace(
            self,
            auth_name_hints=self.auth_name_hints + tuple(n.lower() for n in auth_names),
            privileged_fields=self.privileged_fields | {f.lower() for f in privileged_fields},
            sensitive_fields=self.sensitive_fields | {normalise(f) for f in sensitive_fields},
            public_routes=(self.public_routes if public_routes is None else public_routes)
            + extra_public,
            credential_words=self.credential_words + credential_words,
            role_words=self.role_words + role_words,
            deny_exception_words=self.deny_exception_words + deny_exception_words,
            secret_names=self.secret_names + secret_names,
            limit_names=self.limit_names + limit_names,
        )

    def is_sensitive_field(self, name: str) -> bool:
        """Named in the list, or matched by a pattern and not a reference to the secret or
        its masked digest (``card_last4``, ``credit_card_id``: ``NOT_THE_SECRET``)."""
        return normalise(name) in self.sensitive_fields or (
            bool(self._sensitive_re.search(name)) and not NOT_THE_SECRET.search(name)
        )

    def is_privileged_field(self, name: str) -> bool:
        return name.lower() in self.privileged_fields

    def looks_like_auth(self, name: str) -> bool:
        last = name.rsplit(".", 1)[-1].lower()
        return any(hint in last for hint in self.auth_name_hints)

    def looks_like_authorization(self, name: str) -> bool:
        last = name.rsplit(".", 1)[-1].lower()
        return any(hint in last for hint in self.authorization_name_hints)


def _alternatives(fragments: tuple[str, ...], shape: str = "{}") -> re.Pattern[str]:
    """One case-insensitive pattern matching any fragment (none: matches nothing)."""
    if not fragments:
        return re.compile(r"(?!x)x")
    either = "|".join(f"(?:{f})" for f in fragments)
    return re.compile(shape.format(f"(?:{either})"), re.IGNORECASE)


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def normalise(name: str) -> str:
    """``Is-Admin`` -> ``isadmin`` (thousands of calls a run: the pattern is compiled once)."""
    return _NOT_ALNUM.sub("", name.lower())


DEFAULT_KNOWLEDGE = Knowledge()


# Field names a sensitive-field pattern matches that do not hold the secret: its last
# four digits or characters (``card_last4``, ``iban_last_four``: shown on every receipt)
# and an opaque reference to it (``credit_card_id``, ``api_key_ids``, ``secretUuid``: an
# id is not the value). A name listed in ``sensitive_fields`` is sensitive regardless.
NOT_THE_SECRET: re.Pattern[str] = re.compile(
    r"(?:[_-]?last[_-]?(?:4|four)|(?:_|(?<=[a-z])(?=[A-Z]))(?:ids?|uuids?|IDs?|Ids?|Uuids?))$"
    # an attribution: which credential made a change (``changed_by_api_key``), not the value
    r"|^(?i:(?:created|changed|updated|deleted|modified|requested|approved)_?by_)"
)
