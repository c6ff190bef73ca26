"""APS804: a secret key is written in the source."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator

from ..knowledge import DEFAULT_KNOWLEDGE, Knowledge
from ..model import Confidence, Finding, Kind, Severity
from ..static.syntax import NAME_END, TextFilter, call_name, dotted, walk
from .base import Rule, RuleContext, module_nodes

# the secret names ``text_filter`` knows (configuration may add others)
_DEFAULT_PATTERN = DEFAULT_KNOWLEDGE.secret_name_re.pattern
_NAMES_SECRET = DEFAULT_KNOWLEDGE.secret_name_re
_ENV_FALLBACK_CALLS = frozenset({"getenv", "get", "config", "env"})
_JWT_KEY_CALLS = frozenset({"encode", "decode"})
_TEST_CLASS = re.compile(r"test", re.IGNORECASE)
# An upper-case identifier is the name of an environment variable, not its value.
_ENV_VAR_NAME = re.compile(r"^_?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
# Credentials for another service (not signing keys) are issued with digits: lower-case
# words ("unused", "mlflow-gateway-auth", a dummy a client library needs), a phrase
# ("Azure AD application secret", a field's description in a form schema) or no letter
# or digit at all ("...", an example's placeholder) stand in for one.
_SERVICE_KEY_NAME = re.compile(r"(?:api_?key|client_?secret|private_?key)$", re.IGNORECASE)
_DUMMY_WORDS = re.compile(
    r"^(?:_*[a-z]+(?:[-_ ][a-z]+)*_*|[A-Za-z][A-Za-z_-]*(?: +[A-Za-z_-]+)+|[^A-Za-z0-9]+"
    # a word in brackets is a placeholder or a redaction mark: "[REDACTED]", "<API_KEY>"
    r"|[\[<{(] *[A-Za-z][A-Za-z_ -]* *[\]>})]"
    # one upper-case word, no digit: "EMPTY", "NONE", "UNUSED" (a local server's dummy)
    r"|[A-Z]+)$"
)
# A dotted path of lower-case names whose last part names a secret is where a setting is
# stored ("audio.tts.openai.api_key", "oauth.client_secret"): a map of setting names
_CONFIG_PATH = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
# A route path is where something is served, never a key: "/realtime/client_secrets"
# the words a value or a name is made of: "Secret created" / CREATED_SECRET
_WORDS = re.compile(r"[a-z]+|[0-9]+")
# a mapping whose every value is one of these describes its fields' types (a form schema)
_TYPE_WORDS = frozenset({"string", "str", "text", "int", "integer", "number", "float", "bool",
    "boolean", "password", "list", "dict", "json", "date", "datetime", "url", "email"})  # fmt: skip
_ROUTE_PATH = re.compile(r"^(?:/(?:[a-z][a-z0-9_.-]*|\{\w+\}))+/?$")


class HardcodedSecret(Rule):
    """
    ## What it does
    Flags a secret key written as a string literal: ``SECRET_KEY = "..."``,
    ``app.config["SECRET_KEY"] = "..."``, ``app.secret_key = "..."``,
    ``app.config.update(SECRET_KEY="...")``, ``{"JWT_SECRET": "..."}``, or a literal key
    passed to ``jwt.encode``/``jwt.decode``. A literal used only as the fallback of an
    environment lookup (``os.environ.get("SECRET_KEY", "dev")``,
    ``os.getenv("SECRET_KEY") or "change-me"``) or as the default of a
    ``BaseSettings`` field is reported as low: it is the key whenever the variable is
    unset.

    ## Why is this bad?
    Anyone with the source (a repository, a container image, a leaked wheel) can sign
    session cookies and JWTs that the server accepts: they can be any user.

    ## Example
    ```python
    app.config["SECRET_KEY"] = "super-secret"
    ```

    ## Use instead
    ```python
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]  # fails fast when unset
    ```

    ## Known problems
    Test code is skipped (``tests/``, ``test_*.py``, ``conftest.py``, classes named
    ``*Test*``); empty strings are ignored. So are values that name the secret rather
    than hold it: an environment variable's name (``OPENAI_API_KEY = "OPENAI_API_KEY"``),
    the key's own name (``CLIENT_SECRET = "client_secret"``, a form field), and for
    credentials of another service (API keys, client secrets, private keys) lower-case
    words (``api_key="unused"``, a dummy a client library insists on), a phrase without
    digits (``"client_secret": "Azure AD application secret"``, a form's description), a
    sentinel (``"__flat_cost__"``), a word in brackets (``"[REDACTED]"``, ``"<API_KEY>"``),
    one upper-case word (``api_key="EMPTY"``, a local server's dummy) or a placeholder
    with no letter or digit (``"private_key": "..."``): issued credentials have digits.
    A value made of the name's own words is a label (``CREATED_SECRET = "Secret
    created"``, an event's message; ``SECRET_KEY = "secret-key"``, an enum member), and a
    mapping whose every value names a type (``{"Client": "string", "Secret":
    "password"}``) describes a form's fields. A value that is a route path (``"/realtime/client_secrets"``,
    a table of endpoints keyed by function names) is not a key either, nor is a dotted
    path of lower-case names ending in a secret's name (``"OPENAI_API_KEY":
    "audio.tts.openai.api_key"``, a map from setting names to where they are stored). A mapping key that is a JSONPath (``"$.oauth2.secret":
    "OAuth2 Client Secret"``) labels a field elsewhere and is skipped. Signing keys are flagged whatever their value, weak ones
    most of all, and so is any environment fallback. Names are matched by the pattern
    ``secret``, ``secret_key``, ``signing_key``, ``private_key``, ``api_key``.

    ## References
    - OWASP API8:2023 Security Misconfiguration
    - CWE-798: Use of Hard-coded Credentials
    """

    code = "APS804"
    name = "hardcoded-secret"
    kind = Kind.MISCONFIGURATION
    owasp = "API8:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 798
    scope = "project"
    # a name ending in a default secret word, then = or : (assignment, keyword, dict key,
    # annotation, subscript target); or a jwt call
    text_filter = TextFilter(
        (b"secret", b"signing", b"private", b"api", b"jwt"),
        rb"(?:secret|secret_?key|signing_?key|private_?key|api_?key|jwt_?key)" + NAME_END
        + rb"[=:]|jwt[^\s.()]*" + NAME_END + rb"\.",
    )  # fmt: skip
    message = "hard-coded secret `{name}`"
    remediation = (
        "Read the secret from the environment or a secret store and fail when it is missing: "
        "`SECRET_KEY = os.environ['SECRET_KEY']`; rotate the key that was committed."
    )

    def may_fire(self, lowered: bytes, knowledge: Knowledge) -> bool:
        if knowledge.secret_name_re.pattern != _DEFAULT_PATTERN:
            return True  # names added by configuration: the filter does not know them
        return super().may_fire(lowered, knowledge)

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        module = ctx.module
        if module is None or _is_test_file(ctx.index.display(module.path)):
            return
        # (the pass skipped files ``may_fire`` rules out)
        for line, name, fallback in _secrets(module_nodes(ctx), ctx.knowledge.secret_name_re):
            if fallback:
                yield self.finding(
                    ctx,
                    file=module.path,
                    line=line,
                    message=f"secret `{name}` falls back to a hard-coded literal",
                    severity=Severity.LOW,
                    confidence=Confidence.POSSIBLE,
                )
            else:
                yield self.finding(
                    ctx, file=module.path, line=line, message=self.message.replace("{name}", name)
                )


def _secrets(nodes: list[ast.AST], secret_name: re.Pattern[str]) -> Iterator[tuple[int, str, bool]]:
    skipped = _test_class_nodes(nodes)
    settings_fields = _settings_field_nodes(nodes)
    for node in nodes:
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = _target_name(target)
                if not name or not secret_name.search(name):
                    continue
                if _holds_secret(name, node.value):
                    yield node.lineno, name, id(node) in settings_fields
                elif _env_fallback(name, node.value):
                    yield node.lineno, name, True
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                arg = keyword.arg or ""
                if arg and secret_name.search(arg) and _holds_secret(arg, keyword.value):
                    yield node.lineno, arg, False
            if call_name(node) in _JWT_KEY_CALLS and dotted(node.func).startswith("jwt"):
                key = node.args[1] if len(node.args) > 1 else None
                key = next((k.value for k in node.keywords if k.arg == "key"), key)
                if key is not None and _is_literal(key):
                    yield node.lineno, "jwt key", False
        elif isinstance(node, ast.Dict) and not _type_map(node):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and isinstance(key.value, str)
                    and not key.value.startswith("$")  # a JSONPath: a label for that field
                    and secret_name.search(key.value)
                    and _holds_secret(key.value, value)
                ):
                    yield value.lineno, key.value, False


def _type_map(node: ast.Dict) -> bool:
    """``{"Client": "string", "Secret": "password"}``: each value names a field's type."""
    return len(node.values) > 1 and all(
        isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value in _TYPE_WORDS
        for v in node.values
    )


