"""One probe on one route: build requests with real ids, send them, keep the transcript."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import Route
from .client import NO_BODY, ProbeRequest
from .context import ANONYMOUS, ProbeContext, ProbeSession
from .discover import collection_path, create_for, id_of, ids_in, listing_for, records
from .identities import Identity
from .synth import body_for, body_from_record, build_request
from .transcript import Exchange


class ProbeRun:
    """One probe on one route: builds requests, sends them, keeps the transcript."""

    def __init__(self, ctx: ProbeContext, session: ProbeSession, tag: str = "") -> None:
        self.ctx = ctx
        self.session = session
        self.tag = tag  # in every name this run creates (synth.name_tag)
        self.transcript: list[Exchange] = []
        self.notes: list[str] = []
        self.refutes: list[str] = []
        self._paths: dict[tuple[str, str, str], Any] = {}

    def send(
        self, route: Route, request: ProbeRequest, who: Identity | None, label: str = ""
    ) -> Exchange:
        exchange = self.session.send(route, request, who, label or _label(who))
        self.transcript.append(exchange)
        return exchange

    def request(
        self,
        route: Route,
        who: Identity | None,
        *,
        variant: int = 0,
        body: Any = None,
        path_values: Mapping[str, Any] | None = None,
    ) -> ProbeRequest:
        values = self.path_values(route, who, path_values)
        shape = self.ctx.shape(route)
        if body is None and shape.body_kind == "none":
            body = self.sample_body(route, who, variant)
        return build_request(
            route.method,
            route.path,
            shape,
            path_values=values,
            variant=variant,
            body=body,
            credential_headers=self.ctx.credential_headers,
            omit=self.privileged,
            tag=self.tag,
        )

    @property
    def privileged(self) -> frozenset[str]:
        return self.ctx.knowledge.privileged_fields

    def body(self, route: Route, who: Identity | None, variant: int) -> Any:
        """The valid body the probe sends to ``route``; NO_BODY when it takes none."""
        shape = self.ctx.shape(route)
        if shape.body_kind != "none":
            return body_for(shape, variant, self.privileged, self.tag)
        sample = self.sample_body(route, who, variant)
        return NO_BODY if sample is None else sample

    def sample_body(self, route: Route, who: Identity | None, variant: int) -> Any:
        """For a write that declares no body: one shaped like the objects the app returns.

        The sample is read as ``who`` or, for an anonymous request, as the first identity,
        so an anonymous request and an identity's carry the same body.
        """
        if route.method not in ("POST", "PUT", "PATCH"):
            return None
        lister = who or (self.ctx.people[0] if self.ctx.people else None)
        key = ("sample", route.key, lister.name if lister else ANONYMOUS)
        if key not in self._paths:
            source = self.ctx.table.get("GET", route.path)
            record = None
            if source is not None and self.ctx.allowed(source):
                seen = self.send(source, self.request(source, lister), lister)
                record = next(records(seen.data), None) if seen.ok else None
            self._paths[key] = record
        record = self._paths[key]
        return body_from_record(record, variant, self.privileged, self.tag) if record else None

    def created(self, route: Route, who: Identity | None, variant: int) -> dict[str, Any] | None:
        """Path values naming an object ``who`` just created through the collection's
        create route (for a DELETE: never existing data); None when none was created."""
        creator = create_for(route.path, self.ctx.table)
        names = route.path_params
        if creator is None or not self.ctx.allowed(creator):
            return None  # (a create route means the path ends in a parameter: names[-1])
        earlier = self.path_values(route, who, only=names[:-1])
        label = f"{_label(who)}, create"
        made = self.call(creator, who, label, variant=variant, path_values=earlier)
        record = next(records(made.data), None) if made.ok else None
        ident = id_of(record, names[-1], creator.path) if record is not None else None
        return None if ident is None else {**earlier, names[-1]: ident}

    def call(self, route: Route, who: Identity | None, label: str = "", **kwargs: Any) -> Exchange:
        return self.send(route, self.request(route, who, **kwargs), who, label)

    def path_values(
        self,
        route: Route,
        who: Identity | None,
        given: Mapping[str, Any] | None = None,
        only: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Real ids for the path: from the listing route as ``who`` (or the first identity).

        Each parameter is resolved from the listing of the path up to it, with the earlier
        parameters filled; ``given`` values are kept and not looked up.
        """
        values: dict[str, Any] = dict(given or {})
        lister = who or (self.ctx.people[0] if self.ctx.people else None)
        names = route.path_params
        for index, name in enumerate(names):
            if name in values or (only is not None and name not in only):
                continue
            prefix = route.path.split("{" + name, 1)[0] + "{" + name + "}"
            earlier = tuple((n, values.get(n)) for n in names[:index])
            key = (prefix, repr(earlier), lister.name if lister else ANONYMOUS)
            if key not in self._paths:
                self._paths[key] = self._discover(route, prefix, name, dict(earlier), lister)
            if self._paths[key] is not None:
                values[name] = self._paths[key]
        return values

    def _discover(
        self, route: Route, prefix: str, name: str, earlier: dict[str, Any], lister: Identity | None
    ) -> Any:
        listing = listing_for(prefix, self.ctx.table)
        found: list[Any] = []
        if listing is not None and self.ctx.allowed(listing):  # a shorter path than route's
            filled = {k: v for k, v in earlier.items() if v is not None}
            request = self.request(listing, lister, path_values=filled)
            exchange = self.send(listing, request, lister)
            if exchange.ok:
                found = ids_in(exchange.data, name, listing.path)
        if not found:
            found = self.session.harvest(collection_path(prefix) or "")
        return found[0] if found else None


def _label(who: Identity | None) -> str:
    return who.name if who is not None else ANONYMOUS
