"""Apache Airflow 3 API server (FastAPI, ~230 routes, JWT bearer auth).

    python benchmarks/realworld/run_airflow.py [--base DIR] [--venv DIR] [--skip-install]

``create_app(apps="all")`` serves the public REST API (``/api/v2``), the UI API
(``/ui``), the simple auth manager's login app (mounted at ``/auth``) and the task
execution API (a Cadwyn app mounted at ``/execution`` that builds its versioned routes
on its first request). The database is created with ``airflow db migrate``; the probes
authenticate with a JWT the app's own auth manager signs for its ``admin`` user.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run


def migrate(state: Path, env: dict[str, str], python: Path) -> None:
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    airflow = python.parent / "airflow"
    log = state / "db-migrate.log"
    with log.open("w", encoding="utf-8") as out:
        subprocess.run([str(airflow), "db", "migrate"], env=env, check=True, stdout=out, stderr=out)


SPEC = RunSpec(
    name="airflow",
    venv="airflow",
    requirement="apache-airflow",
    package="airflow",
    target="airflow.api_fastapi.app:create_app(apps='all')",
    env={
        "AIRFLOW_HOME": "{state}/airflow-home",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        # a fixed signing key, so a token minted in one process is valid in the next
        "AIRFLOW__API_AUTH__JWT_SECRET": "realworld-benchmark-not-a-secret",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    },
    # Login (the auth manager's app), health, version, docs and the UI's static shell.
    public=(
        "* /auth/*",
        "GET /api/v2/auth/login",
        "GET /api/v2/auth/logout",
        "GET /api/v2/monitor/health",
        "GET /api/v2/version",
        "GET /execution/health",
        "GET /execution/health/*",
        "GET /health",
        "GET /static/{path}",
        "GET /{rest_of_path}",
        "GET /docs*",
        "GET /redoc",
        "GET /openapi.json",
        "GET /execution/docs*",
        "GET /execution/openapi.json",
        "GET /execution/redoc",
        "GET /execution/changelog",
    ),
    identities_plugin="apiposture_airflow_identities",
    prepare=migrate,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
