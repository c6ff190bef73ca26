"""APS151: prove who owns an object, then read (or write) it as somebody else."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model import Finding, Kind, Route, Severity
from .base import ENFORCED, OPEN, Probe, Skip, inconclusive, verdict
from .context import ProbeContext
from .discover import (
    create_for,
    id_of,
    ids_in,
    is_id_param,
    listing_for,
    names_people,
    records,
)
from .identities import Identity
from .run import ProbeRun
from .transcript import Exchange

_REPLAYED = ("PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Ownership:
    owner: Identity
    other: Identity
    values: dict[str, Any]  # path values naming the owner's object
    how: str  # "alice created it", "only alice's listing contains it", ...


def same_object(mine: Any, theirs: Any) -> bool:
    if mine == theirs:
        return True
    first, second = next(records(mine), None), next(records(theirs), None)
    if not first or not second:
        return False
    ident = id_of(first)
    return ident is not None and ident == id_of(second)


class BolaProbe(Probe):
    """## What it does
    Proves that one identity owns an object, then requests it as a second identity.
    Ownership is proved first: the owner created the object through the create route, or
    only the owner's listing contains it, or it is the owner's own record
    (``GET /users/me``). Then the owner reads it, the other identity replays that read, and
    an anonymous control makes sure the route is not simply public. Confirmed when the other
    identity gets the owner's object while the anonymous request is refused. Writes
    (PUT/PATCH/DELETE) are replayed only with ``apiposture_replay_writes``. Needs two
    identities (``--apiposture-identity`` twice).

    ## Why is this bad?
    Broken object-level authorization is the first risk of the OWASP API Top 10: any
    authenticated user reads (or changes) everyone's objects by changing an id in the URL.
    This is the confirmed form of APS101.
    """

    code = "APS151"
    name = "bola-probe"
    kind = Kind.BOLA
    owasp = "API1:2023"
    severity = Severity.HIGH
    cwe = 639
    refutes = ("APS101",)
    summary = "another identity reads (or writes) the owner's object"
    remediation = (
        "Scope the lookup to the caller: `select(Item).where(Item.id == item_id, "
        "Item.owner_id == user.id)` (or check `item.owner_id == user.id` and answer 404), "
        "in every route that takes an object id."
    )

    def applies(self, route: Route, ctx: ProbeContext) -> bool:
        names = route.path_params
        if not names or not (ctx.allowed(route) or ctx.deletable(route)):
            return False
        # an id, or any reference (a name, a slug) to a member of a collection the app
        # lists or creates: ``/items/{item_name}`` under ``GET /items/``
        member = listing_for(route.path, ctx.table) or create_for(route.path, ctx.table)
        if not is_id_param(names[-1]) and member is None:
            return False
        if ctx.is_public(route):
            return False
        if route.method == "DELETE" and ctx.deletable(route):
            return True  # on an object the owner just created (``_proofs``)
        return route.method == "GET" or (route.method in _REPLAYED and ctx.settings.replay_writes)

    def check(self, route: Route, run: ProbeRun) -> list[Finding]:
        people = run.ctx.people
        if len(people) < 2:
            raise Skip(
                "needs two identities (--apiposture-identity twice, or two entries in "
                "the apiposture_identities fixture)"
            )
        first, second = people[0], people[1]
        for owner, other in ((first, second), (second, first)):
            for proof in self._proofs(route, run, owner, other):
                if route.method != "GET":
                    return self._write(route, run, proof)
                own = run.call(route, owner, f"{owner.name}, owner", path_values=proof.values)
                if own.ok:
                    return self._read(route, run, proof, own)
        raise Skip(
            "could not prove that either identity owns an object it can read: no "
            "create route answered, the listings are identical and there is no "
            "own-record route"
        )

    def _proofs(
        self, route: Route, run: ProbeRun, owner: Identity, other: Identity
    ) -> Iterator[Ownership]:
        """Ways to show ``owner`` owns an object, cheapest evidence first."""
        ctx = run.ctx
        names = route.path_params
        last = names[-1]
        earlier = run.path_values(route, owner, only=names[:-1])
        creator = create_for(route.path, ctx.table)
        if creator is not None and ctx.allowed(creator):
            made = run.call(creator, owner, f"{owner.name}, create", variant=7, path_values=earlier)
            record = next(records(made.data), None) if made.ok else None
            ident = id_of(record, last, creator.path) if record is not None else None
            if ident is not None:
                yield Ownership(
                    owner,
                    other,
                    {**earlier, last: ident},
                    f"{owner.name} created it with {creator.key}",
                )
        if route.method == "DELETE":
            return  # never delete what the probe did not create
        listing = listing_for(route.path, ctx.table)
        if listing is not None and ctx.allowed(listing):
            theirs = run.call(listing, other, path_values=earlier)
            mine = run.call(listing, owner, path_values=earlier)
            if mine.ok and theirs.ok:
                other_ids = set(map(str, ids_in(theirs.data, last, listing.path)))
                only = [i for i in ids_in(mine.data, last, listing.path) if str(i) not in other_ids]
                if only:
                    yield Ownership(
                        owner,
                        other,
                        {**earlier, last: only[0]},
                        f"only {owner.name}'s {listing.key} lists it",
                    )
        if len(names) == 1 and (names_people(route.path) or last == "user_id"):
            for me in (r for r in ctx.table.me if ctx.allowed(r)):
                own, their = run.call(me, owner), run.call(me, other)
                mine_id = id_of(next(records(own.data), {})) if own.ok else None
                their_id = id_of(next(records(their.data), {})) if their.ok else None
                if mine_id is not None and mine_id != their_id:
                    yield Ownership(
                        owner, other, {last: mine_id}, f"it is {owner.name}'s own record ({me.key})"
                    )
                    return

    def _control(self, route: Route, run: ProbeRun, proof: Ownership) -> Exchange:
        anonymous = run.call(route, None, "anonymous control", path_values=proof.values)
        seen = verdict(anonymous)
        if seen == OPEN:
            raise Skip(
                f"{route.key} answers anonymous callers too ({anonymous.status}): that is "
                "missing authentication (APS251), not object-level authorization"
            )
        if seen != ENFORCED and anonymous.status != 404:
            raise Skip(
                inconclusive(anonymous)
                or f"the anonymous control answered {anonymous.status}; cannot tell"
            )
        return anonymous

    def _read(self, route: Route, run: ProbeRun, proof: Ownership, own: Exchange) -> list[Finding]:
        theirs = run.call(
            route, proof.other, f"{proof.other.name}, not the owner", path_values=proof.values
        )
        if not theirs.ok or not same_object(own.data, theirs.data):
            run.notes.append(
                f"{proof.other.name} -> {theirs.status}: the owner's object is "
                "not served to another identity"
            )
            run.refutes.extend(self.refutes)
            return []
        anonymous = self._control(route, run, proof)
        message = (
            f"{proof.other.name} read {proof.owner.name}'s object at {theirs.url} "
            f"({proof.how}); the anonymous control was refused ({anonymous.status})"
        )
        return [self.finding(route, message, run)]

    def _write(self, route: Route, run: ProbeRun, proof: Ownership) -> list[Finding]:
        # a DELETE's control goes first: after the other identity's delete, the object is
        # gone and any anonymous answer would be a 404
        control = self._control(route, run, proof) if route.method == "DELETE" else None
        reader = run.ctx.table.get("GET", route.path)
        before = (
            run.call(reader, proof.owner, f"{proof.owner.name}, before", path_values=proof.values)
            if reader is not None
            else None
        )
        theirs = run.call(
            route,
            proof.other,
            f"{proof.other.name}, not the owner",
            variant=5,
            path_values=proof.values,
        )
        if not theirs.ok:
            run.notes.append(f"{proof.other.name}'s {route.method} -> {theirs.status}: refused")
            run.refutes.extend(self.refutes)
            return []
        changed = True
        if reader is not None and before is not None and before.ok:
            after = run.call(
                reader, proof.owner, f"{proof.owner.name}, after", path_values=proof.values
            )
            changed = after.status == 404 if route.method == "DELETE" else after.data != before.data
        if not changed:
            run.notes.append(
                f"{proof.other.name}'s {route.method} answered {theirs.status} "
                "but the owner's object did not change"
            )
            return []
        anonymous = control or self._control(route, run, proof)
        message = (
            f"{proof.other.name} changed {proof.owner.name}'s object with {route.method} "
            f"{theirs.url} ({proof.how}); the anonymous control was refused ({anonymous.status})"
        )
        return [self.finding(route, message, run, Severity.CRITICAL)]
