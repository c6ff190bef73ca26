"""OPAL server 0.9 (FastAPI, ~20 routes and a websocket, JWT peers signed by the server's key).

    python benchmarks/realworld/run_opal.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): kept unseen until its one measurement.
``opal_server.main:app`` is what ``opal-server run`` serves (gunicorn or uvicorn on
``opal_server.main:app``), configured by ``OPAL_*`` environment variables. OPAL pushes
policy and data updates to its clients (Open Policy Agent sidecars). It authenticates
peers with JWTs: ``POST /token`` takes the master token (``StaticBearerAuthenticator``,
``OPAL_AUTH_MASTER_TOKEN``) and signs a token for a peer type (client, datasource); the
other routers are included with ``dependencies=[Depends(authenticator)]``, a
``JWTAuthenticator`` (the callable instance verifies the bearer token against the
server's public key), and some handlers also ``require_peer_type`` (data updates need a
datasource token). Whether any of this refuses is configuration: without keys the
signer is disabled and the authenticator lets every request through (OPAL's default,
"cannot verify api requests"). Public on purpose: ``/``, ``/healthcheck``, the JWKS
document when enabled, ``/docs``, ``/redoc``. Run with no ``public`` list.

State: an RSA key pair made in the state directory (PEM private key, OpenSSH public
key: OPAL's default formats, given as file paths), a fixed master token; the policy
repository watcher off (its default policy source is a Git remote: a clone at startup,
on a machine with no network), scopes off (they need Redis), statistics off (the
default). Identities: ``plugins/apiposture_opal_identities.py`` signs a ``client`` and a
``datasource`` token with the server's own signer, as ``POST /token`` returns them to the
master token's holder. The project links ``opal_common`` beside ``opal_server``, as in
OPAL's repository: the authenticators are there.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

KEYS = """
import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
private = key.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
)
public = key.public_key().public_bytes(
    serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
)
open(sys.argv[1], "wb").write(private)
open(sys.argv[1] + ".pub", "wb").write(public)
"""


def make_keys(state: Path, env: dict[str, str], python: Path) -> None:
    subprocess.run([str(python), "-c", KEYS, str(state / "opal_key")], check=True)


SPEC = RunSpec(
    name="opal",
    venv="opal",
    requirement="opal-server",
    # opal_server.git_fetcher imports aiofiles, which opal-server 0.9.9 does not declare
    extra_requirements=("aiofiles",),
    package="opal_server",
    # one repository (packages/opal-server, packages/opal-common): the authenticators and
    # require_peer_type are opal_common's
    extra_packages=("opal_common",),
    target="opal_server.main:app",
    env={
        "HOME": "{state}",
        "OPAL_AUTH_PRIVATE_KEY": "{state}/opal_key",
        "OPAL_AUTH_PUBLIC_KEY": "{state}/opal_key.pub",
        "OPAL_AUTH_MASTER_TOKEN": "realworld-opal-master-token-0123456789",
        "OPAL_REPO_WATCHER_ENABLED": "false",
        "OPAL_SCOPES": "false",
        "OPAL_STATISTICS_ENABLED": "false",
    },
    identities_plugin="apiposture_opal_identities",
    prepare=make_keys,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
