"""LNbits (FastAPI, ~220 routes, wallet keys and user sessions), installed and set up.

    python benchmarks/realworld/run_lnbits.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): measured once, as an app never seen
before. ``realworld_factories:lnbits()`` is ``lnbits.__main__``'s ``create_app()`` run
from the directory holding the package (LNbits reads ``lnbits/static`` and its templates
relative to the working directory); the core routers are added by the lifespan. LNbits
authenticates with wallet API keys (``X-Api-Key``, admin or invoice key:
``require_admin_key``, ``require_invoice_key``, checkers that are ``SecurityBase``
subclasses), user access tokens (a JWT as bearer, header or ``cookie_access_token``
cookie: ``check_user_exists``) and admin checks (``check_admin``,
``check_super_user``); LNURL and public pay pages are public on purpose. Run with no
``public`` list.

State: a SQLite database and data folder in the state directory, the default VoidWallet
funding source, the admin UI on (LNbits' default). ``prepare`` finishes the first
install (the super user gets a username and password through ``PUT
/api/v1/auth/first_install``, as the browser's first-install page does): before that,
every request is redirected to ``/first_install``. Nothing is fetched: the extension
manifests, the price aggregator and the exchange-rate providers are switched off (the
machine has no network; each would be a background connection attempt). The rate
limiter is raised (default 200 requests a minute per client) so the probes are answered
by the routes, not by 429.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

# the first-install page's request, in the app's own process (its lifespan runs the
# migrations and creates the super user, whose provider is then "env")
FIRST_INSTALL = """
from starlette.testclient import TestClient
import realworld_factories
app = realworld_factories.lnbits()
with TestClient(app) as client:
    answer = client.put(
        "/api/v1/auth/first_install",
        json={"username": "admin", "password": "realworld-pw-1", "password_repeat": "realworld-pw-1"},
    )
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])
"""


def first_install(state: Path, env: dict[str, str], python: Path) -> None:
    subprocess.run([str(python), "-c", FIRST_INSTALL], env=env, cwd=state, check=True)


SPEC = RunSpec(
    name="lnbits",
    venv="lnbits",
    requirement="lnbits",
    package="lnbits",
    target="realworld_factories:lnbits()",
    # bolt11 imports bitstring's ConstBitStream, which bitstring 5 removed; LNbits' own
    # lock file has bitstring 4
    extra_requirements=("bitstring<5",),
    env={
        "HOME": "{state}",
        "LNBITS_DATA_FOLDER": "{state}/data",
        "LNBITS_EXTENSIONS_PATH": "{state}/extensions",
        "LNBITS_EXTENSIONS_MANIFESTS": "[]",
        "LNBITS_WASM_EXTENSIONS_MANIFESTS": "[]",
        "LNBITS_PRICE_AGGREGATOR_ENABLED": "false",
        "LNBITS_EXCHANGE_RATE_PROVIDERS": "[]",
        "LNBITS_RATE_LIMIT_NO": "1000000",
    },
    prepare=first_install,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
