"""Engine, per-request sessions, and the seed data.

The database is the SQLite file named by ``SAFESHOP_DB``, or a fresh temporary file
per process, so parallel test processes never share one.
"""

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from typing import Annotated

from fastapi import Depends
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from .models import Base, Order, Product, Review, User
from .passwords import hash_password

# Known passwords of the seeded accounts (documented in the README; for local use only).
SEED_USERS = (
    ("alice", "wonderland", "Alice Liddell", "customer", False),
    ("bob", "builder", "Bob Builder", "customer", False),
    ("root", "hunter2", "Shop Operator", "admin", True),
)
SEED_PRODUCTS = (
    ("Trail Running Shoes", "footwear", "Stride", 89.0, 40),
    ("Rain Shell Jacket", "outerwear", "Northline", 129.0, 15),
    ("Merino Socks 3-pack", "footwear", "Stride", 24.5, 200),
    ("Insulated Bottle", "accessories", "Hydra", 32.0, 75),
)


def _database_path() -> str:
    configured = os.environ.get("SAFESHOP_DB")
    if configured:
        return configured
    directory = tempfile.mkdtemp(prefix="safeshop-")
    atexit.register(shutil.rmtree, directory, True)
    return os.path.join(directory, "shop.db")


DATABASE_PATH = _database_path()
engine = create_engine(f"sqlite:///{DATABASE_PATH}", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(engine, expire_on_commit=False)


def get_session() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@cache
def _seed_hash(password: str) -> str:
    # Hashing is deliberately slow; reseeding between tests reuses one hash per password.
    return hash_password(password)


def _seed(session: Session) -> None:
    users = [
        User(username=name, email=f"{name}@shop.example", full_name=full_name,
             hashed_password=_seed_hash(password), role=role, is_admin=is_admin)
        for name, password, full_name, role, is_admin in SEED_USERS
    ]
    products = [
        Product(name=name, category=category, brand=brand, price=price, stock=stock)
        for name, category, brand, price, stock in SEED_PRODUCTS
    ]
    session.add_all([*users, *products])
    session.flush()
    alice, bob = users[0], users[1]
    session.add_all([
        Order(owner_id=alice.id, product_id=products[0].id, quantity=1, total=products[0].price),
        Order(owner_id=bob.id, product_id=products[1].id, quantity=2, total=2 * products[1].price),
        Review(product_id=products[0].id, author_id=bob.id, rating=5, comment="Great grip."),
    ])
    session.commit()


def init_db() -> None:
    """Create the tables and seed them if the database is empty."""
    Base.metadata.create_all(engine)
    with SessionLocal() as session:
        if session.scalar(select(User.id).limit(1)) is None:
            _seed(session)


def reset() -> None:
    """Drop everything, recreate the tables and reseed (test isolation)."""
    Base.metadata.drop_all(engine)
    init_db()
