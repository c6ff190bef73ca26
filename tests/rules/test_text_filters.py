"""The project rules' text filters only rule files out: every spelling of what a rule
reports must pass its filter (a file failing every filter is never parsed)."""

from __future__ import annotations

import pytest

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.rules import RULES, Rule
from pytest_apiposture.rules._decorators import ROUTE_DECORATOR_TEXT
from pytest_apiposture.static.syntax import filter_text

BY_CODE: dict[str, Rule] = {rule.code: rule() for rule in RULES}


def may_fire(code: str, source: str) -> bool:
    lowered = filter_text(source.encode())
    assert lowered is not None
    return bool(BY_CODE[code].may_fire(lowered, DEFAULT_KNOWLEDGE))


@pytest.mark.parametrize(
    ("code", "source"),
    [
        ("APS801", "app.run(debug=True)"),
        ("APS801", "app.run(use_debugger=True)"),
        ("APS801", "app.debug = True"),
        ("APS801", "(app.debug) = True"),
        ("APS801", 'app.config["DEBUG"] = True'),
        ("APS801", 'app.config[("DEBUG")] = True'),
        ("APS801", 'app.config["""DEBUG"""] = True'),
        ("APS801", "app.config [ 'DEBUG' ] \\\n    = True"),
        ("APS801", 'app.config.update({"DEBUG" # on\n: True})'),
        ("APS801", "app.config.from_mapping(DEBUG=True)"),
        ("APS802", "app.add_middleware(CORSMiddleware, allow_credentials=True)"),
        ("APS803", "import jwt\njwt.decode(token, options={'verify_signature': False})"),
        ("APS803", "from jose import jwt as J\nJ.decode(t, k)"),
        ("APS804", 'SECRET_KEY = "s3cr3t-value-123"'),
        ("APS804", '(SECRET_KEY) = "s3cr3t-value-123"'),
        ("APS804", 'secret_key : str = "s3cr3t-value-123"'),
        ("APS804", 'app.config["SECRET_KEY"] = "s3cr3t-value-123"'),
        ("APS804", 'CONFIG = {"""SECRET_KEY""": "s3cr3t-value-123"}'),
        ("APS804", 'Client(api_key="sk-live-123")'),
        ("APS804", 'TOKEN_SECRET = os.getenv("T", "fallback-literal")'),
        ("APS804", '(jwt).encode(payload, "literal-key-1")'),
        ("APS804", 'jwt_service.encode(payload, "literal-key-1")'),
        # re.IGNORECASE takes a dotless i, a dotted capital I and a long s for i and s
        ("APS804", 'CONFIG = {"pr\u0131vate_key": "k-123"}'),
        ("APS804", 'CONFIG = {"PR\u0130VATE_KEY": "k-123"}'),
        ("APS804", 'CONFIG = {"\u017fecret": "k-123"}'),
        # NFKC: Python reads these identifiers as ASCII names
        ("APS804", '\uff33\uff25\uff23\uff32\uff25\uff34_KEY = "s3cr3t-value-123"'),
        ("APS801", "app.run(\uff44\uff45\uff42\uff55\uff47=True)"),
        ("APS804", 'import jwt as jwt_cl\u00e9\njwt_cl\u00e9.encode(p, "k")'),
    ],
)
def test_what_a_rule_reports_passes_its_filter(code: str, source: str) -> None:
    assert may_fire(code, source)


@pytest.mark.parametrize(
    ("code", "source"),
    [
        ("APS801", 'log.debug("starting")'),
        ("APS802", "app = FastAPI()"),
        ("APS803", "payload = json.loads(body.decode())"),
        ("APS804", "my_secret_value = 1"),
        ("APS804", "keys = d.keys()"),
        ("APS909", "x = cache.get(1)"),
    ],
)
def test_a_file_without_it_is_ruled_out(code: str, source: str) -> None:
    assert not may_fire(code, source)


@pytest.mark.parametrize(
    "source",
    [
        '@router.get("/x")\ndef f(): ...',
        '  @app.api_route("/x", methods=["GET"])\n  async def f(): ...',
        '@router\\\n.get("/legacy")\ndef f(): ...',
        '@(router.get)("/legacy")\ndef f(): ...',
        '@(\n    router.get("/legacy")\n)\ndef f(): ...',
        '@bp.route("/x")\r@login_required\rdef f(): ...',  # CR-only line ends
    ],
)
def test_every_route_decorator_spelling_is_seen(source: str) -> None:
    lowered = filter_text(source.encode())
    assert lowered is not None
    assert ROUTE_DECORATOR_TEXT.search(lowered)


@pytest.mark.parametrize(
    "source",
    [
        "@property\ndef name(self):\n    return self.data.get('name')",
        "x = a @ b.get(1)",
        "@dataclass\nclass Item:\n    pass\n\nvalue = cache.post(1)",
    ],
)
def test_other_decorators_and_calls_are_not_route_decorators(source: str) -> None:
    lowered = filter_text(source.encode())
    assert lowered is not None
    assert not ROUTE_DECORATOR_TEXT.search(lowered)


def test_configured_secret_names_turn_the_filter_off() -> None:
    knowledge = DEFAULT_KNOWLEDGE.extended(secret_names=("passphrase",))
    assert BY_CODE["APS804"].may_fire(b'passphrase = "x"', knowledge)
    assert not BY_CODE["APS804"].may_fire(b'passphrase = "x"', DEFAULT_KNOWLEDGE)
