"""ZenML server (FastAPI, ~280 routes, OAuth2 password bearer JWTs), as its Docker image runs it.

    python benchmarks/realworld/run_zenml.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): measured once, as an app never seen
before. ``zenml.zen_server.zen_server_api:app`` as imported, in the environment of ZenML's
Docker server deployment: ``ZENML_SERVER=true`` and the default auth scheme
``OAUTH2_PASSWORD_BEARER`` (JWTs issued by ``POST /api/v1/login``, also read from the
session cookie by ``CookieOAuth2TokenBearer``; API keys of service accounts). The API
routes depend on ``Security(authorize)`` from ``zen_server.auth``, with RBAC on
resources. Login, the server info, health and readiness, the activation of a new server
and the dashboard's static files are public on purpose. Run with no ``public`` list.

State: a SQLite store in the state directory (the server migrates it in its lifespan;
``prepare`` does that once, as ``zenml`` does on a first start), activated with an
admin user (``ZENML_SERVER_AUTO_ACTIVATE``, the setting of ZenML's local Docker and Helm
deployments), analytics off, a fixed throwaway JWT signing key, logging at CRITICAL.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

# a first start: the lifespan creates the tables, the default project and stack, and
# activates the server with its admin user
FIRST_START = """
from starlette.testclient import TestClient
from zenml.zen_server.zen_server_api import app
with TestClient(app) as client:
    assert client.get("/health").status_code == 200
"""


def first_start(state: Path, env: dict[str, str], python: Path) -> None:
    subprocess.run([str(python), "-c", FIRST_START], env=env, cwd=state, check=True)


SPEC = RunSpec(
    name="zenml",
    venv="zenml",
    requirement="zenml[server]",
    package="zenml",
    target="zenml.zen_server.zen_server_api:app",
    env={
        "HOME": "{state}",
        "ZENML_SERVER": "true",
        "ZENML_CONFIG_PATH": "{state}/config",
        "ZENML_LOCAL_STORES_PATH": "{state}/stores",
        "ZENML_STORE_URL": "sqlite:///{state}/zenml.db",
        "ZENML_ANALYTICS_OPT_IN": "false",
        "ZENML_SERVER_DEPLOYMENT_TYPE": "docker",
        "ZENML_SERVER_AUTO_ACTIVATE": "true",
        "ZENML_DEFAULT_USER_NAME": "admin",
        "ZENML_DEFAULT_USER_PASSWORD": "realworld-pw-1",
        "ZENML_SERVER_JWT_SECRET_KEY": "realworld-benchmark-not-a-secret-0123456789",
        # the server logs every refused credential at ERROR with its traceback: hundreds
        # in a run with probes, which run.json would count as the run's tracebacks
        "ZENML_LOGGING_VERBOSITY": "CRITICAL",
    },
    prepare=first_start,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
