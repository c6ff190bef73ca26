"""The product catalogue, reviews, and product images."""

import httpx
from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from ..config import IMAGE_FETCH_TIMEOUT_SECONDS
from ..db import SessionDep
from ..models import Product, Review
from ..schemas import ImageSource, ProductCreate, ProductOut, ReviewCreate, ReviewOut
from ..security import AdminUser, OptionalUser

router = APIRouter(prefix="/products", tags=["products"])


def _product_or_404(session: SessionDep, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="Product not found")
    return product


@router.get("", response_model=list[ProductOut])
def list_products(session: SessionDep, limit: int = 100, offset: int = 0) -> list[Product]:  # expect: APS401
    query = select(Product).order_by(Product.id).offset(offset).limit(limit)
    return list(session.scalars(query))


@router.get("/{product_id}", response_model=ProductOut)
def read_product(product_id: int, session: SessionDep) -> Product:  # ok: APS101
    return _product_or_404(session, product_id)


@router.post("", response_model=ProductOut, status_code=201)
def create_product(body: ProductCreate, session: SessionDep) -> Product:  # expect: APS201
    product = Product(**body.model_dump())  # expect: APS304
    session.add(product)
    session.commit()
    return product


@router.post("/{product_id}/reviews", response_model=ReviewOut, status_code=201)
def add_review(product_id: int, body: ReviewCreate, user: OptionalUser, session: SessionDep) -> ReviewOut:  # expect: APS202  # ok: APS101
    product = _product_or_404(session, product_id)
    review = Review(product_id=product.id, author_id=user.id if user else None,
                    rating=body.rating, comment=body.comment)
    session.add(review)
    session.commit()
    return ReviewOut(id=review.id, product_id=product.id, author=user.username if user else "anonymous",
                     rating=review.rating, comment=review.comment)


@router.post("/{product_id}/image-from-url", response_model=ProductOut)
def image_from_url(product_id: int, body: ImageSource, admin: AdminUser, session: SessionDep) -> Product:  # expect: APS701  # ok: APS101
    product = _product_or_404(session, product_id)
    response = httpx.get(body.url, timeout=IMAGE_FETCH_TIMEOUT_SECONDS, follow_redirects=True)
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith("image/"):
        raise HTTPException(status_code=422, detail=f"Not an image: {response.status_code}")
    product.image_url = body.url
    session.commit()
    return product
