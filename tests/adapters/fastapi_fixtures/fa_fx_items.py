"""A router with its own dependency; its auth is attached where it is included."""

from __future__ import annotations

from fa_fx_security import audit_log, get_current_user, get_db, require_x_token
from fastapi import APIRouter, Depends, Security
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/items", dependencies=[Depends(audit_log)])


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    tags: list[str] = []
    is_admin: bool = False
    owner: int | None = Field(default=None, alias="ownerId")


class ItemOut(BaseModel):
    id: int
    name: str
    secret: str | None = None


@router.get("/{item_id:int}", dependencies=[Depends(require_x_token)], response_model=ItemOut)
def read_item(item_id: int, q: str | None = None, db: str = Depends(get_db)) -> ItemOut:
    return ItemOut(id=item_id, name=q or db)


@router.post("/", response_model=list[ItemOut], status_code=201)
async def create_item(
    item: ItemIn, user: str = Security(get_current_user, scopes=["items:write"])
) -> list[ItemOut]:
    return [ItemOut(id=1, name=item.name)]


@router.get("/hidden", include_in_schema=False, deprecated=True)
def hidden_item() -> dict[str, bool]:
    return {"hidden": True}


for _kind in ("alpha", "beta"):
    # a route added in a loop over the router decorator: one handler object per kind
    @router.put(f"/kinds/{_kind}")
    def put_kind(kind: str = _kind) -> dict[str, str]:
        return {"kind": kind}
