"""One frozen Settings from the command line, the ini file and ``[tool.apiposture]``.

Precedence: command line > ini (``apiposture_*`` keys) > ``[tool.apiposture]`` in the
rootdir's pyproject.toml > defaults. Bad values raise ``ConfigError`` (pytest turns
it into ``pytest.UsageError``; the CLI exits 2) with one line that says what to fix.
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .knowledge import DEFAULT_KNOWLEDGE, Knowledge
from .model import Severity
from .paths import ROUTE_PATTERN
from .paths import route_matcher as route_matcher  # callers import it from here

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib


class ConfigError(Exception):
    """A setting has a value we cannot use; the message names it and the fix."""


SEVERITY_CHOICES = ("critical", "high", "medium", "low", "info")
DEFAULT_PROBE_METHODS = frozenset({"GET", "POST", "PUT", "PATCH"})
KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Settings:
    root: Path
    app: str | None = None
    spec: str | None = None
    identities: tuple[str, ...] = ()  # raw 'name=Header: value' strings
    static_only: bool = False
    # start the app (lifespan) in runs that send no requests too; see pipeline._enumerate
    startup: bool = False
    json_path: str | None = None
    sarif_path: str | None = None
    html_path: str | None = None
    baseline: str | None = None
    update_baseline: bool = False
    update_spec: bool = False
    fail_on: Severity = Severity.HIGH
    include_preview: bool = False
    public: tuple[str, ...] = ()
    public_defaults: bool = True
    # "none": the API is open by design (no route authenticates): APS201 reports at info
    auth: str = ""
    select: tuple[str, ...] = ()  # code prefixes; empty = all
    ignore: tuple[str, ...] = ()
    auth_names: tuple[str, ...] = ()
    privileged_fields: tuple[str, ...] = ()
    sensitive_fields: tuple[str, ...] = ()
    probe_methods: frozenset[str] = DEFAULT_PROBE_METHODS
    probe_exclude: tuple[str, ...] = ()
    probe_timeout: float = 10.0
    replay_writes: bool = False
    # in every name a probe creates: random per run unless set (one for all xdist workers)
    probe_nonce: str = field(default="", compare=False)
    host: str | None = None
    fuzz: bool = False
    fuzz_examples: int = 10
    audit: bool = True
    advisories: str | None = None
    audit_strict: bool = False
    cache_dir: Path | None = None
    knowledge: Knowledge = field(default=DEFAULT_KNOWLEDGE, compare=False)

    def code_enabled(self, code: str) -> bool:
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)

    def resolve(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.root / p


# name -> (type, help). One table drives the CLI options, the ini keys and the
# pyproject keys, so the three spellings can never drift apart.
OptionKind = Literal["string", "bool", "linelist", "args"]
OPTIONS: dict[str, tuple[OptionKind, str]] = {
    "app": (
        "string",
        "the app: 'pkg.mod:app' or \"pkg.mod:create_app('test')\"; default: discover",
    ),
    "spec": (
        "string",
        "committed OpenAPI/Swagger spec (JSON or YAML) to compare the routes against",
    ),
    "identities": (
        "linelist",
        'NAME="Header: value" credentials for probes; two enable BOLA probes',
    ),
    "static_only": ("bool", "run the static checks only: send no requests"),
    "startup": (
        "bool",
        "start the app (lifespan, startup handlers) even when no probe runs: for routes "
        "registered at startup",
    ),
    "json": ("string", "write the JSON report to this path"),
    "sarif": ("string", "write a SARIF 2.1.0 report to this path"),
    "html": ("string", "write the HTML posture report to this path"),
    "baseline": ("string", "accept the findings recorded in this baseline file"),
    "update_baseline": ("bool", "write the current findings to the baseline file"),
    "update_spec": ("bool", "write the app's generated OpenAPI schema to the spec path"),
    "fail_on": (
        "string",
        "lowest severity that fails the build: critical|high|medium|low (default high)",
    ),
    "preview": ("bool", "let preview (heuristic) rules fail the build too"),
    "public": ("linelist", "routes that are public on purpose: 'GET /health', '/docs*'"),
    "public_defaults": (
        "bool",
        "also treat the usual public routes (/docs, /health, login) as public",
    ),
    "auth": (
        "string",
        "'none' declares the API open by design: routes without auth report at info",
    ),
    "select": ("args", "only these check codes or prefixes (APS2, APS301)"),
    "ignore": ("args", "skip these check codes or prefixes"),
    "auth_names": ("args", "extra names of auth guards (hints)"),
    "privileged_fields": ("args", "extra privileged body fields (mass assignment)"),
    "sensitive_fields": ("args", "extra sensitive response fields (data exposure)"),
    "probe_methods": ("args", "HTTP methods probes may send (default GET POST PUT PATCH)"),
    "probe_exclude": ("linelist", "routes probes must not call: 'DELETE /users/*'"),
    "probe_timeout": ("string", "seconds a probe request may take (default 10)"),
    "replay_writes": ("bool", "let the BOLA probe replay writes as another identity"),
    "probe_nonce": ("string", "tag in every name a probe creates (default: new per run)"),
    "host": ("string", "Host header the app accepts (default: the test client's)"),
    "fuzz": ("bool", "run schemathesis in-process over the generated schema"),
    "fuzz_examples": ("string", "examples per operation when fuzzing (default 10)"),
    "audit": ("bool", "audit the project's declared and locked dependencies (default on)"),
    "advisories": ("string", "a directory of OSV/PyPA advisories for the dependency audit"),
    "audit_strict": ("bool", "fail on packages the audit could not check"),
}


def option_flag(name: str) -> str:
    """The pytest command-line flag of an option (``identities`` is given one at a time)."""
    return "--apiposture-" + ("identity" if name == "identities" else name.replace("_", "-"))


def options_markdown() -> str:
    """The options table of docs/configuration.md: every option's flag, ini key and
    ``[tool.apiposture]`` key. ``python -m pytest_apiposture.config`` prints it; a test
    checks that the docs hold exactly this table between their ``options`` markers."""
    rows = [
        "| pytest flag | ini key | `[tool.apiposture]` key | value | what it does |",
        "|---|---|---|---|---|",
    ]
    values = {"bool": "on/off", "string": "text", "linelist": "repeatable", "args": "repeatable"}
    for name, (kind, help_text) in OPTIONS.items():
        flag = option_flag(name) + ("" if kind == "bool" else "=…")
        key = name.replace("_", "-")
        rows.append(f"| `{flag}` | `apiposture_{name}` | `{key}` | {values[kind]} | {help_text} |")
    return "\n".join(rows) + "\n"


def read_pyproject(root: Path) -> dict[str, Any]:
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.apiposture]: {exc}") from None
    section = data.get("tool", {}).get("apiposture", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.apiposture] must be a table")
    unknown = sorted(set(section) - {k.replace("_", "-") for k in OPTIONS} - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown [tool.apiposture] key(s) {', '.join(unknown)}; "
            f"known keys: {', '.join(sorted(OPTIONS))}"
        )
    values = {k.replace("-", "_"): v for k, v in section.items()}
    for key, value in values.items():
        _check_type(path, key, value)
    return values


_NUMBERS = frozenset({"probe_timeout", "fuzz_examples"})


def _check_type(path: Path, key: str, value: Any) -> None:
    """A TOML value of the wrong type is a usage error naming the key, not a traceback."""
    kind = OPTIONS[key][0]
    if kind == "bool":
        ok = isinstance(value, bool)
        expected = "true or false"
    elif kind in ("linelist", "args"):
        ok = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        expected = "a list of strings"
    elif key in _NUMBERS:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        expected = "a number"
    else:
        ok = isinstance(value, str)
        expected = "a string"
    if not ok:
        raise ConfigError(f"{path}: [tool.apiposture] {key} must be {expected}, got {value!r}")


def build_settings(
    root: Path, values: Mapping[str, Any], cache_dir: Path | None = None
) -> Settings:
    """``values``: option name -> value, already merged by precedence (None = unset)."""

    def get(name: str, default: Any = None) -> Any:
        value = values.get(name)
        return default if value is None else value

    fail_on = str(get("fail_on", "high")).lower()
    if fail_on not in SEVERITY_CHOICES:
        raise ConfigError(
            f"apiposture fail_on: {fail_on!r} is not one of {', '.join(SEVERITY_CHOICES)}"
        )
    methods = frozenset(m.upper() for m in _words(get("probe_methods", ())))
    if unknown := methods - KNOWN_METHODS:
        raise ConfigError(
            f"apiposture probe_methods: unknown method(s) {', '.join(sorted(unknown))}"
        )
    public = _strings(get("public", ()))
    for pattern in public:
        _check_route_pattern(pattern, "public")
    for identity in _strings(get("identities", ())):
        parse_identity(identity)
    for pattern in _strings(get("probe_exclude", ())):
        _check_route_pattern(pattern, "probe_exclude")
    settings = Settings(
        root=root,
        app=get("app") or None,
        spec=get("spec") or None,
        identities=_strings(get("identities", ())),
        static_only=_bool(get("static_only", False), "static_only"),
        startup=_bool(get("startup", False), "startup"),
        json_path=get("json") or None,
        sarif_path=get("sarif") or None,
        html_path=get("html") or None,
        baseline=get("baseline") or None,
        update_baseline=_bool(get("update_baseline", False), "update_baseline"),
        update_spec=_bool(get("update_spec", False), "update_spec"),
        fail_on=Severity(fail_on),
        include_preview=_bool(get("preview", False), "preview"),
        public=public,
        public_defaults=_bool(get("public_defaults", True), "public_defaults"),
        auth=_auth_declaration(get("auth", "")),
        select=tuple(c.upper() for c in _words(get("select", ()))),
        ignore=tuple(c.upper() for c in _words(get("ignore", ()))),
        auth_names=_words(get("auth_names", ())),
        privileged_fields=_words(get("privileged_fields", ())),
        sensitive_fields=_words(get("sensitive_fields", ())),
        probe_methods=methods or DEFAULT_PROBE_METHODS,
        probe_exclude=_strings(get("probe_exclude", ())),
        probe_timeout=_number(get("probe_timeout", 10.0), "probe_timeout", float),
        replay_writes=_bool(get("replay_writes", False), "replay_writes"),
        probe_nonce=_nonce(get("probe_nonce")),
        host=get("host") or None,
        fuzz=_bool(get("fuzz", False), "fuzz"),
        fuzz_examples=int(_number(get("fuzz_examples", 10), "fuzz_examples", int)),
        audit=_bool(get("audit", True), "audit"),
        advisories=get("advisories") or None,
        audit_strict=_bool(get("audit_strict", False), "audit_strict"),
        cache_dir=cache_dir,
    )
    if settings.update_baseline and not settings.baseline:
        raise ConfigError("--apiposture-update-baseline needs --apiposture-baseline=PATH")
    if settings.update_spec and not settings.spec:
        raise ConfigError("--apiposture-update-spec needs --apiposture-spec=PATH")
    knowledge = DEFAULT_KNOWLEDGE.extended(
        auth_names=settings.auth_names,
        privileged_fields=settings.privileged_fields,
        sensitive_fields=settings.sensitive_fields,
        public_routes=None if settings.public_defaults else (),
        extra_public=settings.public,
    )
    object.__setattr__(settings, "knowledge", knowledge)
    return settings


def _nonce(value: Any) -> str:
    """The run's nonce: as given (letters and digits), or a new one."""
    text = str(value or "").strip() or secrets.token_hex(3)
    if not re.fullmatch(r"[A-Za-z0-9]{1,16}", text):
        raise ConfigError(
            f"apiposture probe_nonce: {value!r} must be 1 to 16 letters or digits "
            "(it goes into user names and e-mail addresses)"
        )
    return text


