"""Generate a large synthetic FastAPI + Flask project for the static-pass benchmark.

    python benchmarks/static/generate.py OUTDIR [--modules 150] [--routes-per-module 20]

Writes the package ``benchproj`` under OUTDIR: shared ORM models, pydantic schemas and
auth helpers, ``--modules`` router/blueprint modules (two thirds FastAPI, one third
Flask) with handlers of the shapes the rules look at (owner checks, bulk writes, list
limits, outbound calls, to_dict returns), and two apps: ``benchproj.fastapi_app:app``
and ``benchproj.flask_app:app``. Deterministic: the same arguments give the same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

MODELS = '''"""ORM tables."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)

    def to_dict(self) -> dict:
        return {{"id": self.id, "username": self.username}}

{items}
'''

ITEM_MODEL = """
class Item{n}(Base):
    __tablename__ = "items{n}"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(String(400), default="")

    def to_dict(self) -> dict:
        return {{"id": self.id, "name": self.name, "note": self.note}}
"""

SCHEMAS = '''"""Request and response bodies."""
from pydantic import BaseModel, ConfigDict, Field

{items}
'''

ITEM_SCHEMA = """
class Item{n}In(BaseModel):
    name: str = Field(max_length=80)
    note: str = ""


class Item{n}Update(BaseModel):
    name: str | None = None
    note: str | None = None
    owner_id: int | None = None


class Item{n}Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    note: str
"""

SECURITY = '''"""Auth dependencies (FastAPI) and decorators (Flask)."""
import functools
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from flask import abort, g, request

from .models import User

SECRET = __import__("os").environ.get("BENCH_SECRET", "")
oauth2 = OAuth2PasswordBearer(tokenUrl="token")
optional_oauth2 = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


def _user(token: str | None) -> User | None:
    if not token:
        return None
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    return User(id=int(claims["sub"]), username=claims["name"])


def get_db():
    yield None


def get_current_user(token: Annotated[str, Depends(oauth2)]) -> User:
    user = _user(token)
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED)
    return user


def get_optional_user(token: Annotated[str | None, Depends(optional_oauth2)]) -> User | None:
    return _user(token) if token else None


def require_admin(user: Annotated[User, Depends(get_current_user)]) -> User:
    if not user.is_admin:
        raise HTTPException(status_code=403)
    return user


def pagination(offset: int = 0, size: int = 20) -> tuple[int, int]:
    return offset, min(size, 100)


CurrentUser = Annotated[User, Depends(get_current_user)]
AdminUser = Annotated[User, Depends(require_admin)]


def token_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        user = _user(request.headers.get("Authorization", "")[7:])
        if user is None:
            abort(401)
        g.user = user
        return view(*args, **kwargs)

    return wrapper
'''

FASTAPI_HEAD = '''"""Generated FastAPI router {m}."""
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, HTTPException, Query

from ..models import {models}
from ..schemas import {schemas}
from ..security import AdminUser, CurrentUser, get_db, get_optional_user, pagination

router = APIRouter(prefix="/m{m}", tags=["m{m}"])
'''

FASTAPI_ROUTE = """

@router.get("/items{n}", response_model=list[Item{k}Out])
def list_items{n}(user: CurrentUser, db=Depends(get_db), limit: int = Query(50, le=200)):
    rows = db.query(Item{k}).filter(Item{k}.owner_id == user.id).limit(limit).all()
    return rows


@router.get("/items{n}/{{item_id}}", response_model=Item{k}Out)
def read_item{n}(item_id: int, user: CurrentUser, db=Depends(get_db)):
    item = db.get(Item{k}, item_id)
    if item is None or item.owner_id != user.id:
        raise HTTPException(status_code=404)
    return item


@router.post("/items{n}", response_model=Item{k}Out, status_code=201)
def create_item{n}(body: Item{k}In, user: CurrentUser, db=Depends(get_db)):
    item = Item{k}(**body.model_dump(), owner_id=user.id)
    db.add(item)
    db.commit()
    return item


@router.patch("/items{n}/{{item_id}}", response_model=Item{k}Out)
def update_item{n}(item_id: int, body: Item{k}Update, user: CurrentUser, db=Depends(get_db)):
    item = db.get(Item{k}, item_id)
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(item, key, value)
    db.commit()
    return item


@router.get("/public{n}")
def public_listing{n}(page: tuple[int, int] = Depends(pagination), user=Depends(get_optional_user)):
    offset, size = page
    return {{"offset": offset, "size": size, "viewer": getattr(user, "id", None)}}


@router.post("/fetch{n}")
def fetch_remote{n}(url: str, admin: AdminUser):
    response = httpx.get(url, timeout=5)
    return {{"status": response.status_code}}
"""

FLASK_HEAD = '''"""Generated Flask blueprint {m}."""
import requests
from flask import Blueprint, abort, g, jsonify, request