def _target_name(target: ast.expr) -> str:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return str(target.slice.value)
    return ""


def _is_literal(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str | bytes)
        and len(node.value.strip()) > 0
    )


def _holds_secret(name: str, node: ast.AST, *, dummies: bool = True) -> bool:
    """A literal that can be the secret, not one that names it or (``dummies``) stands
    in for it."""
    if not _is_literal(node):
        return False
    raw = node.value  # type: ignore[attr-defined]
    value = (raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)).strip()
    text, own_name = value.lower(), name.lower().lstrip("_")
    # CLIENT_SECRET = "client_secret", GATEWAY_SECRET = "gateway_secret": a field's name
    if text == own_name or ("_" in text and own_name.endswith(text)):
        return False
    # CREATED_SECRET = "Secret created", SECRET_KEY = "secret-key": the name's own words
    if sorted(_WORDS.findall(text)) == sorted(_WORDS.findall(own_name)):
        return False
    if _ROUTE_PATH.match(value):
        return False  # {"create_client_secret": "/realtime/client_secrets"}: a route
    if _CONFIG_PATH.match(value) and _NAMES_SECRET.search(value.rpartition(".")[2]):
        return False  # {"OPENAI_API_KEY": "audio.tts.openai.api_key"}: a setting's path
    service_key = _SERVICE_KEY_NAME.search(name) is not None
    # {"api_key": "OPENAI_API_KEY"}: where to read the key; but SECRET_KEY = "CHANGE_ME"
    # is a signing key that ships as a placeholder, and is reported
    if _ENV_VAR_NAME.match(value) and (service_key or "env" in own_name.split("_")):
        return False
    return not (dummies and service_key and _DUMMY_WORDS.match(value))


