"""Drift between two descriptions of one operation: parameters, their types, and the
request and response properties (the committed spec against the generated schema, or
against what the router itself types when the app generates no schema)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..knowledge import Knowledge
from ..model import Route, Severity
from ..paths import param_names
from .drift_checks import COMMITTED, Diff
from .spec import Operation, Parameter

_HIGH, _MEDIUM, _LOW = Severity.HIGH, Severity.MEDIUM, Severity.LOW


def parameter_drift(committed: Operation, generated: Operation) -> Iterator[Diff]:
    old = {(p.location, p.name): p for p in committed.parameters if p.location != "path"}
    new = {(p.location, p.name): p for p in generated.parameters if p.location != "path"}
    for where, name in sorted(new.keys() - old.keys()):
        need = "required" if new[(where, name)].required else "optional"
        text = f"{where} parameter '{name}' ({need}) is read by the app but missing from the {COMMITTED}"
        yield Diff("APS904", text, _MEDIUM if need == "required" else None)
    for where, name in sorted(old.keys() - new.keys()):
        text = f"{where} parameter '{name}' is in the {COMMITTED} but the app no longer reads it"
        yield Diff("APS904", text)
    for where, name in sorted(old.keys() & new.keys()):
        if old[(where, name)].required != new[(where, name)].required:
            required = new[(where, name)].required
            now, was = ("required", "optional") if required else ("optional", "required")
            text = f"{where} parameter '{name}' is {now} in the app but {was} in the {COMMITTED}"
            yield Diff("APS904", text, _MEDIUM if required else None)
    pairs = [(new[key], old[key]) for key in sorted(old.keys() & new.keys())]
    yield from type_drift(
        [*zip(path_params(generated), path_params(committed), strict=False), *pairs]
    )


def path_params(op: Operation) -> list[Parameter | None]:
    """Path parameters in path order: names may differ between specs, positions may not."""
    by_name = {p.name: p for p in op.parameters if p.location == "path"}
    return [by_name.get(name) for name in param_names(op.raw_path)]


def rule_path_params(route: Route) -> list[Parameter | None]:
    """Path parameters as the router types them (`<int:id>`), for apps with no schema.

    A parameter that takes any string segment is left untyped: a spec may narrow it (the
    handler converts `<id>` itself); one the router converts to a number is not a string.
    """
    out: list[Parameter | None] = []
    for name in route.path_params:
        kind = route.path_schema(name).get("type")
        typed = kind if isinstance(kind, str) and kind != "string" else None
        out.append(Parameter(name, "path", True, typed))
    return out


def type_drift(pairs: Sequence[tuple[Parameter | None, Parameter | None]]) -> Iterator[Diff]:
    """Parameters whose JSON type differs where both types are known."""
    for app_param, spec_param in pairs:
        if not (app_param and spec_param and app_param.type and spec_param.type):
            continue
        if app_param.type != spec_param.type:
            text = (
                f"{app_param.location} parameter '{app_param.name}' is {app_param.type} in the "
                f"app but {spec_param.type} in the {COMMITTED}"
            )
            yield Diff("APS904", text)


def schema_drift(
    committed: Operation, generated: Operation, knowledge: Knowledge
) -> Iterator[Diff]:
    old_body = committed.request_properties or frozenset()
    new_body = generated.request_properties or frozenset()
    for name in sorted(new_body - old_body):
        privileged = knowledge.is_privileged_field(name.rsplit(".", 1)[-1])
        text = f"request body property '{name}' is accepted by the app but missing from the {COMMITTED}"
        yield Diff(
            "APS905", text + " (a privileged field)" * privileged, _MEDIUM if privileged else _LOW
        )
    for name in sorted(old_body - new_body):
        text = (
            f"request body property '{name}' is in the {COMMITTED} but the app no longer accepts it"
        )
        yield Diff("APS905", text, _LOW)
    for new_status, old_status in status_pairs(generated, committed):
        label = (
            new_status
            if new_status == old_status
            else f"{new_status} ({old_status} in the {COMMITTED})"
        )
        new_props, old_props = generated.responses[new_status], committed.responses[old_status]
        for name in sorted(new_props - old_props):
            sensitive = knowledge.is_sensitive_field(name.rsplit(".", 1)[-1])
            text = (
                f"response {label} property '{name}' is returned by the app but missing from the "
                f"{COMMITTED}: possible data exposure" + " of a sensitive field" * sensitive
            )
            yield Diff("APS905", text, _HIGH if sensitive else _MEDIUM, cwe=200)
        for name in sorted(old_props - new_props):
            text = f"response {label} property '{name}' is in the {COMMITTED} but the app no longer returns it"
            yield Diff("APS905", text, _LOW)


def status_pairs(generated: Operation, committed: Operation) -> list[tuple[str, str]]:
    """Success statuses in both, or the two success statuses when it changed (200 -> 201).

    Error bodies are left out: the framework writes most of them (FastAPI's 422 changed
    shape between versions) and they are not where data leaks.
    """
    new = sorted(s for s in generated.responses if s.startswith("2"))
    old = sorted(s for s in committed.responses if s.startswith("2"))
    common = [(s, s) for s in new if s in old]
    return common or ([(new[0], old[0])] if new and old else [])
