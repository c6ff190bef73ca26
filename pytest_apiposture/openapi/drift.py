"""Drift: the routes the app registers vs the schema it generates vs the spec committed.

The route table is the truth. Against the generated schema it shows shadow endpoints
(served, hidden from the schema); against the committed spec it shows undocumented and
zombie endpoints; where an operation is in both schemas, the two are compared for
parameter, body/response property and security differences. ``speclint.lint_spec`` holds
the few spec-only security checks worth their noise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from ..knowledge import Knowledge
from ..model import Auth, Finding, GuardRole, Location, Route, Severity
from .drift_checks import COMMITTED, DRIFT_BY_CODE, DRIFT_CHECKS, GENERATED, Diff
from .drift_checks import DOCS_CWE as _DOCS_CWE
from .operation_drift import (
    parameter_drift,
    path_params,
    rule_path_params,
    schema_drift,
    type_drift,
)
from .spec import Operation, Spec, spec_from_dict, template_key

_HIGH, _MEDIUM, _LOW = Severity.HIGH, Severity.MEDIUM, Severity.LOW


# Handlers defined inside a framework or spec extension serve docs, schemas and static
# files (/docs, /openapi.json, /static), not the application's API.
FRAMEWORK_MODULES = (
    "fastapi",
    "starlette",
    "flask",
    "werkzeug",
    "flasgger",
    "apiflask",
    "flask_smorest",
    "apispec",
    "connexion",
)
# Methods the framework answers for every route; never documented, never shadows.
_IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})
_NO_AUTH = frozenset({Auth.NONE, Auth.OPTIONAL})


def drift_class(finding: Finding) -> str | None:
    check = DRIFT_BY_CODE.get(finding.code)
    return check.name if check else None


def drift_summary(findings: Sequence[Finding]) -> dict[str, int]:
    """Class of difference -> count, in code order, only the classes that occur."""
    counts = {check.name: 0 for check in DRIFT_CHECKS}
    for finding in findings:
        name = drift_class(finding)
        if name is not None:
            counts[name] += 1
    return {name: count for name, count in counts.items() if count}


def place_finding(
    diff: Diff, spec_file: str, *, route: Route | None, op: Operation | None, line: int = 0
) -> Finding:
    """At the handler when the route exists, else at the spec's line (1 when unknown)."""
    location = route.location if route is not None else None
    if location is None and spec_file:
        location = Location(spec_file, line or (op.line if op else 1))
    where = route or op
    return DRIFT_BY_CODE[diff.code].new_finding(
        message=diff.text,
        method=where.method if where else "",
        path=where.path if where else "",
        location=location,
        severity=diff.severity,
        remediation=diff.remediation,
        cwe=diff.cwe,
    )


class _Matcher:
    """Operations of one spec keyed like routes; the servers/basePath prefix is applied
    when that matches more registered routes than leaving it off (apps behind a proxy
    that strips the prefix register routes without it)."""

    def __init__(self, spec: Spec, routes: Sequence[Route]) -> None:
        keys = {(r.method, template_key(r.path)) for r in routes}
        with_prefix = self._index(spec, True)
        without = self._index(spec, False) if spec.prefix else with_prefix
        self.with_prefix = len(keys & with_prefix.keys()) >= len(keys & without.keys())
        self.ops = with_prefix if self.with_prefix else without
        self.spec = spec

    @staticmethod
    def _index(spec: Spec, with_prefix: bool) -> dict[tuple[str, str], Operation]:
        out: dict[tuple[str, str], Operation] = {}
        for op in spec.operations:
            out.setdefault((op.method, template_key(op.path if with_prefix else op.raw_path)), op)
        return out

    def op_for(self, route: Route) -> Operation | None:
        return self.ops.get((route.method, template_key(route.path)))

    def path_of(self, op: Operation) -> str:
        return op.path if self.with_prefix else op.raw_path


