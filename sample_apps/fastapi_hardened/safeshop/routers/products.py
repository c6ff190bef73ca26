"""The product catalogue, reviews, and product images."""

from typing import Annotated
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select

from ..config import IMAGE_FETCH_TIMEOUT_SECONDS, IMAGE_HOSTS
from ..db import SessionDep
from ..models import Product, Review
from ..schemas import ImageSource, ProductCreate, ProductOut, ReviewCreate, ReviewOut
from ..security import AdminUser, CurrentUser

router = APIRouter(prefix="/products", tags=["products"])


def _product_or_404(session: SessionDep, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return product


def allowlisted_image_url(raw: str) -> str:
    """The URL if it is https on one of our image hosts; 400 otherwise."""
    parts = urlsplit(raw)
    try:
        port = parts.port
    except ValueError:
        port = -1
    approved = parts.scheme == "https" and parts.hostname in IMAGE_HOSTS and port in (None, 443)
    if not approved or parts.username or parts.password:
        raise HTTPException(status_code=400, detail="Images must come from an approved https host")
    return parts.geturl()


@router.get("", response_model=list[ProductOut])
def list_products(  # ok: APS401
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Product]:
    query = select(Product).order_by(Product.id).offset(offset).limit(limit)
    return list(session.scalars(query))


@router.get("/{product_id}", response_model=ProductOut)
def read_product(product_id: int, session: SessionDep) -> Product:  # ok: APS101
    return _product_or_404(session, product_id)


@router.post("", response_model=ProductOut, status_code=201)
def create_product(body: ProductCreate, admin: AdminUser, session: SessionDep) -> Product:  # ok: APS201
    product = Product(name=body.name, category=body.category, brand=body.brand,
                      price=body.price, stock=body.stock)
    session.add(product)
    session.commit()
    return product


@router.post("/{product_id}/reviews", response_model=ReviewOut, status_code=201)
def add_review(product_id: int, body: ReviewCreate, user: CurrentUser, session: SessionDep) -> ReviewOut:  # ok: APS202, APS101
    product = _product_or_404(session, product_id)
    review = Review(product_id=product.id, author_id=user.id, rating=body.rating, comment=body.comment)
    session.add(review)
    session.commit()
    return ReviewOut(id=review.id, product_id=product.id, author=user.username,
                     rating=review.rating, comment=review.comment)


@router.post("/{product_id}/image-from-url", response_model=ProductOut)
def image_from_url(product_id: int, body: ImageSource, admin: AdminUser, session: SessionDep) -> Product:  # ok: APS701, APS101
    product = _product_or_404(session, product_id)
    url = allowlisted_image_url(body.url)
    # No redirects: a redirect could leave the allowlisted hosts.
    response = httpx.get(url, timeout=IMAGE_FETCH_TIMEOUT_SECONDS, follow_redirects=False)
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith("image/"):
        raise HTTPException(status_code=422, detail=f"Not an image: {response.status_code}")
    product.image_url = url
    session.commit()
    return product