def _auth_declaration(value: Any) -> str:
    text = str(value).strip().lower()
    if text not in ("", "none", "required"):
        raise ConfigError(f"apiposture auth: {value!r} is not 'none' or 'required'")
    return "" if text == "required" else text


_IDENTITY = re.compile(r"^\s*(?P<name>[\w.-]+)\s*=\s*(?P<headers>.+)$")


def parse_identity(text: str) -> tuple[str, dict[str, str]]:
    """'alice=Authorization: Bearer t1' (several headers separated by ' | ')."""
    match = _IDENTITY.match(text)
    headers: dict[str, str] = {}
    if match:
        # alice="Authorization: Bearer t1" as written in an ini file keeps its quotes
        for part in match.group("headers").strip().strip("'\"").split(" | "):
            header, sep, value = part.partition(":")
            if not sep or not header.strip() or not re.fullmatch(r"[\w-]+", header.strip()):
                match = None
                break
            headers[header.strip()] = value.strip()
    if not match:
        raise ConfigError(
            f'apiposture identity {text!r} must look like NAME="Header: value" '
            '(e.g. alice="Authorization: Bearer t1")'
        )
    return match.group("name"), headers


def _check_route_pattern(pattern: str, key: str) -> None:
    if not ROUTE_PATTERN.match(pattern.strip()):
        raise ConfigError(
            f"apiposture {key}: {pattern!r} is not a route pattern; use 'GET /health', "
            "'/docs*' or '* /internal/*'"
        )


def _strings(value: Any) -> tuple[str, ...]:
    """A list from pyproject/ini/CLI; a plain string is one item per line."""
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip())
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return ()


def _words(value: Any) -> tuple[str, ...]:
    """Codes, names and methods: also split on commas and spaces ("APS2, APS301")."""
    return tuple(w for item in _strings(value) for w in re.split(r"[,\s]+", item) if w)


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"apiposture {name}: {value!r} is not a boolean (true/false)")


def _number(value: Any, name: str, kind: type[float] | type[int]) -> float:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"apiposture {name}: {value!r} is not a number") from None
    if number <= 0:
        raise ConfigError(f"apiposture {name}: must be greater than 0, got {value!r}")
    return float(number)


if __name__ == "__main__":  # pragma: no cover
    print(options_markdown(), end="")
