"""Spec-only security checks (APS908): what a committed spec declares, whatever the code.

No security at all, an API key in the query string, basic auth without TLS, sensitive
fields in response schemas. Few, because a spec lint that flags everything is ignored.
"""

from __future__ import annotations

from ..knowledge import Knowledge
from ..model import Finding, Severity
from .drift import place_finding
from .drift_checks import Diff, SpecSecurityLint
from .spec_model import Operation, Spec

# Path words of operations that hand out credentials: tokens in their responses are the point.
CREDENTIAL_GRANT_WORDS = ("token", "login", "signin", "sign-in", "refresh", "oauth", "session")
_HIGH, _MEDIUM = Severity.HIGH, Severity.MEDIUM
_CODE = SpecSecurityLint.code


def lint_spec(spec: Spec, *, knowledge: Knowledge) -> list[Finding]:
    """APS908: no security, API key in query, basic auth without TLS, sensitive response fields."""
    found: list[tuple[Diff, int, Operation | None]] = []
    if not any(op.declares_security for op in spec.operations):
        used = "declares security schemes but no operation uses them"
        text = f"the spec {used if spec.security_schemes else 'declares no security at all'}"
        fix = (
            "Declare the authentication the API requires (`components.securitySchemes` and "
            "`security`), so clients and tools know which operations need credentials."
        )
        found.append((Diff(_CODE, text, _MEDIUM, 306, fix), 1, None))
    for scheme in spec.security_schemes.values():
        if scheme.type == "apiKey" and scheme.location == "query":
            text = (
                f"security scheme '{scheme.name}' sends the API key in the query string "
                f"('{scheme.key_name}'), where logs, proxies and browser history keep it"
            )
            fix = "Send API keys in a header (`in: header`, e.g. `X-API-Key`)."
            found.append((Diff(_CODE, text, _MEDIUM, 598, fix), scheme.line, None))
        if scheme.is_basic and not spec.tls_only:
            text = (
                f"security scheme '{scheme.name}' uses HTTP basic auth but not every server is "
                f"https (servers: {', '.join(spec.servers) or 'none declared'})"
            )
            fix = (
                "List only https servers (or `schemes: [https]` in Swagger 2.0), or use a token "
                "scheme instead of passwords on every request."
            )
            found.append((Diff(_CODE, text, _HIGH, 319, fix), scheme.line, None))
    fix = "Remove the field from the response schema (a separate public response model)."
    for op in spec.operations:
        for name in _sensitive_response_fields(op, knowledge):
            text = f"{op.method} {op.path}: response schema declares sensitive field '{name}'"
            found.append((Diff(_CODE, text, _HIGH, 200, fix), op.line, op))
    return [place_finding(d, spec.source, route=None, op=op, line=line) for d, line, op in found]


def _sensitive_response_fields(op: Operation, knowledge: Knowledge) -> list[str]:
    grants = any(word in op.raw_path.lower() for word in CREDENTIAL_GRANT_WORDS)
    names = {name for props in op.responses.values() for name in props}
    return sorted(
        name
        for name in names
        if knowledge.is_sensitive_field(name.rsplit(".", 1)[-1])
        and not (grants and "token" in name.lower())
    )
