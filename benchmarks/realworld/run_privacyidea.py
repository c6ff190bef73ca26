"""privacyIDEA 3 (Flask, ~280 routes, JWT auth tokens checked in blueprint before_request hooks).

    python benchmarks/realworld/run_privacyidea.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): measured once, as an app never seen
before. ``privacyidea.app:create_app('production', silent=True)`` is what privacyIDEA's
``pi.wsgi`` runs; the configuration file comes from ``PRIVACYIDEA_CONFIGFILE``.
privacyIDEA authenticates with a JWT that ``POST /auth`` issues, sent in the
``PI-Authorization`` (or ``Authorization``) header: most blueprints verify it in their
``before_request`` hooks (``api/before_after.py``: ``verify_auth_token`` with the roles the
blueprint allows, and lists of token-free endpoints), with ``@admin_required`` /
``@user_required`` and policy decorators (``@prepolicy``) on top. Public on purpose:
``/auth``, the ``/validate`` endpoints (they authenticate a user's OTP: that is the
service), container registration and synchronisation by the client, the web UI.
Run with no ``public`` list.

State, as privacyIDEA's installation guide sets up a server: ``pi.cfg`` (SQLite database,
secret key, pepper, encryption key and audit signing keys in the state directory), then
``pi-manage setup create_enckey``, ``create_audit_keys``, ``create_tables`` and ``pi-manage
admin add``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

PI_CFG = """\
SQLALCHEMY_DATABASE_URI = "sqlite:///{state}/privacyidea.sqlite"
SECRET_KEY = "realworld-benchmark-not-a-secret-0123456789"
PI_PEPPER = "realworld-benchmark-pepper"
PI_ENCFILE = "{state}/enckey"
PI_AUDIT_KEY_PRIVATE = "{state}/private.pem"
PI_AUDIT_KEY_PUBLIC = "{state}/public.pem"
PI_LOGFILE = "{state}/privacyidea.log"
"""


def setup(state: Path, env: dict[str, str], python: Path) -> None:
    (state / "pi.cfg").write_text(PI_CFG.format(state=state), encoding="utf-8")
    manage = str(python.parent / "pi-manage")
    for command in (
        ["setup", "create_enckey"],
        ["setup", "create_audit_keys"],
        ["setup", "create_tables"],
        ["admin", "add", "admin", "-p", "realworld-pw-1"],
    ):
        subprocess.run(
            [manage, *command], env=env, cwd=state, check=True, stdout=subprocess.DEVNULL
        )


SPEC = RunSpec(
    name="privacyidea",
    venv="privacyidea",
    requirement="privacyidea",
    package="privacyidea",
    target="privacyidea.app:create_app('production', silent=True)",
    env={"HOME": "{state}", "PRIVACYIDEA_CONFIGFILE": "{state}/pi.cfg"},
    prepare=setup,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
