"""The ``api`` blueprint: sign-in, the caller's account, notes and projects."""

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import jwt
from flask import Blueprint, Response, abort, g, jsonify, request
from flask.views import MethodView
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from .admin import admin
from .auth import bearer_token, create_token, signing_key, token_required, user_named
from .config import JWT_ALGORITHM, REFRESH_GRACE
from .db import get_db
from .models import Note, Project

api = Blueprint("api", __name__)


@api.post("/auth/token")
def login() -> Response:
    data = request.get_json(silent=True) or {}
    user = user_named(data.get("username", ""))
    if user is None or not check_password_hash(user.password_hash, str(data.get("password", ""))):
        abort(401, description="Incorrect username or password")
    return jsonify(access_token=create_token(user.username), token_type="bearer")


@api.post("/auth/refresh")
def refresh_token() -> Response:
    token = bearer_token()
    if token is None:
        abort(401, description="Send the token to refresh as a bearer token")
    try:
        # Expired tokens stay refreshable for a while: check the signature, not the expiry...
        claims = jwt.decode(token, signing_key(), algorithms=[JWT_ALGORITHM], options={"verify_exp": False, "require": ["exp", "sub"]})  # ok: APS803
    except jwt.PyJWTError:
        abort(401, description="Invalid token")
    # ...then apply our own, longer, limit.
    expired_at = datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
    if datetime.now(timezone.utc) - expired_at > REFRESH_GRACE:
        abort(401, description="Token too old to refresh; sign in again")
    user = user_named(claims.get("sub"))
    if user is None:
        abort(401, description="Unknown user")
    return jsonify(access_token=create_token(user.username), token_type="bearer")


@api.get("/users/me")
@token_required
def read_me() -> Response:
    return jsonify(g.user.to_dict())  # ok: APS302


@api.get("/notes")
@token_required
def list_notes() -> Response:
    notes = get_db().scalars(select(Note).where(Note.owner_id == g.user.id).order_by(Note.id))
    return jsonify([note.to_dict() for note in notes])  # ok: APS302


@api.post("/notes")
@token_required
def create_note() -> tuple[Response, int]:
    data = request.get_json(silent=True) or {}
    title = str(data.get("title", "")).strip()
    if not title:
        abort(400, description="A note needs a title")
    db = get_db()
    project_id = data.get("project_id")
    if project_id is not None:
        owned = select(Project.id).where(Project.id == project_id, Project.owner_id == g.user.id)
        if not isinstance(project_id, int) or db.scalar(owned) is None:
            abort(404, description="No such project")
    note = Note(title=title[:200], body=str(data.get("body", "")), pinned=bool(data.get("pinned")),
                owner_id=g.user.id, project_id=project_id)
    db.add(note)
    db.commit()
    return jsonify(note.to_dict()), 201


class NoteAPI(MethodView):
    decorators = [token_required]

    @staticmethod
    def _own_note(note_id: int) -> Note:
        note = get_db().scalar(select(Note).where(Note.id == note_id, Note.owner_id == g.user.id))
        if note is None:
            abort(404, description="No such note")
        return note

    def get(self, note_id: int) -> Response:  # ok: APS101
        return jsonify(self._own_note(note_id).to_dict())  # ok: APS302

    def put(self, note_id: int) -> Response:  # ok: APS101
        note = self._own_note(note_id)
        data = request.get_json(silent=True) or {}
        note.title = str(data.get("title", note.title))[:200]
        note.body = str(data.get("body", note.body))
        note.pinned = bool(data.get("pinned", note.pinned))
        get_db().commit()
        return jsonify(note.to_dict())

    def delete(self, note_id: int) -> tuple[str, int]:  # ok: APS101
        note = self._own_note(note_id)
        db = get_db()
        db.delete(note)
        db.commit()
        return "", 204


api.add_url_rule("/notes/<int:note_id>", view_func=NoteAPI.as_view("note"))


def _owned_counter(model: type[Note] | type[Project]) -> Callable[[], Response]:
    def count_owned() -> Response:
        query = select(func.count()).select_from(model).where(model.owner_id == g.user.id)
        return jsonify(count=get_db().scalar(query) or 0)

    return count_owned


for resource, model in (("notes", Note), ("projects", Project)):
    api.add_url_rule(f"/{resource}/count", endpoint=f"count_{resource}",
                     view_func=token_required(_owned_counter(model)))


@api.get("/projects")
@token_required
def list_projects() -> Response:
    projects = get_db().scalars(select(Project).where(Project.owner_id == g.user.id))
    return jsonify([project.to_dict() for project in projects])  # ok: APS302


@api.post("/projects")
@token_required
def create_project() -> tuple[Response, int]:
    data = request.get_json(silent=True) or {}
    name = str(data.get("name", "")).strip()
    if not name:
        abort(400, description="A project needs a name")
    project = Project(name=name[:120], owner_id=g.user.id)
    db = get_db()
    db.add(project)
    db.commit()
    return jsonify(project.to_dict()), 201


@api.get("/projects/<int:project_id>")
@token_required
def read_project(project_id: int) -> Response:  # ok: APS101
    db = get_db()
    project = db.scalar(select(Project).where(Project.id == project_id, Project.owner_id == g.user.id))
    if project is None:
        abort(404, description="No such project")
    notes = db.scalars(select(Note).where(Note.project_id == project.id).order_by(Note.id))
    body: dict[str, Any] = project.to_dict() | {"notes": [note.to_dict() for note in notes]}
    return jsonify(body)


api.register_blueprint(admin, url_prefix="/admin")
