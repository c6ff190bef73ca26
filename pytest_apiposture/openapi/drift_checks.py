"""The drift checks (APS901-APS908): one class per code, documented by its docstring.

``drift.compare`` and ``lint.lint_spec`` make their findings through these classes
(``drift.place_finding``); the pipeline asks ``route_codes`` which of them ran on every
route, so no code is restated outside this module.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from ..checks import Check, by_code
from ..model import Kind, Severity

DOCS_CWE = 1059  # insufficient technical documentation
GENERATED = "generated schema"
COMMITTED = "committed spec"
SCHEMA, SPEC = "schema", "spec"


class DriftCheck(Check):
    """Base of the drift checks: the route table against the generated schema or the spec."""

    producer: ClassVar[str] = "drift"
    kind: ClassVar[Kind] = Kind.SPEC_DRIFT
    owasp: ClassVar[str] = "API9:2023"
    cwe: ClassVar[int | None] = DOCS_CWE
    # a per-route check needs the app's generated schema (SCHEMA) or a committed spec
    # (SPEC) to run; "" for checks that are not made route by route
    per_route: ClassVar[str] = ""


class ShadowEndpoint(DriftCheck):
    """## What it does
    Reports a route the app serves that its own generated OpenAPI schema does not list:
    `include_in_schema=False`, a raw Starlette route, a mounted sub-application, a Flask
    view registered outside the spec extension.

    ## Why is this bad?
    Hidden is not protected. Nobody reviews, tests or documents an endpoint the schema
    leaves out, and scanners that start from the schema never call it.

    ## Known problems
    A mounted app of another framework that publishes no schema is one finding for the
    whole mount, not one per route.
    """

    code = "APS901"
    name = "shadow-endpoint"
    kind = Kind.SHADOW_ENDPOINT
    severity = Severity.HIGH
    summary = "registered route missing from the generated schema"
    remediation = (
        "Document the route (drop `include_in_schema=False`, register it through the spec "
        "extension) or remove it if nobody should call it; hidden is not protected."
    )
    per_route = SCHEMA


class UndocumentedEndpoint(DriftCheck):
    """## What it does
    Reports a route the app serves that the committed spec (`apiposture_spec`) lacks.

    ## Why is this bad?
    The committed spec is what clients, gateways and reviewers trust; an endpoint added
    without it skipped that review. Medium when the route has no authentication.
    """

    code = "APS902"
    name = "undocumented-endpoint"
    summary = "registered route missing from the spec"
    remediation = (
        "Regenerate the committed spec (`pytest --apiposture-update-spec`) and review the "
        "diff, or remove the route."
    )
    per_route = SPEC


class ZombieEndpoint(DriftCheck):
    """## What it does
    Reports an operation of the committed spec that the app no longer registers.

    ## Why is this bad?
    Clients keep calling it, and a gateway may still route it to an older deployment
    that nobody patches (a zombie API).
    """

    code = "APS903"
    name = "zombie-endpoint"
    summary = "spec operation the app no longer registers"
    remediation = (
        "Remove the operation from the committed spec (`--apiposture-update-spec`), or "
        "restore the route if clients still need it."
    )


class ParameterDrift(DriftCheck):
    """## What it does
    Compares each operation's parameters in the committed spec with what the app reads:
    added, removed, required-ness changed, or a different type.

    ## Why is this bad?
    Clients built from the spec send what the app no longer expects; a new required
    parameter breaks them, a new optional one is input nobody reviewed.
    """

    code = "APS904"
    name = "parameter-drift"
    severity = Severity.LOW
    summary = "parameter added, removed or changed required-ness"
    remediation = (
        "Update the committed spec (`--apiposture-update-spec`) so clients send what the app reads."
    )
    per_route = SPEC


class SchemaDrift(DriftCheck):
    """## What it does
    Compares request and success-response body properties of each operation in the
    committed spec with the app's generated schema.

    ## Why is this bad?
    A response property the spec does not list is data nobody agreed to expose (high for
    a sensitive field); a request property it does not list is input nobody reviewed
    (medium for a privileged field).
    """

    code = "APS905"
    name = "schema-drift"
    summary = "request/response property added or removed"
    remediation = (
        "Update the committed spec; for an added response property, check it is meant to "
        "be public (use a response model that lists only public fields)."
    )
    per_route = SPEC


class SecurityDrift(DriftCheck):
    """## What it does
    Compares the authentication a route enforces with what the spec declares for its
    operation, and the security schemes of the generated schema with the committed ones.

    ## Why is this bad?
    A spec that requires a credential the route does not check promises a protection
    that is not there (high when the route has no guard at all); the opposite misleads
    clients and tools.
    """

    code = "APS906"
    name = "security-drift"
    severity = Severity.HIGH
    cwe = 306
    summary = "spec and route disagree on authentication"
    remediation = (
        "Make the route enforce what the spec declares (e.g. `Depends(get_current_user)`), "
        "or correct the spec's `security`."
    )
    per_route = SPEC


class DeprecatedStillServed(DriftCheck):
    """## What it does
    Reports a route marked deprecated (on the route, in the generated schema or in the
    committed spec) that the app still serves.

    ## Why is this bad?
    Deprecated endpoints stop getting attention but keep answering; old code paths are
    where old bugs stay.
    """

    code = "APS907"
    name = "deprecated-still-served"
    severity = Severity.LOW
    summary = "deprecated operation still served"
    remediation = "Remove the deprecated operation once clients have moved, or drop `deprecated`."
    per_route = SPEC


class SpecSecurityLint(DriftCheck):
    """## What it does
    Reads the committed spec alone: no security declared at all, an API key sent in the
    query string, HTTP basic auth on servers that are not all https, sensitive fields in
    response schemas. Each finding says which and how to fix it.

    ## Why is this bad?
    The spec is what clients implement: a key in the query string ends up in logs,
    passwords over plain HTTP are readable on the way, a password hash in a response
    schema is a leak by design.

    ## Known problems
    Few checks on purpose: a spec lint that flags everything is ignored.
    """

    code = "APS908"
    name = "spec-security-lint"
    kind = Kind.MISCONFIGURATION
    owasp = "API8:2023"
    cwe = None
    summary = "security weakness declared in the spec"
    remediation = (
        "Fix the committed spec: declare `security` for the operations that need it, send "
        "API keys in a header, list only https servers, keep secrets out of response schemas."
    )


DRIFT_CHECKS: tuple[type[DriftCheck], ...] = (
    ShadowEndpoint,
    UndocumentedEndpoint,
    ZombieEndpoint,
    ParameterDrift,
    SchemaDrift,
    SecurityDrift,
    DeprecatedStillServed,
    SpecSecurityLint,
)
DRIFT_BY_CODE = by_code(DRIFT_CHECKS)


def route_codes(*, schema: bool, spec: bool) -> list[str]:
    """Codes checked on every route, given whether a generated schema and a committed
    spec were available."""
    have = {SCHEMA: schema, SPEC: spec}
    return [c.code for c in DRIFT_CHECKS if c.per_route and have[c.per_route]]


class Diff(NamedTuple):
    """One difference, before it is placed at a route or a spec line. ``code`` names a
    ``drift_checks`` class, which supplies everything this difference does not override."""

    code: str
    text: str
    severity: Severity | None = None
    cwe: int | None = None
    remediation: str = ""
