"""Engines, the per-request session, and the seed data.

Unless ``DATABASE_URL`` is configured, every app in a process shares one SQLite file:
the one named by ``SAFENOTES_DB``, or a fresh temporary file per process.
"""

import atexit
import os
import shutil
import tempfile
from functools import cache
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool
from werkzeug.security import generate_password_hash

from .models import Base, Note, Project, User

ENGINE_KEY = "safenotes.engine"
# Known passwords of the seeded accounts (documented in the README; for local use only).
SEED_USERS = (("alice", "wonderland", False), ("bob", "builder", False), ("admin", "hunter2", True))


def _default_database_url() -> str:
    path = os.environ.get("SAFENOTES_DB")
    if not path:
        directory = tempfile.mkdtemp(prefix="safenotes-")
        atexit.register(shutil.rmtree, directory, True)
        path = os.path.join(directory, "notes.db")
    return f"sqlite:///{path}"


DEFAULT_DATABASE_URL = _default_database_url()


@cache
def engine_for(url: str) -> Engine:
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if ":memory:" in url:
        options["poolclass"] = StaticPool  # one shared connection, or each sees an empty db
    return create_engine(url, **options)


def get_db() -> Session:
    if "db" not in g:
        g.db = Session(current_app.extensions[ENGINE_KEY], expire_on_commit=False)
    session: Session = g.db
    return session


def _close_db(_error: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


@cache
def _seed_hash(password: str) -> str:
    # Hashing is deliberately slow; reseeding between tests reuses one hash per password.
    return generate_password_hash(password)


def _seed(session: Session) -> None:
    alice, bob, admin = users = [
        User(username=name, email=f"{name}@notes.example", password_hash=_seed_hash(password),
             is_admin=is_admin)
        for name, password, is_admin in SEED_USERS
    ]
    session.add_all(users)
    session.flush()
    thesis = Project(name="Thesis", owner_id=alice.id)
    garden = Project(name="Garden", owner_id=bob.id)
    session.add_all([thesis, garden])
    session.flush()
    session.add_all([
        Note(title="Chapter 1 outline", body="Intro, method, results.", owner_id=alice.id,
             project_id=thesis.id),
        Note(title="Door code", body="Shed door code is 4711.", owner_id=bob.id,
             project_id=garden.id),
        Note(title="Rotate backups", body="Every Friday.", owner_id=admin.id),
    ])
    session.commit()


def init_db(engine: Engine) -> None:
    """Create the tables and seed them if the database is empty."""
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        if session.scalar(select(User.id).limit(1)) is None:
            _seed(session)


def init_app(app: Flask) -> None:
    engine = engine_for(app.config["DATABASE_URL"])
    app.extensions[ENGINE_KEY] = engine
    app.teardown_appcontext(_close_db)
    init_db(engine)


def reset(database_url: str | None = None) -> None:
    """Drop everything, recreate the tables and reseed (test isolation)."""
    engine = engine_for(database_url or DEFAULT_DATABASE_URL)
    Base.metadata.drop_all(engine)
    init_db(engine)
