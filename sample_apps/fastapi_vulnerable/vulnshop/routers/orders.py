"""Orders of the signed-in customer.

No dependencies here: main.py includes this router with
``dependencies=[Depends(get_current_user)]``, so every route below needs a token.
"""

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from ..db import SessionDep
from ..models import Order, Product
from ..schemas import OrderCreate, OrderOut, ShippingOption
from ..security import CurrentUser

router = APIRouter()

SHIPPING_OPTIONS = (
    ShippingOption(code="standard", label="Standard (3-5 days)", price=4.9),
    ShippingOption(code="express", label="Express (next day)", price=12.5),
)


@router.get("", response_model=list[OrderOut])
def list_my_orders(user: CurrentUser, session: SessionDep) -> list[Order]:
    return list(session.scalars(select(Order).where(Order.owner_id == user.id).order_by(Order.id)))


@router.post("", response_model=OrderOut, status_code=201)
def place_order(body: OrderCreate, user: CurrentUser, session: SessionDep) -> Order:
    product = session.get(Product, body.product_id)
    if product is None or product.stock < body.quantity:
        raise HTTPException(status_code=409, detail="Product unavailable")
    product.stock -= body.quantity
    order = Order(owner_id=user.id, product_id=product.id, quantity=body.quantity,
                  total=round(product.price * body.quantity, 2))
    session.add(order)
    session.commit()
    return order


@router.get("/shipping-options", response_model=list[ShippingOption])
def list_shipping_options() -> tuple[ShippingOption, ...]:  # ok: APS201
    return SHIPPING_OPTIONS


@router.get("/{order_id}", response_model=OrderOut)
def read_order(order_id: int, session: SessionDep) -> Order:  # expect: APS101  # ok: APS201
    order = session.get(Order, order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    return order


@router.post("/{order_id}/cancel", response_model=OrderOut)
def cancel_order(order_id: int, user: CurrentUser, session: SessionDep) -> Order:  # ok: APS101
    order = session.scalar(select(Order).where(Order.id == order_id, Order.owner_id == user.id))
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    order.status = "cancelled"
    session.commit()
    return order
