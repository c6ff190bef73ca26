"""APIFlask generates its schema from the route decorators."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask, HTTPTokenAuth, Schema
from apiflask.fields import Integer, String

app = APIFlask(__name__, title="Pets", version="1.0")


class PetOut(Schema):
    id = Integer()
    name = String()


@app.get("/pets/<int:pet_id>")
@app.output(PetOut)
def get_pet(pet_id: int) -> dict[str, Any]:  # mark: get_pet
    return {"id": pet_id, "name": "rex"}


@app.get("/hidden")
@app.doc(hide=True)
def hidden() -> str:
    return "shadow"


auth = HTTPTokenAuth()


@app.delete("/pets/<int:pet_id>")
@app.auth_required(auth, roles=["admin"])
def delete_pet(pet_id: int) -> str:  # mark: delete_pet
    return ""