from ..models import {models}
from ..security import token_required

bp = Blueprint("m{m}", __name__, url_prefix="/f{m}")
'''

FLASK_ROUTE = """

@bp.get("/items{n}")
@token_required
def list_items{n}():
    limit = min(request.args.get("limit", 20, type=int), 100)
    rows = Item{k}.query.filter_by(owner_id=g.user.id).limit(limit).all()
    return jsonify([row.to_dict() for row in rows])


@bp.get("/items{n}/<int:item_id>")
@token_required
def read_item{n}(item_id):
    item = Item{k}.query.get_or_404(item_id)
    if item.owner_id != g.user.id:
        abort(404)
    return jsonify(item.to_dict())


@bp.post("/items{n}")
@token_required
def create_item{n}():
    data = request.get_json()
    item = Item{k}(**data)
    return jsonify(item.to_dict()), 201


@bp.get("/me{n}")
@token_required
def me{n}():
    return jsonify(g.user.to_dict())


@bp.post("/proxy{n}")
def proxy{n}():
    target = request.args.get("url", "")
    return jsonify(requests.get(target, timeout=5).json())
"""


def generate(out: Path, modules: int, routes_per_module: int) -> Path:
    """Write the project; returns the package directory."""
    package = out / "benchproj"
    (package / "routers").mkdir(parents=True, exist_ok=True)
    kinds = 60  # distinct item models, shared by the modules
    (package / "__init__.py").write_text('"""Synthetic project for the static benchmark."""\n')
    (package / "routers" / "__init__.py").write_text("")
    (package / "models.py").write_text(
        MODELS.format(items="".join(ITEM_MODEL.format(n=k) for k in range(kinds)))
    )
    (package / "schemas.py").write_text(
        SCHEMAS.format(items="".join(ITEM_SCHEMA.format(n=k) for k in range(kinds)))
    )
    (package / "security.py").write_text(SECURITY)
    fastapi_modules, flask_modules = [], []
    for m in range(modules):
        groups = max(1, routes_per_module // (6 if m % 3 else 5))
        ks = [(m * 7 + j) % kinds for j in range(groups)]
        model_names = ", ".join(sorted({f"Item{k}" for k in ks}))
        if m % 3:
            schema_names = ", ".join(
                sorted({f"Item{k}{s}" for k in ks for s in ("In", "Update", "Out")})
            )
            body = FASTAPI_HEAD.format(m=m, models=model_names, schemas=schema_names)
            body += "".join(FASTAPI_ROUTE.format(n=j, k=k) for j, k in enumerate(ks))
            fastapi_modules.append(f"r{m:03d}")
        else:
            body = FLASK_HEAD.format(m=m, models=model_names)
            body += "".join(FLASK_ROUTE.format(n=j, k=k) for j, k in enumerate(ks))
            flask_modules.append(f"r{m:03d}")
        (package / "routers" / f"r{m:03d}.py").write_text(body)
    imports = "\n".join(f"from .routers import {name}" for name in fastapi_modules)
    includes = "\n".join(f"app.include_router({name}.router)" for name in fastapi_modules)
    (package / "fastapi_app.py").write_text(
        f'"""The FastAPI app."""\nfrom fastapi import FastAPI\n\n{imports}\n\n'
        f'app = FastAPI(title="bench")\n{includes}\n'
    )
    imports = "\n".join(f"from .routers import {name}" for name in flask_modules)
    registers = "\n".join(f"app.register_blueprint({name}.bp)" for name in flask_modules)
    (package / "flask_app.py").write_text(
        f'"""The Flask app."""\nfrom flask import Flask\n\n{imports}\n\n'
        f"app = Flask(__name__)\n{registers}\n"
    )
    return package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--modules", type=int, default=150)
    parser.add_argument("--routes-per-module", type=int, default=20)
    args = parser.parse_args()
    package = generate(args.out, args.modules, args.routes_per_module)
    print(package)


if __name__ == "__main__":
    main()
