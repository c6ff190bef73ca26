"""Which tests judge each decision module: the suites a mutant of that module runs."""

from __future__ import annotations

from workers import PACKAGE, ROOT

# Fastest and most telling first. Left out: tests of the cache, the docs and the sample
# apps' probes (12 s for the FastAPI twin alone), which judge no decision the listed ones
# do not.
_RULE_TESTS = (
    "tests/rules/test_rules_fixtures.py",
    "tests/rules/test_rules_sample_apps.py",
    "tests/rules/test_rules_auth.py",
    "tests/rules/test_auth_decisions.py",
    "tests/rules/test_text_filters.py",
    "tests/rules/test_prechecks.py",
    "tests/rules/test_rules_source.py",
    "tests/rules/test_rules_knowledge.py",
    "tests/rules/test_mutants_auth.py",
    "tests/rules/test_mutants_guard_roles.py",
    "tests/rules/test_mutants_denials.py",
    "tests/rules/test_mutants_handlers.py",
    "tests/rules/test_mutants_exemptions.py",
    "tests/rules/test_mutants_codefacts.py",
    "tests/rules/test_mutants_rules.py",
    "tests/rules/test_mutants_guardcode.py",
    "tests/rules/test_mutants_rules19.py",
    "tests/rules/test_mutants_ssrf.py",
    "tests/rules/test_mutants_rules19b.py",
    "tests/rules/test_mutants_rules19c.py",
    "tests/rules/test_mutants_rules19d.py",
    # the rules' metadata (CWE, severity, confidence) as docs/codes.md shows it
    "tests/core/test_catalogue.py::test_docs_codes_md_is_generated_from_the_catalogue",
)
_PROBE_TESTS = (
    "tests/probes/test_probe_decisions.py",
    "tests/probes/test_exposure_decisions.py",
    "tests/probes/test_probe_helpers.py",
    "tests/probes/test_probe_writes.py",
    "tests/probes/test_probes_fixture_apps.py",
    "tests/probes/test_delete_probes.py",
    "tests/probes/test_issued_credentials.py",
    "tests/probes/test_probe_mutants_context.py",
    "tests/probes/test_probe_mutants_run.py",
    "tests/probes/test_probe_mutants_runtime.py",
    "tests/probes/test_probe_mutants_bola.py",
    "tests/probes/test_probe_mutants_mass.py",
    "tests/probes/test_probe_mutants_exposure.py",
    "tests/probes/test_probe_mutants_missing_auth.py",
    "tests/probes/test_probe_mutants_discover.py",
    "tests/probes/test_probe_mutants_bola_people.py",
)
_VERDICT_TESTS = (
    "tests/core/test_verdict.py",
    "tests/core/test_mutants_verdict.py",
    "tests/report/test_report_suppress.py",
    "tests/report/test_report_baseline.py",
    "tests/report/test_report_policy.py",
)
#: decision module (relative to the package) -> the tests that judge it
TESTS: dict[str, tuple[str, ...]] = {
    "static/auth.py": _RULE_TESTS,
    "static/guardcode.py": _RULE_TESTS,
    "static/denials.py": _RULE_TESTS,
    # what is public by purpose, which paths a hook guards, which guards depend on settings
    "static/purpose.py": (
        "tests/rules/test_mutants_purpose.py",
        *_RULE_TESTS,
        "tests/rules/test_rules_purpose.py",
    ),
    # a route that checks the credential the caller submits is a login (wt-15d)
    "static/verification.py": ("tests/rules/test_rules_purpose.py", *_RULE_TESTS),
    "static/pathscope.py": (
        *_RULE_TESTS,
        "tests/rules/test_rules_purpose.py",
        "tests/rules/test_rules_scope.py",
        "tests/rules/test_mutants_pathscope.py",
    ),
    "static/conditions.py": (
        "tests/rules/test_mutants_conditions.py",
        *_RULE_TESTS,
        "tests/rules/test_rules_purpose.py",
    ),
    **{f"rules/{p.name}": _RULE_TESTS for p in sorted((ROOT / PACKAGE / "rules").glob("aps*.py"))},
    "openapi/drift.py": ("tests/drift/test_drift.py", "tests/drift/test_sample_apps.py"),
    "openapi/operation_drift.py": ("tests/drift/test_drift.py", "tests/drift/test_sample_apps.py"),
    "probes/missing_auth.py": _PROBE_TESTS,
    "probes/bola.py": _PROBE_TESTS,
    "probes/mass_assignment.py": _PROBE_TESTS,
    "probes/exposure.py": _PROBE_TESTS,
    "probes/base.py": _PROBE_TESTS,
    "probes/context.py": _PROBE_TESTS,
    "probes/run.py": _PROBE_TESTS,
    "probes/runtime.py": _PROBE_TESTS,
    "probes/data_exposure.py": _PROBE_TESTS,
    "probes/discover.py": _PROBE_TESTS,
    # which fields the mass-assignment probe injects; whether each identity gets in at all
    "probes/health.py": (
        "tests/probes/test_probe_mutants_health.py",
        "tests/probes/test_identity_health.py",
        *_PROBE_TESTS,
    ),
    "probes/injection.py": ("tests/probes/test_probe_mutants_injection.py", *_PROBE_TESTS),
    "verdict.py": _VERDICT_TESTS,
    "suppress.py": _VERDICT_TESTS,
}
# a record a project function returns is no request mapping (APS304, wt-15d)
TESTS["rules/_objects.py"] = _RULE_TESTS
# a record of a model with no owner column belongs to no caller (APS101, wt-15d)
TESTS["rules/_owners.py"] = _RULE_TESTS
# open_app (one app-level APS201) is judged in the purpose tests
TESTS["rules/aps201_missing_auth.py"] += (
    "tests/rules/test_rules_purpose.py",
    "tests/rules/test_mutants_open_app.py",
    "tests/rules/test_mutants_open_app_strays.py",
)
for _drift in ("openapi/drift.py", "openapi/operation_drift.py"):
    TESTS[_drift] += ("tests/drift/test_mutants_drift.py",)
# unguarded_siblings (one route of a resource without its siblings' role guard)
TESTS["rules/aps501_admin_without_role.py"] += (
    "tests/rules/test_rules_purpose.py",
    "tests/rules/test_mutants_admin.py",
    "tests/rules/test_mutants_admin_library.py",
)
