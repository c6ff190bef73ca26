"""Whether the object a lookup fetches can belong to anyone: its model's declared fields.

``Role.query.get(role_id)`` on a model of ``id``, ``name``, ``description`` and
``permissions`` fetches a shared record: no column can tie it to a user, a tenant or a
team, so no caller can own it and BOLA does not apply (who may manage roles at all is
function-level: APS5xx). A model with any such column (``owner_id``, ``user_id``,
``created_by``, ``tenant_id``, ``team``), or the users' own table (a password field, a
class named for accounts), keeps the finding. A lookup whose model the code does not show
(a library's class, a store without a class) is judged as before.
"""

from __future__ import annotations

import ast
import re

from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import dotted
from ._models import attributes, class_of_name, is_orm_class

__all__ = ["ownerless_lookup"]

# a column that can tie a record to a caller or to a group of callers
_OWNER_FIELD = re.compile(
    r"owner|user|author|creat|tenant|account|org|team|group|member|workspace|project|"
    r"customer|client|person|profile|_by$",
    re.IGNORECASE,
)
# the callers' own records: a user is the owner of their row
_IDENTITY_MODEL = re.compile(r"user|account|member|customer|person|profile", re.IGNORECASE)
_SECRET_FIELD = re.compile(r"password|passwd|secret|hash", re.IGNORECASE)


def ownerless_lookup(index: SourceIndex, fs: FunctionSource, access: ast.Call) -> bool:
    """``access`` fetches a record of a project ORM model (``Model.query.get(id)``,
    ``db.get(Model, id)``, ``Model.objects.get(id=...)``, or a call on such a lookup) that
    declares no column an owner could be held in, and is not the users' own table."""
    name = _model_name(access)
    inner = access.args[0] if access.args else None
    if not name and isinstance(inner, ast.Call):
        return ownerless_lookup(index, fs, inner)  # ``db.delete(Role.query.get(role_id))``
    if isinstance(inner, ast.Name) and not _class_named(index, fs, name):
        # ``r = Role.query.get(rid)`` ... ``db.session.delete(r)``
        values = fs.assignments.get(inner.id, [])
        return bool(values) and all(
            isinstance(v, ast.Call) and ownerless_lookup(index, fs, v) for v in values
        )
    cls = class_of_name(index, fs.module, name)
    if cls is None or not is_orm_class(index, cls):
        return False
    fields = [a.name for a in attributes(index, cls)]
    if _IDENTITY_MODEL.search(cls.node.name) or any(_SECRET_FIELD.search(f) for f in fields):
        return False
    return not any(_OWNER_FIELD.search(f) for f in fields)


def _class_named(index: SourceIndex, fs: FunctionSource, name: str) -> bool:
    return class_of_name(index, fs.module, name) is not None


def _model_name(call: ast.Call) -> str:
    """``Role`` of ``Role.query.get(...)`` / ``Role.objects.get(...)``; of
    ``db.get(Role, id)`` / ``session.get(Role, id)``: the first argument (the class
    resolved decides)."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and func.value.attr in ("query", "objects")
    ):
        return dotted(func.value.value)
    return dotted(call.args[0]) if call.args else ""
