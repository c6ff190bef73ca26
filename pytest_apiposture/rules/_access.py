"""Object-level checks that are not a comparison with the caller (APS101).

Two shapes decide access to the object an id names without an ``==`` in sight:

- a permission call on the object and an action: ``verify_permission_for_model(run,
  action=Action.READ)``, ``check_access(doc, "write")``, in the handler or in a project
  function it hands the id to (``verify_permissions_and_get_entity(id=run_id, ...)``
  fetching then verifying), three calls deep. Once one is found the id is checked, so
  what the permission code does next (``(permissions or {}).get(resource)``, a map of
  permissions) is no longer read as a fetch of the object;
- an owner filter in SQL: a query written in the code with a ``WHERE`` clause that
  takes the caller's identity as a bound value (``fetchone("SELECT * FROM assets WHERE
  id = :asset_id AND user_id = :user_id", {"asset_id": asset_id, "user_id": user_id})``
  in a data-access function the handler hands the caller to). An identity handed to a
  helper that never puts it into a query or a comparison checks nothing.

A permission call without an action (``verify_permission(item)``), on something the id
does not reach (``verify_permission(resource_type="item", action=READ)``: a type, not
the object), or named without a checking verb (``log_access(item, action=...)``) is
not a check.
"""

from __future__ import annotations

import ast
import re

from ..knowledge import (
    ACCESS_CHECK_NOUNS,
    ACCESS_CHECK_VERBS,
    ACTION_KEYWORDS,
    ACTION_WORDS,
)
from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name
from ._calls import Hit, reach
from ._dataflow import derives, is_identity, tainted_names

_WHERE = re.compile(r"\bwhere\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def name_words(name: str) -> list[str]:
    """``verify_permission_for_model`` -> verify, permission, for, model; camelCase too."""
    return [w.lower() for w in _WORD.findall(name)]


def is_access_check_name(name: str) -> bool:
    words = name_words(name)
    return any(w in ACCESS_CHECK_VERBS for w in words) and any(
        ACCESS_CHECK_NOUNS.match(w) for w in words
    )


def _names_action(node: ast.expr) -> bool:
    """``Action.READ``, ``Permission.write``, ``"update"``."""
    if isinstance(node, ast.Attribute):
        return bool(ACTION_WORDS.match(node.attr))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(ACTION_WORDS.match(node.value))
    return False


def _takes_action(call: ast.Call) -> bool:
    if any(k.arg in ACTION_KEYWORDS for k in call.keywords if k.arg is not None):
        return True
    return any(_names_action(a) for a in [*call.args, *(k.value for k in call.keywords)])


def permission_check_in(
    index: SourceIndex, fs: FunctionSource, seeds: frozenset[str]
) -> Hit | None:
    """A permission call in ``fs`` on a value the seeds reach, with an action."""
    if fs.is_lambda or not seeds:
        return None
    tainted = tainted_names(fs, set(seeds))
    for call in fs.of(ast.Call):
        if not is_access_check_name(call_name(call)) or not _takes_action(call):
            continue
        arguments = [*call.args, *(k.value for k in call.keywords)]
        if any(derives(a, tainted) for a in arguments if not _names_action(a)):
            return Hit(fs.path, call.lineno, call_name(call))
    return None


def _id_taint(fs: FunctionSource, seeds: frozenset[str]) -> set[str]:
    return tainted_names(fs, set(seeds)) if seeds else set()


def _has_seeds(callee: FunctionSource, seeds: frozenset[str]) -> bool:
    return bool(seeds)


def permission_checked(index: SourceIndex, handler: FunctionSource, param: str) -> bool:
    """The handler, or a project function the id reaches, asks a permission call about
    the object the id names."""
    hit = reach(
        index,
        handler,
        frozenset({param}),
        question="permission-check",
        local=permission_check_in,
        taint=_id_taint,
        follow=_has_seeds,
    )
    return hit is not None


def sql_owner_bound(fs: FunctionSource, identities: set[str]) -> bool:
    """A query with a ``WHERE`` clause written in the code that takes the caller's
    identity as a bound value: ``fetchone("SELECT ... WHERE id = :id AND user_id = :uid",
    {"id": asset_id, "uid": user_id})``; the SQL filters on the caller."""
    for call in fs.of(ast.Call):
        arguments = [*call.args, *(k.value for k in call.keywords)]
        if not any(_is_where_sql(a) for a in arguments):
            continue
        for argument in arguments:
            values: list[ast.expr] = [argument]
            if isinstance(argument, ast.Dict):
                values = list(argument.values)
            elif isinstance(argument, ast.Tuple | ast.List):
                values = list(argument.elts)
            if any(is_identity(v, identities) for v in values):
                return True
    return False


def _is_where_sql(node: ast.expr) -> bool:
    text = node.value if isinstance(node, ast.Constant) else None
    return isinstance(text, str) and _WHERE.search(text) is not None
