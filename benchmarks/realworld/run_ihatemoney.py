"""I Hate Money 7 (Flask, ~60 routes, per-project private codes: sessions and API basic auth).

    python benchmarks/realworld/run_ihatemoney.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): kept unseen until its one measurement.
``ihatemoney.run:create_app()`` is what ``ihatemoney/wsgi.py`` serves; the settings come
from ``IHATEMONEY_SETTINGS_FILE_PATH``. A shared budget: each project is an object with
its own private code, and there are no user accounts. The web interface
(``web.py``, blueprint ``main``) authenticates in a ``url_value_preprocessor``
(``pull_project``): every route with a ``{project_id}`` segment needs the project in the
session (``POST /authenticate`` with the private code, or an invitation link
``/{project_id}/join/{token}``), an admin session, or the project ``demo``; the feed
(``/{project_id}/feed/{token}.xml``) checks its own signed token. Admin routes carry
``@requires_admin``, whose check is bypassed by a setting for project creation
(``bypass=("ALLOW_PUBLIC_PROJECT_CREATION", True)``); the admin dashboard is on only when
``ACTIVATE_ADMIN_DASHBOARD`` is set. The REST API (``/api``, Flask-RESTful resources)
authenticates with the ``need_auth`` decorator (``method_decorators``): HTTP basic auth
as ``project_id:private code``, where the user name must equal the path's project, or a
bearer token signed for that project (``GET /api/projects/{project_id}/token``);
``POST /api/projects`` creates a project without authentication while
``ALLOW_PUBLIC_PROJECT_CREATION`` is set (the default). Run with no ``public`` list.

State: a settings file in the state directory (SQLite database there, a secret key, a
hashed ``ADMIN_PASSWORD`` and the admin dashboard on, as a server that uses the admin
pages is configured; every other setting at its default), the tables created by the
migrations ``create_app`` runs, and two projects, ``alice`` and ``bob``, created through
``POST /api/projects`` as a user does. Identities: the API's basic-auth credential of
each project (fixed: the project id and its private code). Mail is suppressed (the
machine has no mail server: each project creation would be a connection attempt), and
the rate limiter is off (3 private-code attempts a minute) so the probes are answered by
the routes, not by 429. The currency list is built in; conversion rates are fetched only
when a bill converts between currencies.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

PASSWORD = "realworld-pw-1"
PROJECTS = ("alice", "bob")

SETTINGS = """\
SQLALCHEMY_DATABASE_URI = "sqlite:///{state}/ihatemoney.sqlite"
SECRET_KEY = "realworld-benchmark-not-a-secret-0123456789"
ADMIN_PASSWORD = {admin_hash!r}
ACTIVATE_ADMIN_DASHBOARD = True
MAIL_SUPPRESS_SEND = True
RATELIMIT_ENABLED = False
"""

# pbkdf2: what create_app expects (it warns about any other hash)
HASH = "from werkzeug.security import generate_password_hash as h; print(h({password!r}, 'pbkdf2'))"

# the projects, created as a user does (the API's public creation), in the app's process
CREATE_PROJECTS = """
from ihatemoney.run import create_app
client = create_app().test_client()
for name in {projects!r}:
    answer = client.post(
        "/api/projects",
        data={{"name": name, "id": name, "password": {password!r},
               "contact_email": name + "@example.com", "default_currency": "XXX"}},
    )
    assert answer.status_code == 201, (answer.status_code, answer.get_data(as_text=True)[:300])
"""


def setup(state: Path, env: dict[str, str], python: Path) -> None:
    admin_hash = subprocess.run(
        [str(python), "-c", HASH.format(password=PASSWORD)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    settings = SETTINGS.format(state=state, admin_hash=admin_hash)
    (state / "ihatemoney.cfg").write_text(settings, encoding="utf-8")
    code = CREATE_PROJECTS.format(projects=PROJECTS, password=PASSWORD)
    subprocess.run([str(python), "-c", code], env=env, cwd=state, check=True)


def basic(project: str) -> str:
    token = base64.b64encode(f"{project}:{PASSWORD}".encode()).decode()
    return f"{project}=Authorization: Basic {token}"


SPEC = RunSpec(
    name="ihatemoney",
    venv="ihatemoney",
    requirement="ihatemoney",
    package="ihatemoney",
    target="ihatemoney.run:create_app()",
    env={"HOME": "{state}", "IHATEMONEY_SETTINGS_FILE_PATH": "{state}/ihatemoney.cfg"},
    identities=tuple(basic(p) for p in PROJECTS),
    prepare=setup,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
