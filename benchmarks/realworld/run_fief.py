"""Fief 0.30 (FastAPI, ~230 routes, an OAuth2/OpenID Connect server: admin API keys and sessions).

    PYENV_VERSION=3.12.1 python3.12 benchmarks/realworld/run_fief.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): kept unseen until its one measurement.
Fief 0.28 and later require Python 3.12: the venv is made by the Python that runs this
script. ``fief.app:app`` is what ``fief run-server`` serves (uvicorn on
``FIEF_ASGI_APP_PATH``, default ``fief.app:app``), configured by environment variables
(pydantic settings). Three sub-applications are mounted: ``/admin/api`` (the
administration API: every router carries ``Depends(is_authenticated_admin_api)``, an admin
API key as ``Authorization: Bearer``, 401 without one), ``/admin`` (the dashboard:
``Depends(is_authenticated_admin_session)``, an admin session cookie obtained by logging
in to Fief itself over OAuth, and the ``fief:admin`` permission, else 403) and ``/``
(the authentication server, per tenant under an optional ``/{tenant_slug}`` prefix:
login, registration, password reset, e-mail verification, the OAuth authorize and token
endpoints and ``/.well-known`` documents are public on purpose; ``/api/userinfo``,
``/api/profile``, ``/api/password`` and ``/api/email/*`` take the user's access token,
``OAuth2AuthorizationCodeBearer`` in ``current_user()``). ``/healthz`` is public.
Run with no ``public`` list.

State, as ``fief quickstart`` sets up a server without TLS: fixed secrets, the cookies'
``Secure`` flags off, SQLite in the state directory; then ``fief migrate`` (schema, the
default tenant, the admin permission and role, the dashboard's OAuth client), ``fief
create-admin`` (the admin user) and ``fief create-admin-api-key`` (a fixed key: the
``admin`` identity, for the administration API). Telemetry is off (PostHog, a connection
per event). Fief sends e-mail and webhooks through a Dramatiq queue on Redis, which the
machine does not have: the set-up commands run in a process whose queue drops the
admin's welcome e-mail; in the measured runs a route that queues a task attempts a
connection to ``localhost:6379``, which the no-network plugin refuses and records.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

ADMIN_API_KEY = "realworld-fief-admin-api-key-0123456789"
PASSWORD = "Realworld-Benchmark-pw-2026!"  # Fief asks for a zxcvbn score of 3


# Fief's own CLI, in one process whose task queue drops what it is sent: creating a user
# queues its welcome e-mail on Redis, which the machine does not have
CLI = """
import sys
from fief.tasks.base import redis_broker
redis_broker.enqueue = lambda message, delay=None: message
from fief.cli.__main__ import app
app(sys.argv[1:])
"""


def setup(state: Path, env: dict[str, str], python: Path) -> None:
    for command in (
        ["migrate"],
        ["create-admin", "--user-email", "admin@example.com", "--user-password", PASSWORD],
        ["create-admin-api-key", ADMIN_API_KEY],
    ):
        subprocess.run(
            [str(python), "-c", CLI, *command],
            env=env,
            cwd=state,
            check=True,
            stdout=subprocess.DEVNULL,
        )


NOT_SECURE = (
    "CSRF_COOKIE_SECURE",
    "SESSION_DATA_COOKIE_SECURE",
    "USER_LOCALE_COOKIE_SECURE",
    "LOGIN_HINT_COOKIE_SECURE",
    "LOGIN_SESSION_COOKIE_SECURE",
    "REGISTRATION_SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_SECURE",
    "FIEF_ADMIN_SESSION_COOKIE_SECURE",
)

SPEC = RunSpec(
    name="fief",
    venv="fief",
    requirement="fief-server",
    # Fief pins typer 0.12.5, whose options click 8.2 refuses ("Secondary flag is not valid
    # for non-boolean flag"): the click of its time
    extra_requirements=("click<8.2",),
    package="fief",
    target="fief.app:app",
    env={
        "HOME": "{state}",
        "SECRET": "realworld-benchmark-not-a-secret-0123456789",
        "FIEF_CLIENT_ID": "realworld-fief-client-id",
        "FIEF_CLIENT_SECRET": "realworld-fief-client-secret",
        # a Fernet key: 32 bytes, URL-safe base64
        "ENCRYPTION_KEY": base64.urlsafe_b64encode(b"realworld-benchmark-fernet-key!!").decode(),
        "FIEF_DOMAIN": "localhost:8000",
        "DATABASE_LOCATION": "{state}",
        "TELEMETRY_ENABLED": "false",
        **dict.fromkeys(NOT_SECURE, "false"),
    },
    identities=(f"admin=Authorization: Bearer {ADMIN_API_KEY}",),
    requires_python=(3, 12),
    prepare=setup,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
