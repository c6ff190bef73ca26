"""A hand-built Posture of a small shop API, the input of every report test.

The routes, guards and findings look like what the pipeline produces for a FastAPI
app with the usual mistakes: a BOLA confirmed by a probe, a response model leaking a
password hash, optional auth on a list endpoint, an admin route guarded by login
only, a debug route hidden from the schema, a vulnerable dependency.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_apiposture.model import (
    Auth,
    CheckInfo,
    Confidence,
    Finding,
    Guard,
    GuardRole,
    Kind,
    Location,
    Posture,
    Route,
    Severity,
)

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
ROOT = "/srv/shop"
TOOL_VERSION = "0.1.0"

CURRENT_USER = Guard(
    name="shop.deps:get_current_user",
    origin="parameter",
    scheme="OAuth2PasswordBearer",
    auto_error=True,
    location=Location(f"{ROOT}/shop/deps.py", 21, "get_current_user"),
    role=GuardRole.AUTH,
)
OPTIONAL_USER = Guard(
    name="shop.deps:get_optional_user",
    origin="parameter",
    scheme="OAuth2PasswordBearer",
    auto_error=False,
    location=Location(f"{ROOT}/shop/deps.py", 35, "get_optional_user"),
    role=GuardRole.OPTIONAL_AUTH,
)
DB_SESSION = Guard(name="shop.db:get_session", origin="parameter", role=GuardRole.OTHER)


def loc(file: str, line: int, symbol: str) -> Location:
    return Location(f"{ROOT}/{file}", line, symbol)


def route(
    method: str, path: str, handler: str, where: Location, auth: Auth, *guards: Guard, **kw: object
) -> Route:
    return Route(
        method=method,
        path=path,
        framework="fastapi",
        handler=handler,
        location=where,
        guards=guards,
        auth=auth,
        **kw,
    )


def sample_routes() -> list[Route]:
    users = "shop/api/users.py"
    return [
        route("GET", "/health", "shop.main:health", loc("shop/main.py", 31, "health"), Auth.PUBLIC),
        route(
            "POST",
            "/auth/token",
            "shop.api.auth:login",
            loc("shop/api/auth.py", 18, "login"),
            Auth.PUBLIC,
            DB_SESSION,
        ),
        route(
            "GET",
            "/users/me",
            "shop.api.users:read_me",
            loc(users, 22, "read_me"),
            Auth.AUTHENTICATED,
            CURRENT_USER,
        ),
        route(
            "GET",
            "/users/{user_id}",
            "shop.api.users:read_user",
            loc(users, 30, "read_user"),
            Auth.AUTHENTICATED,
            CURRENT_USER,
            DB_SESSION,
        ),
        route(
            "PATCH",
            "/users/{user_id}",
            "shop.api.users:update_user",
            loc(users, 41, "update_user"),
            Auth.AUTHENTICATED,
            CURRENT_USER,
            DB_SESSION,
        ),
        route(
            "GET",
            "/orders",
            "shop.api.orders:list_orders",
            loc("shop/api/orders.py", 15, "list_orders"),
            Auth.OPTIONAL,
            OPTIONAL_USER,
        ),
        route(
            "DELETE",
            "/admin/users/{user_id}",
            "shop.api.admin:delete_user",
            loc("shop/api/admin.py", 12, "delete_user"),
            Auth.AUTHENTICATED,
            CURRENT_USER,
        ),
        route(
            "GET",
            "/internal/debug/config",
            "shop.api.admin:debug_config",
            loc("shop/api/admin.py", 30, "debug_config"),
            Auth.NONE,
            in_schema=False,
            origin=("runtime", "static"),
        ),
    ]


PROBE_TRANSCRIPT = """\
> GET /users/1 (as bob)
> Authorization: Bearer <bob's token>
< 200 OK
< {"id": 1, "email": "alice@example.com", "password_hash": "$2b$12$..."}"""


def sample_findings() -> list[Finding]:
    users = "shop/api/users.py"
    return [
        Finding(
            "APS151",
            Kind.BOLA,
            "API1:2023",
            Severity.CRITICAL,
            Confidence.CONFIRMED,
            "bob read alice's object: GET /users/1 returned 200 with alice's data",
            "Load the object filtered by the caller: `db.get(User, user_id)` -> "
            "`select(User).where(User.id == user_id, User.id == current_user.id)`; return 404 otherwise.",
            "GET",
            "/users/{user_id}",
            loc(users, 30, "read_user"),
            PROBE_TRANSCRIPT,
            639,
        ),
        Finding(
            "APS101",
            Kind.BOLA,
            "API1:2023",
            Severity.HIGH,
            Confidence.POSSIBLE,
            "path parameter 'user_id' fetches User with no owner check",
            "Compare the object's owner with the current user before returning it.",
            "GET",
            "/users/{user_id}",
            loc(users, 33, "read_user"),
            "user = db.get(User, user_id)",
            639,
            status="preview",
        ),
        Finding(
            "APS301",
            Kind.DATA_EXPOSURE,
            "API3:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "response model UserOut declares sensitive field 'password_hash'",
            "Remove 'password_hash' from UserOut or mark it `Field(exclude=True)`.",
            "GET",
            "/users/{user_id}",
            loc("shop/schemas.py", 14, "UserOut"),
            "password_hash: str",
            213,
        ),
        Finding(
            "APS303",
            Kind.MASS_ASSIGNMENT,
            "API3:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "request body model UserUpdate accepts privileged field 'is_admin'",
            "Drop 'is_admin' from UserUpdate; set it in an admin-only endpoint.",
            "PATCH",
            "/users/{user_id}",
            loc("shop/schemas.py", 22, "UserUpdate"),
            "is_admin: bool = False",
            915,
            suppressed=True,
        ),
        Finding(
            "APS304",
            Kind.MASS_ASSIGNMENT,
            "API3:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "request data written in bulk: setattr(user, key, value) for every body field",
            "Assign the allowed fields one by one: `user.name = body.name`.",
            "PATCH",
            "/users/{user_id}",
            loc(users, 45, "update_user"),
            "for key, value in body.model_dump().items():\n    setattr(user, key, value)",
            915,
        ),
        Finding(
            "APS202",
            Kind.MISSING_AUTH,
            "API2:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "only auth guard get_optional_user lets anonymous callers through (auto_error=False)",
            "Depend on get_current_user, or reject `user is None` with 401.",
            "GET",
            "/orders",
            loc("shop/api/orders.py", 15, "list_orders"),
            "user: User | None = Depends(get_optional_user)",
            306,
        ),
        Finding(
            "APS401",
            Kind.RESOURCE_CONSUMPTION,
            "API4:2023",
            Severity.MEDIUM,
            Confidence.POSSIBLE,
            "query parameter 'limit' has no upper bound",
            "Declare `limit: int = Query(50, le=100)`.",
            "GET",
            "/orders",
            loc("shop/api/orders.py", 16, "list_orders"),
            "limit: int = 50",
            770,
            status="preview",
        ),
        Finding(
            "APS501",
            Kind.FUNCTION_LEVEL_AUTH,
            "API5:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "admin route guarded by authentication only (get_current_user), no role check",
            "Add a role dependency: `Depends(require_admin)`.",
            "DELETE",
            "/admin/users/{user_id}",
            loc("shop/api/admin.py", 12, "delete_user"),
            "",
            285,
            baselined=True,
        ),
        Finding(
            "APS201",
            Kind.MISSING_AUTH,
            "API2:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "route has no authenticating guard",
            "Add `Depends(get_current_user)` or mark it public with @apiposture.public.",
            "GET",
            "/internal/debug/config",
            loc("shop/api/admin.py", 30, "debug_config"),
            "",
            306,
        ),
        Finding(
            "APS901",
            Kind.SHADOW_ENDPOINT,
            "API9:2023",
            Severity.INFO,
            Confidence.LIKELY,
            "registered route is missing from the generated schema (include_in_schema=False)",
            "Document the route or remove it; hidden routes are still reachable.",
            "GET",
            "/internal/debug/config",
            loc("shop/api/admin.py", 30, "debug_config"),
            "",
            1059,
        ),
        Finding(
            "APS804",
            Kind.MISCONFIGURATION,
            "API8:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "hard-coded secret key SECRET_KEY",
            "Read it from the environment: `SECRET_KEY = os.environ['SECRET_KEY']`.",
            location=loc("shop/settings.py", 7, "SECRET_KEY"),
            evidence='SECRET_KEY = "dev-secret"',
            cwe=798,
            baselined=True,
        ),
        Finding(
            "APS001",
            Kind.DEPENDENCY,
            "API8:2023",
            Severity.HIGH,
            Confidence.LIKELY,
            "starlette 0.27.0 is affected by GHSA-f96h-pmfr-66vw (multipart DoS); fixed in 0.40.0",
            "Upgrade: `starlette>=0.40.0`.",
            location=loc("requirements.txt", 4, "starlette"),
            cwe=770,
        ),
    ]


def check(
    code: str, name: str, kind: Kind, severity: Severity, summary: str, **kw: object
) -> CheckInfo:
    owasp = f"API{int(code[3]) if code[3] != '0' else 8}:2023"
    docs = (
        f"## What it does\n{summary}.\n\n## Why is this bad?\nAttackers use it.\n\n"
        f"## Example\n```python\n@app.get('/x')\ndef x(): ...\n```\n\n## Use instead\nGuard it.\n"
    )
    return CheckInfo(code, name, kind, owasp, severity, Confidence.LIKELY, summary, docs, **kw)


def sample_checks() -> dict[str, CheckInfo]:
    checks = [
        check(
            "APS001",
            "known-vulnerability",
            Kind.DEPENDENCY,
            Severity.HIGH,
            "Known vulnerability in a dependency",
            cwe=1395,
        ),
        check(
            "APS101",
            "object-without-owner-check",
            Kind.BOLA,
            Severity.HIGH,
            "Object fetched by id with no owner check",
            cwe=639,
            status="preview",
        ),
        check(
            "APS151",
            "bola-probe",
            Kind.BOLA,
            Severity.CRITICAL,
            "Another identity reads the owner's object",
            cwe=639,
        ),
        check(
            "APS201",
            "missing-auth",
            Kind.MISSING_AUTH,
            Severity.HIGH,
            "Route has no authenticating guard",
            cwe=306,
        ),
        check(
            "APS202",
            "optional-auth",
            Kind.MISSING_AUTH,
            Severity.HIGH,
            "Only auth guard lets anonymous callers through",
            cwe=306,
        ),
        check(
            "APS301",
            "response-model-sensitive-field",
            Kind.DATA_EXPOSURE,
            Severity.HIGH,
            "Response model declares sensitive fields",
            cwe=213,
        ),
        check(
            "APS303",
            "privileged-input-field",
            Kind.MASS_ASSIGNMENT,
            Severity.HIGH,
            "Request body accepts privileged fields",
            cwe=915,
        ),
        check(
            "APS304",
            "bulk-write",
            Kind.MASS_ASSIGNMENT,
            Severity.HIGH,
            "Request data written in bulk",
            cwe=915,
        ),
        check(
            "APS401",
            "unbounded-page-size",
            Kind.RESOURCE_CONSUMPTION,
            Severity.MEDIUM,
            "Page size parameter without upper bound",
            cwe=770,
            status="preview",
        ),
        check(
            "APS501",
            "admin-without-role",
            Kind.FUNCTION_LEVEL_AUTH,
            Severity.HIGH,
            "Admin route guarded by authentication only",
            cwe=285,
        ),
        check(
            "APS802",
            "cors-wildcard-credentials",
            Kind.MISCONFIGURATION,
            Severity.HIGH,
            "CORS wildcard origin with credentials",
            cwe=942,
        ),
        check(
            "APS804",
            "hard-coded-secret",
            Kind.MISCONFIGURATION,
            Severity.HIGH,
            "Hard-coded secret key",
            cwe=798,
        ),
        check(
            "APS901",
            "shadow-endpoint",
            Kind.SHADOW_ENDPOINT,
            Severity.INFO,
            "Registered route missing from the generated schema",
            cwe=1059,
        ),
    ]
    return {c.code: c for c in checks}


def sample_posture() -> Posture:
    return Posture(
        app="shop.main:app",
        framework="fastapi",
        root=ROOT,
        routes=sample_routes(),
        findings=sample_findings(),
        checks=sample_checks(),
        notes=[
            "shop/legacy/views.py: could not parse (invalid syntax, line 12); its routes were not analysed"
        ],
    )


@pytest.fixture
def posture() -> Posture:
    return sample_posture()


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare text with tests/report/data/golden/NAME; APIPOSTURE_UPDATE_GOLDENS=1 rewrites."""

    def check_golden(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("APIPOSTURE_UPDATE_GOLDENS") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"missing golden {path}; run with APIPOSTURE_UPDATE_GOLDENS=1"
        assert text == path.read_text(encoding="utf-8")

    return check_golden
