"""How routes relate: the listing of an object, its read route, its create route, the
caller's own record, admin routes; and where ids sit in a JSON response.

Path templates alone decide: ``GET /items`` lists what ``GET /items/{item_id}`` reads and
``POST /items`` creates. Nothing here sends a request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..knowledge import ADMIN_PATH_PATTERN, ID_PARAM_PATTERN
from ..model import Route

_LAST_PARAM = re.compile(r"/\{[^}]+\}/?$")
_ME = re.compile(
    r"(?:^|/)(?:me|myself|self|whoami|profile|account|current[_-]?user)(?:/[^{}]*)?$|(?:^|/)user/?$"
)
_PEOPLE = re.compile(r"^(?:user|account|profile|member|customer|person)$")
_ID_KEYS = ("id", "uuid", "pk", "_id", "slug", "key")
_LIST_KEYS = ("items", "data", "results", "objects", "records", "rows", "entries")


def is_id_param(name: str) -> bool:
    return re.search(ID_PARAM_PATTERN, name) is not None


def collection_path(path: str) -> str | None:
    """``/items/{item_id}`` -> ``/items``; None when the path does not end in a parameter."""
    if not _LAST_PARAM.search(path):
        return None
    return _LAST_PARAM.sub("", path) or "/"


def bare(path: str) -> str:
    """``/api/v1/items/`` -> ``/api/v1/items``: collections are matched without their
    trailing slash (``GET /items/`` lists what ``GET /items/{id}`` reads)."""
    return path.rstrip("/") or "/"


class RouteTable:
    """The HTTP routes, indexed once: probes look routes up per request, so no scans."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = [r for r in routes if r.kind == "http"]
        self._by = {(r.method, r.path): r for r in self.routes}
        for r in self.routes:  # ``/items`` finds ``/items/`` too (exact paths win)
            self._by.setdefault((r.method, bare(r.path)), r)
        self.by_key = {r.key: r for r in self.routes}
        self._children: dict[str, list[Route]] = {}
        for r in self.routes:
            parent = collection_path(r.path)
            if r.method == "GET" and parent is not None:
                self._children.setdefault(bare(parent), []).append(r)
        plain_gets = [r for r in self.routes if r.method == "GET" and not r.path_params]
        # GET routes that return the caller's own record (``/users/me``, ``/me/role``)
        self.me = [r for r in plain_gets if _ME.search(r.path)]
        self.admin = [r for r in plain_gets if re.search(ADMIN_PATH_PATTERN, r.path)]

    def get(self, method: str, path: str | None) -> Route | None:
        if path is None:
            return None
        return self._by.get((method, path)) or self._by.get((method, bare(path)))

    def children(self, path: str) -> list[Route]:
        """GET routes that read one member of the collection at ``path``."""
        return self._children.get(bare(path), [])


_SERVER_WIDE = re.compile(
    r"(?:^|/)(?:install|installation|setup|first[-_]?run|settings|config|configuration|"
    r"maintenance|site|instance)/?$",
    re.IGNORECASE,
)


def changes_server_state(route: Route) -> bool:
    """A write to the app's own configuration (first install, settings, maintenance):
    probed last, so its effect cannot blind the probes of every other route."""
    return route.method in ("POST", "PUT", "PATCH", "DELETE") and bool(
        _SERVER_WIDE.search(route.path)
    )


def server_state_last(routes: Sequence[Route]) -> list[Route]:
    """``routes`` in their order, the writes that change server-wide state moved last."""
    return sorted(routes, key=changes_server_state)


def listing_for(path: str, table: RouteTable) -> Route | None:
    """The GET route that lists the objects the last parameter of ``path`` names."""
    return table.get("GET", collection_path(path))


def create_for(path: str, table: RouteTable) -> Route | None:
    """The POST route that creates the objects ``path`` (ending in a parameter) names."""
    return table.get("POST", collection_path(path))


def read_for(route: Route, table: RouteTable) -> Route | None:
    """The GET route that reads back what ``route`` wrote."""
    if collection_path(route.path) is not None:  # PUT/PATCH /items/{id} -> GET /items/{id}
        return table.get("GET", route.path)
    children = table.children(route.path)  # POST /items -> GET /items/{item_id}
    return children[0] if children else None


def about_caller(route: Route) -> bool:
    """Does ``route`` create or change a person's record (``PATCH /users/me``, ``POST /users``)?"""
    if _ME.search(route.path):
        return True
    return names_people(collection_path(route.path) or route.path)


def names_people(path: str) -> bool:
    """``/users``, ``/accounts/{id}``: a collection of people."""
    return _PEOPLE.match(singular(path)) is not None


def singular(path: str) -> str:
    """``/api/users`` -> ``user`` (the name ids of the collection are called by)."""
    segments = [s for s in path.split("/") if s and not s.startswith("{")]
    last = segments[-1].lower().replace("-", "_") if segments else ""
    if last.endswith("ies"):
        return last[:-3] + "y"
    return last[:-1] if last.endswith("s") and not last.endswith("ss") else last


def records(doc: Any) -> Iterator[dict[str, Any]]:
    """The objects a response carries: the body itself, its list, or a wrapped list."""
    if isinstance(doc, list):
        yield from (item for item in doc[:50] if isinstance(item, dict))
    elif isinstance(doc, dict):
        wrapped = next((doc[k] for k in _LIST_KEYS if isinstance(doc.get(k), list)), None)
        if wrapped is not None:
            yield from (item for item in wrapped[:50] if isinstance(item, dict))
        else:
            yield doc


def _id_keys(param: str, collection: str) -> list[str]:
    keys = [param] if param else []
    if "_" in param:  # ``item_name`` -> ``name``, ``post_slug`` -> ``slug``: references by name
        keys.append(param.rsplit("_", 1)[1])
    if collection:
        keys.append(f"{singular(collection)}_id")
    return keys + list(_ID_KEYS)


def id_of(record: dict[str, Any], param: str = "", collection: str = "") -> Any:
    """The identifier of one record, as the path parameter ``param`` would take it."""
    return _first_id(record, _id_keys(param, collection))


def _first_id(record: dict[str, Any], keys: list[str]) -> Any:
    for key in keys:
        value = record.get(key)
        if isinstance(value, (int, str)) and not isinstance(value, bool) and value != "":
            return value
    return None


def ids_in(doc: Any, param: str = "", collection: str = "") -> list[Any]:
    found: list[Any] = []
    keys = _id_keys(param, collection)
    for record in records(doc):
        value = _first_id(record, keys)
        if value is not None and value not in found:
            found.append(value)
    return found
