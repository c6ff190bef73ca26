"""Read-only catalogue facets, one listing per facet, registered in a loop."""

from collections.abc import Callable

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from ..db import SessionDep
from ..models import Product

router = APIRouter(prefix="/catalogue", tags=["catalogue"])

FACETS: dict[str, InstrumentedAttribute[str]] = {
    "categories": Product.category,
    "brands": Product.brand,
}


def _facet_lister(column: InstrumentedAttribute[str]) -> Callable[[SessionDep], list[str]]:
    def list_facet(session: SessionDep) -> list[str]:
        return list(session.scalars(select(column).distinct().order_by(column)))

    return list_facet


for facet, column in FACETS.items():
    router.add_api_route(
        f"/{facet}",
        _facet_lister(column),
        methods=["GET"],
        response_model=list[str],
        name=f"list_{facet}",
        summary=f"List product {facet}",
    )
