"""Operation functions the connexion spec names by operationId."""

from __future__ import annotations

from typing import Any

from fl_fx_guards import token_required


def list_pets(limit: int = 10) -> list[dict[str, Any]]:  # mark: list_pets
    return [{"id": 1, "name": "rex"}][:limit]


def get_pet(pet_id: int) -> dict[str, Any]:  # mark: get_pet
    return {"id": pet_id, "name": "rex"}


@token_required
def delete_pet(pet_id: int) -> tuple[str, int]:  # mark: delete_pet
    return "", 204


def verify_token(token: str) -> dict[str, Any] | None:  # mark: verify_token
    return {"sub": "alice"} if token == "t1" else None
