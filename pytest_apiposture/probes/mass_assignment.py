"""APS351: send a valid body plus privileged extra fields; look for them afterwards."""

from __future__ import annotations

from typing import Any

from ..model import Auth, Finding, Kind, Route, Severity
from .base import ENFORCED, Probe, Skip, inconclusive, verdict
from .client import NO_BODY
from .context import ProbeContext
from .discover import (
    about_caller,
    collection_path,
    id_of,
    read_for,
    records,
)
from .identities import Identity
from .injection import (
    candidates,
    choose,
    current_values,
    holds,
    model_types,
    request_fields,
    request_types,
    required_fields,
)
from .run import ProbeRun
from .transcript import Exchange

_WRITES = ("POST", "PUT", "PATCH")
_ONE_BY_ONE = 6  # fields retried alone when the combined request fails


def _show(value: Any) -> str:
    return "true" if value is True else "false" if value is False else repr(value)


class MassAssignmentProbe(Probe):
    """## What it does
    Sends a valid body, then the same with privileged fields the request model lacks. A
    control request goes first (as the first identity, or anonymously when the route is
    open), then one with extra fields: privileged names from the knowledge table
    that the app's responses carry (``is_admin``, ``role``, ``owner_id``...) and fields the
    response model has that the request model lacks. Confirmed when an injected value comes
    back in the response, shows on a follow-up read of the same object or of the caller's
    own record (``GET /users/me``), or when the caller gains access to an admin route that
    refused it before. A 422/400 for the extra fields means they are rejected: fine.

    ## Why is this bad?
    A caller who can set ``is_admin``, ``role`` or ``owner_id`` on their own request
    escalates privileges or takes over other users' objects. This is the confirmed form of
    APS303/APS304/APS305.
    """

    code = "APS351"
    name = "mass-assignment-probe"
    kind = Kind.MASS_ASSIGNMENT
    owasp = "API3:2023"
    severity = Severity.HIGH
    cwe = 915
    refutes = ("APS305",)
    summary = "injected privileged field reflected or persisted"
    remediation = (
        "Copy only the fields the caller may set: FastAPI `Item(name=body.name, ...)` or "
        "`body.model_dump(include={...})`, with `model_config = ConfigDict(extra='forbid')`; "
        "Flask: validate with a schema (`ItemIn().load(request.json)`, unknown=RAISE) and "
        "never `Model(**request.json)` or a setattr loop. Set owner, role and flags on the "
        "server."
    )

    def applies(self, route: Route, ctx: ProbeContext) -> bool:
        if route.method not in _WRITES or not ctx.allowed(route):
            return False
        kind = ctx.shape(route).body_kind
        return kind == "json" or (kind == "none" and route.undeclared_body)

    def check(self, route: Route, run: ProbeRun) -> list[Finding]:
        ctx = run.ctx
        who = ctx.people[0] if ctx.people else None
        if who is None and route.auth == Auth.AUTHENTICATED:
            raise Skip(
                "the route requires authentication and no identity is configured "
                '(--apiposture-identity NAME="Header: value")'
            )
        shape = ctx.shape(route)
        base = run.body(route, who, 1)
        base = {} if base is NO_BODY else base
        if not isinstance(base, dict):
            raise Skip("the request body is not a JSON object; nothing to add fields to")
        reader = read_for(route, ctx.table)
        reader = reader if reader is not None and ctx.allowed(reader) else None
        mine = [r for r in ctx.table.me if ctx.allowed(r)]  # read only as an identity
        admin = (
            [r for r in ctx.table.admin if ctx.allowed(r)] if who and about_caller(route) else []
        )
        tag = who.name if who else "anonymous"
        control = run.call(route, who, f"{tag}, control", variant=1, body=base)
        if not control.ok:
            raise Skip(
                inconclusive(control)
                or f"the control request answered {control.status}; cannot compare"
            )
        # the caller's record and access as they are before anything is injected
        before = {r.key: run.call(r, who, f"{who.name}, before") for r in mine if who}
        refused = [r for r in admin if verdict(run.call(r, who, f"{tag}, before")) == ENFORCED]
        control_read = self._read(run, route, reader, who, control)
        observed = [control.data]
        if about_caller(route):  # the caller's own record is the object being written
            observed += [e.data for e in before.values() if e.ok]
        if control_read is not None and control_read.ok:
            observed.append(control_read.data)
        declared = model_types(route, shape)
        if reader is not None:
            declared.update(model_types(reader, ctx.shape(reader)))
        takes = request_fields(shape)
        declared.update(
            {k: v for k, v in request_types(shape).items() if ctx.knowledge.is_privileged_field(k)}
        )
        # a field the request model requires is input by design; optional privileged ones
        # (``is_admin: bool | None = None``) are exactly what a caller must not set
        taken = required_fields(shape) | {
            f for f in takes | set(base) if not ctx.knowledge.is_privileged_field(f)
        }
        fields = candidates(ctx.knowledge, taken, declared, observed, bool(refused))
        if not fields:
            raise Skip(
                "no privileged or response-only field to inject: the responses carry "
                "none and the route has no response model"
            )
        injected = choose(fields, current_values(observed))
        attempts = self._inject(run, route, shape, who, tag, injected)
        proofs: list[str] = []
        gained = False
        for sent, attack in attempts:
            proofs += [
                f"{n}={_show(v)} came back in the response"
                for n, v in sent.items()
                if holds(attack.data, n, v) and not holds(control.data, n, v)
            ]
            after = self._read(run, route, reader, who, attack)
            if after is not None and after.ok and reader is not None:
                old = control_read.data if control_read is not None else None
                proofs += [
                    f"{n}={_show(v)} is visible on a follow-up {reader.key}"
                    for n, v in sent.items()
                    if holds(after.data, n, v) and not holds(old, n, v)
                ]
        for key, seen in before.items():
            route_me = next(r for r in mine if r.key == key)
            now = run.call(route_me, who, f"{tag}, after")
            proofs += [
                f"{n}={_show(v)} changed the caller's own record ({key})"
                for n, v in injected.items()
                if holds(now.data, n, v) and not holds(seen.data, n, v)
            ]
        for admin_route in refused:
            now = run.call(admin_route, who, f"{tag}, after")
            if now.ok:
                gained = True
                proofs.append(
                    f"the caller gained access to {admin_route.key} (refused before, "
                    f"{now.status} after)"
                )
        if not proofs:
            if attempts:
                run.notes.append(f"injected {', '.join(injected)}: not reflected, not persisted")
            return []
        unique = list(dict.fromkeys(proofs))
        message = f"{route.key} accepted fields the caller must not set: " + "; ".join(unique)
        return [self.finding(route, message, run, Severity.CRITICAL if gained else None)]

    def _inject(
        self,
        run: ProbeRun,
        route: Route,
        shape: Any,
        who: Identity | None,
        tag: str,
        injected: dict[str, Any],
    ) -> list[tuple[dict[str, Any], Exchange]]:
        """The attack request(s): all fields at once, then one by one if that fails."""

        def attempt(fields: dict[str, Any], variant: int) -> Exchange:
            body = run.body(route, who, variant)
            body = {} if not isinstance(body, dict) else body
            return run.call(
                route, who, f"{tag}, injected", variant=variant, body={**body, **fields}
            )

        first = attempt(injected, 2)
        if first.ok:
            return [(injected, first)]
        if first.status in (400, 422):
            run.notes.append(f"extra fields rejected with {first.status}")
            run.refutes.extend(self.refutes)
            return []
        done: list[tuple[dict[str, Any], Exchange]] = []
        for index, (name, value) in enumerate(list(injected.items())[:_ONE_BY_ONE]):
            alone = attempt({name: value}, 3 + index)
            if alone.ok:
                done.append(({name: value}, alone))
        if not done:
            raise Skip(
                inconclusive(first)
                or f"requests with injected fields answered {first.status}; cannot tell"
            )
        return done

    @staticmethod
    def _read(
        run: ProbeRun, route: Route, reader: Route | None, who: Identity | None, wrote: Exchange
    ) -> Exchange | None:
        """Read back the object a write touched (same path, or the id a create returned)."""
        if reader is None:  # (``wrote`` is a 2xx: the control, or an attack that went in)
            return None
        tag = who.name if who else "anonymous"
        if collection_path(route.path) is not None:  # PUT/PATCH /items/{id}
            return run.call(reader, who, f"{tag}, read back")
        names = reader.path_params
        record = next(records(wrote.data), None)
        # (the read route of a create is a member route: it has a path parameter)
        ident = id_of(record, names[-1], route.path) if record is not None else None
        if ident is None:
            return None
        values = {**run.path_values(route, who), names[-1]: ident}
        return run.call(reader, who, f"{tag}, read back", path_values=values)
