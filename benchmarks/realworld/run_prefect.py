"""Prefect server (FastAPI, ~200 routes): as shipped (no auth), and with its auth string.

    python benchmarks/realworld/run_prefect.py [--base DIR] [--venv DIR] [--skip-install]

Prefect's app factory mounts the REST API app at ``/api`` and the UI app at ``""``; the
database tables are created in the lifespan. ``PREFECT_SERVER_API_AUTH_STRING`` turns on
an ``@app.middleware("http")`` function that answers 401 to requests without the
basic-auth credential (GET ``/api/health`` and ``/api/ready`` excepted): the second run
checks that app-wide middleware is recognised as the routes' guard.
"""

from __future__ import annotations

import base64

from _common import RunSpec, parse_args, run

ENV = {
    "PREFECT_HOME": "{state}/home",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}
# Documentation, the UI's static files and settings, and the probes a load balancer uses.
PUBLIC = (
    "GET /api/docs",
    "GET /api/docs/*",
    "GET /api/redoc",
    "GET /api/openapi.json",
    "GET /api/health",
    "GET /api/ready",
    "GET /api/version",
    "GET /api/hello",
    "GET /ui-settings",
    "GET /{path}",
)
AUTH_STRING = "admin:realworld-benchmark"  # a test credential for a throwaway server

SPECS = (
    RunSpec(
        name="prefect",
        venv="prefect",
        requirement="prefect",
        package="prefect",
        target="prefect.server.api.server:create_app(ephemeral=True)",
        env=ENV,
        public=PUBLIC,
    ),
    RunSpec(
        name="prefect-auth",
        venv="prefect",
        requirement="prefect",
        package="prefect",
        target="prefect.server.api.server:create_app(ephemeral=True)",
        env={**ENV, "PREFECT_SERVER_API_AUTH_STRING": AUTH_STRING},
        public=PUBLIC,
        identities=(
            "admin=Authorization: Basic " + base64.b64encode(AUTH_STRING.encode()).decode(),
        ),
    ),
)

if __name__ == "__main__":
    arguments = parse_args(__doc__.splitlines()[0])
    for spec in SPECS:
        run(spec, arguments)