def _env_fallback(name: str, node: ast.AST) -> bool:
    """``os.environ.get("X", "lit")``, ``os.getenv("X", "lit")``, ``config("X", default="lit")``,
    ``os.environ.get("X") or "lit"``: ``name`` is the secret's (the target's) name."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) > 1:
        # os.environ.get("X") or "lit": the last operand is the value when the rest are empty
        *lookups, last = node.values
        return all(_is_env_lookup(v) for v in lookups) and _holds_secret(name, last, dummies=False)
    if not _is_env_lookup(node):
        return False
    assert isinstance(node, ast.Call)
    fallback = node.args[1] if len(node.args) > 1 else None
    fallback = next((k.value for k in node.keywords if k.arg == "default"), fallback)
    # a fallback is the key whenever the variable is unset, dummy-looking or not
    return fallback is not None and _holds_secret(name, fallback, dummies=False)


def _is_env_lookup(node: ast.AST) -> bool:
    """``os.getenv(...)``, ``os.environ.get(...)``, ``config(...)``, ``env(...)``: not any
    ``.get`` (a dict's)."""
    if not isinstance(node, ast.Call) or call_name(node) not in _ENV_FALLBACK_CALLS:
        return False
    return call_name(node) != "get" or "environ" in dotted(node.func)


def _test_class_nodes(nodes: list[ast.AST]) -> set[int]:
    out: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.ClassDef) and _TEST_CLASS.search(node.name):
            out.update(id(sub) for sub in walk(node))
    return out


def _settings_field_nodes(nodes: list[ast.AST]) -> set[int]:
    """Class-level defaults of ``BaseSettings`` classes: the environment overrides them."""
    out: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.ClassDef) and any(
            dotted(b).endswith("BaseSettings") for b in node.bases
        ):
            out.update(id(stmt) for stmt in node.body)
    return out


def _is_test_file(path: str) -> bool:
    name = os.path.basename(path)
    parts = path.replace("\\", "/").split("/")
    return name.startswith("test_") or name == "conftest.py" or "tests" in parts[:-1]
