"""MLflow tracking server (Flask, ~400 routes): Flask, its FastAPI wrapper, and with auth.

    python benchmarks/realworld/run_mlflow.py [--base DIR] [--venv DIR] [--skip-install] [--only NAME]

Three runs in one venv (``mlflow[auth]``):

* ``mlflow-flask``: ``mlflow.server:app`` as shipped (no authentication);
* ``mlflow-fastapi``: ``mlflow.server.fastapi_app:app``, FastAPI routers plus the whole
  Flask app mounted at ``/`` behind a WSGI adapter;
* ``mlflow-host``: the FastAPI wrapper accepting only ``Host: localhost``, which the gate
  sends (the ``host`` setting; Starlette's test client would send ``testserver``, and
  MLflow answers that with 403, which would read as "authentication enforced");
* ``mlflow-auth``: ``mlflow.server.auth:create_app`` (called with the server's Flask app,
  its default), which guards every route with one app-wide ``before_request`` hook; the
  probes log in as the admin the auth config creates.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from _common import RunSpec, parse_args, run

ENV = {
    "_MLFLOW_SERVER_FILE_STORE": "sqlite:///{state}/mlflow.db",
    "_MLFLOW_SERVER_ARTIFACT_ROOT": "{state}/artifacts",
    "MLFLOW_SERVER_ALLOWED_HOSTS": "localhost,testserver",
}
ADMIN = ("admin", "realworld-benchmark-pw1")  # a throwaway server's first admin
# Static files, the UI shell, health, version and the public server-info.
PUBLIC = (
    "GET /",
    "GET /static-files/*",
    "GET /favicon.ico",
    "GET /health",
    "GET /version",
    "GET /server-info",
    "GET /*/mlflow/server-info",
)


def auth_config(state: Path, env: dict[str, str], python: Path) -> None:
    config = state / "basic_auth.ini"
    config.write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = sqlite:///{state}/basic_auth.db\n"
        f"admin_username = {ADMIN[0]}\n"
        f"admin_password = {ADMIN[1]}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
        encoding="utf-8",
    )
    env["MLFLOW_AUTH_CONFIG_PATH"] = str(config)
    # CSRF protection of the auth app's forms needs a key that is the same in every process
    env["MLFLOW_FLASK_SERVER_SECRET_KEY"] = "realworld-benchmark-not-a-secret"


SPECS = (
    RunSpec(
        name="mlflow-flask",
        venv="mlflow",
        requirement="mlflow[auth]",
        package="mlflow",
        target="mlflow.server:app",
        env=ENV,
        public=PUBLIC,
    ),
    RunSpec(
        name="mlflow-fastapi",
        venv="mlflow",
        requirement="mlflow[auth]",
        package="mlflow",
        target="mlflow.server.fastapi_app:app",
        env=ENV,
        public=PUBLIC,
    ),
    RunSpec(  # the Host option: the app accepts only "localhost", the gate sends it
        name="mlflow-host",
        venv="mlflow",
        requirement="mlflow[auth]",
        package="mlflow",
        target="mlflow.server.fastapi_app:app",
        env={**ENV, "MLFLOW_SERVER_ALLOWED_HOSTS": "localhost"},
        public=PUBLIC,
        host="localhost",
    ),
    RunSpec(
        name="mlflow-auth",
        venv="mlflow",
        requirement="mlflow[auth]",
        package="mlflow",
        target="mlflow.server.auth:create_app",
        env=ENV,
        public=PUBLIC,
        identities=(
            "admin=Authorization: Basic " + base64.b64encode(":".join(ADMIN).encode()).decode(),
        ),
        prepare=auth_config,
    ),
)

if __name__ == "__main__":
    only = None
    if "--only" in sys.argv:
        at = sys.argv.index("--only")
        only = sys.argv[at + 1]
        del sys.argv[at : at + 2]
    arguments = parse_args(__doc__.splitlines()[0])
    for spec in SPECS:
        if only is None or spec.name == only:
            run(spec, arguments)
