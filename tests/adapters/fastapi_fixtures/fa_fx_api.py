"""Includes the items router and attaches its authentication here, not in its module."""

from __future__ import annotations

from fa_fx_items import router as items_router
from fa_fx_security import get_current_user
from fastapi import APIRouter, Depends

api_router = APIRouter(prefix="/api")
api_router.include_router(items_router, dependencies=[Depends(get_current_user)])
