"""Apache Superset 6 (Flask-AppBuilder on Flask, ~900 routes, session and JWT auth).

    python benchmarks/realworld/run_superset.py [--base DIR] [--venv DIR] [--skip-install]

``superset.app:create_app()`` with a SQLite metadata database created by ``superset db
upgrade`` and ``superset init`` (roles and permissions). Superset's API and views are
guarded by Flask-AppBuilder's ``@protect()`` / ``@has_access``; FAB's own login, logout
and CRUD views are mounted too. The probes run anonymously (no identity): FAB's login is
a form or a JWT from ``POST /api/v1/security/login``.

PyPI's ``apache-superset`` does not pin its dependencies (its requirements files do): the
newest Flask-Caching passes an argument Superset's cache rejects, and the CLI needs rich.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

CONFIG = """\
SECRET_KEY = "realworld-benchmark-not-a-secret-0123456789"
SQLALCHEMY_DATABASE_URI = "sqlite:///{state}/superset.db"
"""


def migrate(state: Path, env: dict[str, str], python: Path) -> None:
    Path(env["SUPERSET_CONFIG_PATH"]).write_text(CONFIG.format(state=state), encoding="utf-8")
    superset = python.parent / "superset"
    for step in (["db", "upgrade"], ["init"]):
        with (state / f"superset-{step[-1]}.log").open("w", encoding="utf-8") as out:
            subprocess.run([str(superset), *step], env=env, check=True, stdout=out, stderr=out)


SPEC = RunSpec(
    name="superset",
    venv="superset",
    requirement="apache-superset",
    extra_requirements=("flask-caching<2.4", "rich"),
    package="superset",
    target="superset.app:create_app()",
    env={
        "SUPERSET_CONFIG_PATH": "{state}/superset_config.py",
        "FLASK_APP": "superset",
        "SUPERSET_LOG_LEVEL": "warning",
    },
    # Public by design: health and version, the language switch, self-registration and its
    # activation link, the OAuth2 callback of database connections, embedded dashboards
    # (a guest token, checked inside), and the "you are leaving" redirect page.
    public=(
        "GET /health",
        "GET /healthcheck",
        "GET /ping",
        "GET /version",
        "GET /lang/*",
        "GET /register/",
        "GET /register/activation/*",
        "GET /api/v1/database/oauth2/",
        "GET /embedded/*",
        "GET /dashboard/*/embedded",
        "GET /redirect/",
        "GET /static/*",
    ),
    prepare=migrate,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
