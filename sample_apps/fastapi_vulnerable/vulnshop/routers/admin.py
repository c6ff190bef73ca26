"""Back-office operations."""

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy import func, select

from ..db import SessionDep
from ..models import Order, Product, User
from ..schemas import Stats
from ..security import AdminUser, CurrentUser

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/stats", response_model=Stats)
def shop_stats(admin: AdminUser, session: SessionDep) -> Stats:  # ok: APS501
    return Stats(
        users=session.scalar(select(func.count(User.id))) or 0,
        products=session.scalar(select(func.count(Product.id))) or 0,
        orders=session.scalar(select(func.count(Order.id))) or 0,
        revenue=session.scalar(select(func.coalesce(func.sum(Order.total), 0.0))) or 0.0,
    )


@router.delete("/users/{user_id}", status_code=204)
def delete_user(user_id: int, user: CurrentUser, session: SessionDep) -> Response:  # expect: APS501  # ok: APS101
    doomed = session.get(User, user_id)
    if doomed is None:
        raise HTTPException(status_code=404, detail="User not found")
    session.delete(doomed)
    session.commit()
    return Response(status_code=204)
