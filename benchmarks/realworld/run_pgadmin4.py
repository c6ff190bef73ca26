"""pgAdmin 4 in server mode (Flask, ~1,600 routes, Flask-Security-Too session logins).

    python benchmarks/realworld/run_pgadmin4.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): measured once, as an app never seen
before. ``realworld_factories:pgadmin4()`` imports ``pgAdmin4.py`` (what ``pgAdmin4.wsgi``
serves) from the project's ``src/`` and returns its Flask app. In server mode (the
Docker image's ``PGADMIN_SERVER_MODE=ON``, ``SERVER_MODE = True``) pgAdmin authenticates
users with Flask-Security-Too sessions (internal auth source: e-mail and password at
``/authenticate/login``): views carry ``@pga_login_required`` (``mfa_required``, which is
Flask-Security's ``@login_required`` plus the MFA step) or ``@login_required``, and
``@permissions_required`` / ``@roles_required`` for admin functions; the login, MFA and
password-reset pages and static files are public on purpose. (In desktop mode a
``before_request`` hook logs in the desktop user instead: not run here.) Run with no
``public`` list.

State: the configuration pgAdmin reads from ``CONFIG_DISTRO_FILE_PATH`` (``DATA_DIR`` in the
state directory: SQLite configuration database, sessions, storage, log; the upgrade
check off, as it would fetch a version file), then ``setup.py setup-db`` creates the
database and the first administrator from ``PGADMIN_SETUP_EMAIL`` and
``PGADMIN_SETUP_PASSWORD``, as the Docker image's entry point does. No PostgreSQL server
is registered.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

CONFIG = """\
DATA_DIR = {data!r}
SERVER_MODE = True
UPGRADE_CHECK_ENABLED = False
"""


def setup_db(state: Path, env: dict[str, str], python: Path) -> None:
    (state / "config_distro.py").write_text(
        CONFIG.format(data=str(state / "data")), encoding="utf-8"
    )
    installed = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u; print(u.find_spec('pgadmin4').submodule_search_locations[0])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [str(python), str(Path(installed) / "setup.py"), "setup-db"],
        env=env,
        cwd=state,
        check=True,
        stdout=subprocess.DEVNULL,
    )


SPEC = RunSpec(
    name="pgadmin4",
    venv="pgadmin4",
    requirement="pgadmin4",
    package="pgadmin4",
    target="realworld_factories:pgadmin4()",
    env={
        "HOME": "{state}",
        "PGADMIN_SERVER_MODE": "ON",
        "CONFIG_DISTRO_FILE_PATH": "{state}/config_distro.py",
        "PGADMIN_SETUP_EMAIL": "admin@example.com",
        "PGADMIN_SETUP_PASSWORD": "realworld-pw-1",
    },
    prepare=setup_db,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