def compare(
    routes: Sequence[Route],
    *,
    generated: dict[str, Any] | None,
    committed: Spec | None,
    spec_path: str | None,
    knowledge: Knowledge,
    framework: str = "",
    serves: Callable[[Route], str] | None = None,
) -> list[Finding]:
    """Findings APS901-APS907. Raises SpecError only when the generated schema is unusable.

    ``framework`` is the app's (whose schema ``generated`` is): routes of an app of another
    framework mounted inside it (Flask behind a WSGI adapter) are only checked against the
    generated schema when that mounted app publishes one of its own. ``serves`` says what
    a route answers with when it is no API operation ("page", "files": ``static.pages``),
    asked only of the routes the schema leaves out; ``Route.serves`` otherwise.
    """
    api = [r for r in routes if r.kind in ("http", "mount") and not _is_framework_route(r)]
    # the generated schema's properties are read only to compare it with a committed spec
    generated_spec = (
        spec_from_dict(dict(generated), GENERATED, properties=committed is not None)
        if generated is not None
        else None
    )
    spec_file = spec_path or (committed.source if committed else "")
    gen = _Matcher(generated_spec, api) if generated_spec else None
    com = _Matcher(committed, api) if committed else None
    unpublished = _unpublished_mounts(api, gen, framework)
    findings: list[Finding] = []
    for route in (r for r in api if r.method not in _IMPLICIT_METHODS):
        gen_op = gen.op_for(route) if gen else None
        com_op = com.op_for(route) if com else None
        has_gen = gen is not None and (route.framework, route.mount_prefix) not in unpublished
        diffs = list(
            _route_diffs(route, gen_op, com_op, has_gen, com is not None, knowledge, serves)
        )
        if gen is not None and gen_op is None and _twin_documented(gen, route):
            diffs = [_as_twin(d, route) if d.code == "APS901" else d for d in diffs]
        findings += [place_finding(d, spec_file, route=route, op=com_op) for d in diffs]
    for mount, members in unpublished.items():
        findings.append(place_finding(_unpublished(mount, members), spec_file, route=None, op=None))
    if com is not None:
        findings += _zombies(com, api, spec_file)
    if generated_spec is not None and committed is not None:
        findings += _scheme_drift(generated_spec, committed, spec_file)
    return findings


def _unpublished_mounts(
    api: Sequence[Route], gen: _Matcher | None, framework: str
) -> dict[tuple[str, str], list[Route]]:
    """(framework, mount prefix) -> routes, for each mounted app of another framework
    that publishes no schema.

    The app's generator cannot see them (FastAPI never documents a mounted Flask app), so
    hundreds of per-route shadow findings would all say one thing: that app has no schema.
    When any of its routes is documented (its own spec extension), each is checked.
    """
    if gen is None or not framework:
        return {}
    mounted: dict[tuple[str, str], list[Route]] = {}
    for route in api:
        # a raw Starlette route inside a FastAPI app is the app's own, hidden by choice
        if route.foreign_mount and route.method not in _IMPLICIT_METHODS:
            mounted.setdefault((route.framework, route.mount_prefix), []).append(route)
    return {
        key: members
        for key, members in mounted.items()
        if not any(gen.op_for(r) is not None for r in members)
    }


def _unpublished(key: tuple[str, str], members: Sequence[Route]) -> Diff:
    framework, prefix = key
    open_routes = sum(1 for r in members if r.auth in _NO_AUTH)
    text = (
        f"{len(members)} routes of the {framework} app mounted at {prefix or '/'} are absent "
        f"from the generated schema: that app publishes no schema of its own ({open_routes} "
        "of them without authentication)"
    )
    fix = (
        f"Generate a schema in the mounted {framework} app (APIFlask, flask-smorest, flasgger) "
        "or commit a spec for its routes (`apiposture_spec`) so drift can check them."
    )
    return Diff("APS901", text, _LOW, remediation=fix)


def _route_diffs(
    route: Route,
    gen_op: Operation | None,
    com_op: Operation | None,
    has_gen: bool,
    has_com: bool,
    knowledge: Knowledge,
    serves: Callable[[Route], str] | None = None,
) -> Iterator[Diff]:
    if has_gen and gen_op is None:
        yield _shadow(route, serves(route) if serves is not None else route.serves)
    elif has_com and com_op is None and route.kind == "http":
        severity = _MEDIUM if route.auth in _NO_AUTH else _LOW
        text = f"{route.key} is served but missing from the committed spec (auth: {route.auth})"
        yield Diff("APS902", text, severity)
    prefix = f"{route.key}: "
    if gen_op is not None and com_op is not None:
        for diff in (*parameter_drift(com_op, gen_op), *schema_drift(com_op, gen_op, knowledge)):
            yield diff._replace(text=prefix + diff.text)
    elif com_op is not None and not has_gen:  # no schema: the URL rule still types the path
        pairs = zip(rule_path_params(route), path_params(com_op), strict=False)
        yield from (d._replace(text=prefix + d.text) for d in type_drift(list(pairs)))
    reference = com_op if has_com else gen_op
    # An optional guard the app's own schema declares as required is how FastAPI writes
    # `auto_error=False`; the spec is current, and APS202 reports the optional guard.
    # (also on a public route that reads an optional credential: a logout that revokes it)
    optional_reader = route.auth == Auth.OPTIONAL or (
        route.auth == Auth.PUBLIC and any(g.role == GuardRole.OPTIONAL_AUTH for g in route.guards)
    )
    declared_by_app = optional_reader and gen_op is not None and gen_op.requires_auth
    if reference is not None and not declared_by_app:
        for diff in _security_drift(route, reference, COMMITTED if has_com else GENERATED):
            yield diff._replace(text=prefix + diff.text)
    flags = (
        ("route", route.deprecated),
        (GENERATED, bool(gen_op and gen_op.deprecated)),
        (COMMITTED, bool(com_op and com_op.deprecated)),
    )
    if deprecated := [name for name, flag in flags if flag]:
        yield Diff(
            "APS907", f"{route.key} is deprecated ({', '.join(deprecated)}) but still served"
        )


