"""The probe session and context: settings, the shared client and what every item reads.

``open_session`` enters the app's lifespan once; ``ProbeContext`` carries the app, its
routes, the identities and the settings to every probe item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..adapters import FrameworkAdapter
from ..config import route_matcher
from ..knowledge import CREDENTIAL_HEADERS, Knowledge
from ..model import Auth, Route
from .appclient import AppClient
from .client import ProbeClient, ProbeRequest
from .discover import RouteTable, bare, collection_path, create_for, ids_in
from .identities import Identity, resolve_identities
from .shape import Shape, shape_of
from .transcript import Exchange
from .transport import make_client

ANONYMOUS = "anonymous"
DEFAULT_METHODS = frozenset({"GET", "POST", "PUT", "PATCH"})
_SEEN_PER_COLLECTION = 20  # answers kept per collection for harvest()


@dataclass(frozen=True)
class ProbeSettings:
    probe_methods: frozenset[str] = DEFAULT_METHODS  # no DELETE unless configured
    exclude: tuple[str, ...] = ()  # "METHOD /path*" or "/path*" (any method)
    timeout: float = 10.0  # seconds per request
    replay_writes: bool = False  # BOLA may replay the owner's writes as another identity
    host: str | None = None  # Host the requests name (TrustedHostMiddleware, subdomains)
    # the run's nonce, in every name a probe creates (synth.name_tag); "" names nothing
    # after the run (deterministic names, for the probes' own tests)
    nonce: str = ""


def route_matches(pattern: str, route: Route) -> bool:
    """``"DELETE /admin/*"``, ``"* /internal/*"`` or ``"/internal/*"`` against a route:
    the same semantics as the static side's public patterns (one implementation)."""
    return route_matcher((pattern,))(route)


@dataclass
class ProbeSession:
    """Shared by every probe item of a session: the client, the 2xx JSON answers of each
    collection (where ids are harvested), the exposure scans."""

    client: ProbeClient
    app: Any = None
    # (route key, body) -> what the data-exposure scan found there (a plain cache)
    scanned: dict[tuple[str, bytes], frozenset[Any]] = field(default_factory=dict)
    _by_collection: dict[str, list[Exchange]] = field(default_factory=dict)

    def send(
        self, route: Route, request: ProbeRequest, identity: Identity | None, label: str
    ) -> Exchange:
        if identity is not None:
            request = request.with_headers(identity.headers)
        if identity is None or not identity.overrides:  # the common case, without a with
            exchange = self.client.send(request, label=label, route=route.key)
        else:
            with self._overrides(identity):
                exchange = self.client.send(request, label=label, route=route.key)
        if exchange.ok and exchange.is_json:
            key = bare(collection_path(route.path) or route.path)
            bucket = self._by_collection.setdefault(key, [])
            if len(bucket) < _SEEN_PER_COLLECTION:
                bucket.append(exchange)
        return exchange

    def harvest(self, collection: str) -> list[Any]:
        """Ids of the collection's objects in any response so far (``/items`` -> [1, 3])."""
        found: list[Any] = []
        for exchange in self._by_collection.get(bare(collection), ()):
            found.extend(i for i in ids_in(exchange.data, "", collection) if i not in found)
        return found

    @contextmanager
    def _overrides(self, identity: Identity) -> Iterator[None]:
        """``identity``'s dependency overrides in place for one request (FastAPI); an app
        without ``dependency_overrides`` (Flask) gets the request without them."""
        table = getattr(self.app, "dependency_overrides", None)
        if table is None:
            yield
            return
        saved = {key: table[key] for key in identity.overrides if key in table}
        table.update(identity.overrides)
        try:
            yield
        finally:
            for key in identity.overrides:
                table.pop(key, None)
            table.update(saved)


@dataclass
class ProbeContext:
    app: Any
    adapter: FrameworkAdapter
    routes: Sequence[Route]
    identities: Mapping[str, Any] | Callable[[Any], Any]  # what resolve_identities takes
    schema: dict[str, Any] | None
    knowledge: Knowledge
    settings: ProbeSettings
    reset: Callable[[], None] | None
    session: ProbeSession | None = None  # None while collecting: ``applies`` sends nothing
    _shapes: dict[str, Shape] = field(default_factory=dict, init=False, repr=False)
    _verdicts: dict[tuple[str, str], bool] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def people(self) -> tuple[Identity, ...]:
        """The identities, resolved (callables get a small client over the transport)."""
        client = AppClient(self.session.client) if self.session is not None else None
        return tuple(resolve_identities(self.identities, client).values())

    @cached_property
    def table(self) -> RouteTable:
        return RouteTable(self.routes)

    @cached_property
    def credential_headers(self) -> frozenset[str]:
        """Header names that carry credentials: the identities', and the usual ones."""
        return frozenset(CREDENTIAL_HEADERS) | {h.lower() for p in self.people for h in p.headers}

    def shape(self, route: Route) -> Shape:
        if route.key not in self._shapes:
            self._shapes[route.key] = shape_of(route, self.schema)
        return self._shapes[route.key]

    @cached_property
    def _excluded(self) -> Callable[[Route], bool]:  # compiled once, asked per route
        return route_matcher(self.settings.exclude)

    @cached_property
    def _listed_public(self) -> Callable[[Route], bool]:
        return route_matcher(self.knowledge.public_routes)

    def allowed(self, route: Route) -> bool:
        """May a probe send a request to ``route`` (method allowed, not excluded, HTTP)?"""
        key = ("allowed", route.key)
        if key not in self._verdicts:
            self._verdicts[key] = (
                route.kind == "http"
                and route.method in self.settings.probe_methods
                and not self._excluded(route)
            )
        return self._verdicts[key]

    def deletable(self, route: Route) -> bool:
        """May a probe DELETE at ``route`` an object it created itself (never existing data)?

        Yes when DELETE is in ``probe_methods``, or when ``probe_methods`` is left at its
        default and the probes may call the collection's create route: deleting what the
        probe just created is what proves missing auth or BOLA on a DELETE. A
        ``probe_methods`` without DELETE, or ``probe_exclude`` (``"DELETE /*"``), turns it off.
        """
        key = ("deletable", route.key)
        if key not in self._verdicts:
            creator = create_for(route.path, self.table)
            self._verdicts[key] = (
                route.kind == "http"
                and route.method == "DELETE"
                and not self._excluded(route)
                and creator is not None
                and self.allowed(creator)
                and (
                    "DELETE" in self.settings.probe_methods
                    or self.settings.probe_methods == DEFAULT_METHODS
                )
            )
        return self._verdicts[key]

    def is_public(self, route: Route) -> bool:
        key = ("public", route.key)
        if key not in self._verdicts:
            self._verdicts[key] = route.auth == Auth.PUBLIC or self._listed_public(route)
        return self._verdicts[key]


@contextmanager
def open_session(
    app: Any, adapter: FrameworkAdapter, settings: ProbeSettings, served: Any = None
) -> Iterator[ProbeSession]:
    """The in-process client with the app's lifespan entered once, shared by all probes;
    ``served``: the app the analysis started and keeps running, reused as it is."""
    client = make_client(adapter.transport(app), settings.timeout, settings.host, served)
    try:
        client.start()
        yield ProbeSession(client=client, app=app)
    finally:
        client.close()
