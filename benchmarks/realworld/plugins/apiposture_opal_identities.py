"""Identities for the OPAL run: JWTs signed with the server's own configured key.

Loaded with ``pytest -p apiposture_opal_identities``. A ``JWTSigner`` built from the same
settings as ``OpalServer`` builds its own (``OPAL_AUTH_PRIVATE_KEY`` and friends) signs one
token per peer type with the claims ``POST /token`` puts in it (``peer_type``), exactly
as the server answers a holder of the master token; nothing leaves the process.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any


def pytest_apiposture_identities(config: Any) -> dict[str, dict[str, str]]:
    from pytest_apiposture.plugin import analysis_of

    if analysis_of(config).loaded is None:  # the app did not load: no identities to mint
        return {}
    from opal_common.authentication.signer import JWTSigner
    from opal_common.config import opal_common_config
    from opal_server.config import opal_server_config

    signer = JWTSigner(
        private_key=opal_server_config.AUTH_PRIVATE_KEY,
        public_key=opal_common_config.AUTH_PUBLIC_KEY,
        algorithm=opal_common_config.AUTH_JWT_ALGORITHM,
        audience=opal_common_config.AUTH_JWT_AUDIENCE,
        issuer=opal_common_config.AUTH_JWT_ISSUER,
    )
    identities = {}
    for peer in ("client", "datasource"):
        token = signer.sign(
            sub=uuid.uuid5(uuid.NAMESPACE_URL, f"realworld-opal-{peer}"),  # POST /token's id
            token_lifetime=timedelta(days=1),
            custom_claims={"peer_type": peer},
        )
        identities[peer] = {"Authorization": f"Bearer {token}"}
    return identities
