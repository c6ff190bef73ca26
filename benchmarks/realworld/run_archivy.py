"""Archivy 1.7 (Flask, ~40 routes, Flask-Login sessions through one app-wide before_request hook).

    python benchmarks/realworld/run_archivy.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): measured once, as an app never seen
before. ``realworld_factories:archivy()`` builds what ``archivy run`` serves: the Flask app
with the ``click_web`` routes that run Archivy's CLI commands from the browser. Archivy
authenticates users with Flask-Login sessions: one app-wide ``before_request`` hook
(``routes.check_perms``) redirects every request that is not logged in to the login page,
except paths under ``/login``, ``/static`` and ``/api/login``; ``POST /api/login`` logs in
with HTTP basic credentials. There is no per-route decorator. Run with no ``public`` list.

State: Archivy's data directory (``ARCHIVY_INTERNAL_DIR_PATH``: a TinyDB ``db.json``,
notes, images) in the state directory, no ``config.yml`` (the defaults: search off), and
an admin user created by ``archivy create-admin``, as ``archivy init`` offers.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run


def create_admin(state: Path, env: dict[str, str], python: Path) -> None:
    subprocess.run(
        [str(python.parent / "archivy"), "create-admin", "admin", "--password", "realworld-pw-1"],
        env=env,
        cwd=state,
        check=True,
        stdout=subprocess.DEVNULL,
    )


SPEC = RunSpec(
    name="archivy",
    venv="archivy",
    requirement="archivy",
    package="archivy",
    target="realworld_factories:archivy()",
    env={"HOME": "{state}", "ARCHIVY_INTERNAL_DIR_PATH": "{state}/archivy"},
    prepare=create_admin,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
