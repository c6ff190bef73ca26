"""Identities for the Airflow run: JWTs minted by the app's own auth manager.

Loaded with ``pytest -p apiposture_airflow_identities``. The SimpleAuthManager that
``create_app`` initialised signs a token for its configured ``admin`` user (role admin),
exactly as ``POST /auth/token`` would after a login; nothing leaves the process.
"""

from __future__ import annotations

from typing import Any


def pytest_apiposture_identities(config: Any) -> dict[str, dict[str, str]]:
    from pytest_apiposture.plugin import analysis_of

    if analysis_of(config).loaded is None:  # the app did not load: no identities to mint
        return {}
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="admin", role="admin"))
    return {"admin": {"Authorization": f"Bearer {token}"}}