def _twin_documented(gen: _Matcher, route: Route) -> bool:
    """``/items/`` served beside a documented ``/items`` (or the reverse): the router's
    trailing-slash alias, not a hidden operation."""
    path = route.path
    twin = path.rstrip("/") if path.endswith("/") and path != "/" else path + "/"
    return gen.ops.get((route.method, template_key(twin))) is not None


def _as_twin(diff: Diff, route: Route) -> Diff:
    text = f"{route.key} is served but only its trailing-slash twin is in the generated schema"
    return Diff("APS901", text, _LOW)


def _is_framework_route(route: Route) -> bool:
    if route.kind == "mount":
        return "StaticFiles" in route.handler
    module = route.handler.split(":", 1)[0]
    return any(module == name or module.startswith(name + ".") for name in FRAMEWORK_MODULES)


_SERVED = {"page": "an HTML page", "files": "files"}


def _shadow(route: Route, serves: str = "") -> Diff:
    if serves in _SERVED:  # a page or files a browser asks for: no operation to document
        text = (
            f"{route.key} is served but hidden from the generated schema: it serves "
            f"{_SERVED[serves]}, not an API operation (auth: {route.auth})"
        )
        return Diff("APS901", text, _LOW)
    if not route.in_schema:
        why = "include_in_schema=False"
    elif route.kind == "mount":
        why = "a mounted sub-application the schema cannot see"
    elif route.mount_prefix:
        why = f"served by a sub-application mounted at {route.mount_prefix}"
    else:  # the adapter knows how its framework's schema leaves routes out
        why = route.unlisted_reason or "not in the schema"
    severity = {Auth.AUTHENTICATED: _MEDIUM, Auth.CONDITIONAL: _MEDIUM, Auth.PUBLIC: _LOW}.get(
        route.auth, _HIGH
    )
    guard = "and has no authentication" if route.auth in _NO_AUTH else f"(auth: {route.auth})"
    text = f"{route.key} is served but hidden from the generated schema ({why}) {guard}"
    return Diff("APS901", text, severity)


def _zombies(com: _Matcher, routes: Sequence[Route], spec_file: str) -> Iterator[Finding]:
    keys = {(r.method, template_key(r.path)) for r in routes}
    by_path = {template_key(r.path): r for r in routes}
    mounts = tuple(r.path.rstrip("/") for r in routes if r.kind == "mount")
    for op in com.spec.operations:
        path = com.path_of(op)
        key = template_key(path)
        if (op.method, key) in keys or any(path == m or path.startswith(m + "/") for m in mounts):
            continue
        served_by_framework = (op.method == "HEAD" and ("GET", key) in keys) or (
            op.method == "OPTIONS" and key in by_path
        )
        if served_by_framework:
            continue
        where = f"committed spec line {op.line}" if op.line > 1 else "the committed spec"
        diff = Diff(
            "APS903", f"{op.method} {path} is in {where} but the app no longer registers it"
        )
        finding = place_finding(diff, spec_file, route=None, op=op)
        # named like the route at that path, if any, so it groups with the route's other checks
        yield replace(finding, path=by_path[key].path if key in by_path else path)


def _security_drift(route: Route, op: Operation, source: str) -> Iterator[Diff]:
    if op.requires_auth and route.auth != Auth.AUTHENTICATED:
        text = (
            f"the {source} requires {op.schemes_text()} but the route does not enforce "
            f"authentication (auth: {route.auth})"
        )
        yield Diff("APS906", text, _HIGH if route.auth == Auth.NONE else _MEDIUM, cwe=306)
    elif route.auth == Auth.AUTHENTICATED and not op.requires_auth:
        declared = "allows anonymous access" if op.security else "declares no security"
        text = f"the route requires authentication but the {source} {declared}"
        yield Diff("APS906", text, _LOW, cwe=_DOCS_CWE)


def _scheme_drift(generated: Spec, committed: Spec, spec_file: str) -> Iterator[Finding]:
    new, old = generated.security_schemes, committed.security_schemes
    texts: list[tuple[str, int]] = []
    for name in sorted(new.keys() - old.keys()):
        text = f"({new[name].describe()}) is used by the app but missing from the {COMMITTED}"
        texts.append((f"security scheme '{name}' {text}", 1))
    for name in sorted(old.keys() - new.keys()):
        text = f"({old[name].describe()}) is in the {COMMITTED} but the app no longer declares it"
        texts.append((f"security scheme '{name}' {text}", old[name].line))
    for name in sorted(new.keys() & old.keys()):
        before, after = old[name].describe(), new[name].describe()
        if before != after:
            text = f"differs: {before} in the {COMMITTED}, {after} in the app"
            texts.append((f"security scheme '{name}' {text}", old[name].line))
    for text, line in texts:
        diff = Diff("APS906", text, _MEDIUM, cwe=_DOCS_CWE)
        yield place_finding(diff, spec_file, route=None, op=None, line=line)
