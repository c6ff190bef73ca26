"""Open WebUI (FastAPI, ~600 routes, JWT bearer/cookie and API-key users), offline and slim.

    python benchmarks/realworld/run_openwebui.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): measured once, as an app never seen
before. ``open_webui.main:app`` with the environment ``open-webui serve`` sets
(``FROM_INIT_PY``: the bundled frontend; ``WEBUI_SECRET_KEY``). Open WebUI authenticates
users with a JWT (``Authorization: Bearer`` through ``HTTPBearer(auto_error=False)``, or
the ``token`` cookie) or an ``sk-`` API key, read by ``get_current_user``; routes depend on
``get_verified_user`` or ``get_admin_user`` (``utils/auth.py``), and per-object access
checks (``has_access``) follow in the handlers. Sign-in, sign-up, the app config for the
login page, OAuth callbacks, health, version and the frontend are public on purpose. Run
with no ``public`` list.

State: a SQLite database in the state directory (the migrations run when
``open_webui.env`` is imported), an admin user created at start-up from
``WEBUI_ADMIN_EMAIL`` / ``WEBUI_ADMIN_PASSWORD`` (Open WebUI's headless setup; ``prepare``
starts the app once so that it exists), ``OFFLINE_MODE`` (no Hugging Face look-ups, no
version check) and ``USE_SLIM_DOCKER`` (the slim image: no local embedding model is
loaded; none could be fetched here), Ollama at its default URL (none runs: requests to
it fail), telemetry off.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

# a first start: the import migrates the database, the lifespan creates the admin user
FIRST_START = """
from starlette.testclient import TestClient
from open_webui.main import app
with TestClient(app) as client:
    assert client.get("/health").status_code == 200
"""


def first_start(state: Path, env: dict[str, str], python: Path) -> None:
    (state / "data").mkdir()
    subprocess.run([str(python), "-c", FIRST_START], env=env, cwd=state, check=True)


SPEC = RunSpec(
    name="openwebui",
    venv="openwebui",
    requirement="open-webui",
    package="open_webui",
    target="open_webui.main:app",
    env={
        "HOME": "{state}",
        "FROM_INIT_PY": "true",
        "DATA_DIR": "{state}/data",
        "WEBUI_SECRET_KEY": "realworld-benchmark-not-a-secret-0123456789",
        "WEBUI_ADMIN_EMAIL": "admin@example.com",
        "WEBUI_ADMIN_PASSWORD": "realworld-pw-1",
        "OFFLINE_MODE": "true",
        # the default URL, given: unset, the import probes ports 11434 and 12434 for an
        # Ollama server (two connection attempts); no model backend runs here
        "OLLAMA_BASE_URL": "http://localhost:11434",
        "USE_SLIM_DOCKER": "true",
        "ANONYMIZED_TELEMETRY": "false",
        "SCARF_NO_ANALYTICS": "true",
        "DO_NOT_TRACK": "true",
    },
    prepare=first_start,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
