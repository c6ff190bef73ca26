"""Back-office blueprint; nested under ``api`` at ``/admin``. Every route needs an admin."""

from flask import Blueprint, Response, abort, g, jsonify
from sqlalchemy import select

from .auth import user_from_request
from .db import get_db
from .models import User

admin = Blueprint("admin", __name__)


@admin.before_request
def require_admin() -> None:
    user = user_from_request()
    if user is None:
        abort(401, description="A valid bearer token is required")
    if not user.is_admin:
        abort(403, description="Admin rights required")
    g.user = user


@admin.get("/users")
def list_users() -> Response:  # ok: APS201, APS501
    users = get_db().scalars(select(User).order_by(User.id))
    return jsonify([user.to_summary() for user in users])


@admin.delete("/users/<int:user_id>")
def delete_user(user_id: int) -> tuple[str, int]:  # ok: APS201, APS501, APS101
    db = get_db()
    user = db.get(User, user_id)
    if user is None:
        abort(404, description="No such user")
    db.delete(user)
    db.commit()
    return "", 204
