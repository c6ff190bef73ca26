"""End-to-end helpers: a small real FastAPI project written into a pytester dir."""

from __future__ import annotations

import re
import textwrap

import pytest

SHOP = {
    "e2e_shop/__init__.py": "",
    "e2e_shop/deps.py": """
        from fastapi import Depends, HTTPException
        from fastapi.security import OAuth2PasswordBearer

        oauth2 = OAuth2PasswordBearer(tokenUrl="token")


        def get_current_user(token: str = Depends(oauth2)) -> dict[str, str]:
            if token != "alice-token":
                raise HTTPException(status_code=401, detail="bad token")
            return {"name": "alice"}
    """,
    "e2e_shop/orders.py": """
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/orders")
        def list_orders() -> list[dict[str, int]]:
            return [{"id": 1}]
    """,
    "e2e_shop/main.py": """
        from fastapi import Depends, FastAPI
        from pydantic import BaseModel

        from . import orders
        from .deps import get_current_user

        app = FastAPI()
        # auth for the orders router is attached here, in another module than the router
        app.include_router(orders.router, dependencies=[Depends(get_current_user)])


        class ItemIn(BaseModel):
            name: str


        @app.get("/health")
        def health() -> dict[str, str]:
            return {"status": "ok"}


        @app.post("/items")
        def create_item(item: ItemIn) -> dict[str, str]:
            return {"name": item.name}


        @app.get("/items")
        def list_items(user: dict[str, str] = Depends(get_current_user)) -> list[str]:
            return []
    """,
}

FAILED = re.compile(r"^FAILED (\S+::.+?)(?: - |$)")


def write_project(pytester: pytest.Pytester, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def failed_ids(result: pytest.RunResult) -> set[str]:
    return {m.group(1) for line in result.outlines if (m := FAILED.match(line))}
