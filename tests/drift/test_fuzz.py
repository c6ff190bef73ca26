"""fuzz.fuzz_operation: schemathesis in-process, bounded, one finding per distinct failure."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from pytest_apiposture.model import Confidence, Location, Severity
from pytest_apiposture.openapi.fuzz import FUZZ_CHECKS, FuzzError, fuzz_operation

FIXTURES = Path(__file__).parent / "fixtures"
ALICE = {"alice": {"Authorization": "Bearer alice-token"}}


@pytest.fixture(scope="module")
def apps() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "drift_fixture_fuzz_apps", FIXTURES / "fuzz_apps.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(findings: list) -> list[tuple[str, str, str, str, Severity]]:  # type: ignore[type-arg]
    return [(f.code, f.method, f.path, f.message, f.severity) for f in findings]


def test_asgi_server_error_schema_violation_and_ignored_auth(apps: ModuleType) -> None:
    schema = apps.asgi_app.openapi()
    before = copy.deepcopy(schema)
    here = Location("/src/app.py", 12, "boom")

    def fuzz(path: str, identities: dict[str, dict[str, str]] = ALICE) -> list:  # type: ignore[type-arg]
        return fuzz_operation(
            apps.asgi_app, schema, "GET", path, identities=identities, max_examples=3, location=here
        )

    boom = fuzz("/boom/{n}")
    assert rows(boom) == [
        (
            "APS851",
            "GET",
            "/boom/{n}",
            "GET /boom/{n}: the app raised RuntimeError (schemathesis not_a_server_error)",
            Severity.MEDIUM,
        )
    ]
    assert boom[0].evidence.startswith("unhandled ")
    assert (
        "Reproduce: curl -X GET -H 'Authorization: [Filtered]' http://testserver/boom/"
        in boom[0].evidence
    )
    assert (boom[0].location, boom[0].confidence) == (here, Confidence.CONFIRMED)
    assert rows(fuzz("/wrong-shape")) == [
        (
            "APS951",
            "GET",
            "/wrong-shape",
            "GET /wrong-shape: Response violates schema (schemathesis response_schema_conformance)",
            Severity.MEDIUM,
        )
    ]
    assert rows(fuzz("/ignores-auth")) == [
        (
            "APS251",
            "GET",
            "/ignores-auth",
            "GET /ignores-auth: API accepts "
            "requests without authentication (schemathesis ignored_auth)",
            Severity.HIGH,
        )
    ]
    # no identity: schemathesis sends a made-up credential, which the route also accepts
    assert rows(fuzz("/ignores-auth", {})) == [
        (
            "APS251",
            "GET",
            "/ignores-auth",
            "GET /ignores-auth: API accepts invalid authentication (schemathesis ignored_auth)",
            Severity.HIGH,
        )
    ]
    assert fuzz("/checks-auth/{item_id}") == []
    assert schema == before  # the caller's schema is not modified


def test_wsgi_app_with_a_schema_and_a_renamed_path_parameter(apps: ModuleType) -> None:
    found = fuzz_operation(
        apps.wsgi_app, apps.WSGI_SCHEMA, "get", "/notes/{note_id}", identities={}, max_examples=2
    )
    assert rows(found) == [
        (
            "APS951",
            "GET",
            "/notes/{note_id}",
            "GET /notes/{id}: Response violates schema (schemathesis response_schema_conformance)",
            Severity.MEDIUM,
        )
    ]
    crash = fuzz_operation(
        apps.wsgi_app, apps.WSGI_SCHEMA, "GET", "/crash", identities={}, max_examples=1
    )
    assert rows(crash) == [
        (
            "APS851",
            "GET",
            "/crash",
            "GET /crash: Server error (schemathesis not_a_server_error)",
            Severity.MEDIUM,
        )
    ]


def test_errors_are_one_line(apps: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = apps.asgi_app.openapi()
    with pytest.raises(
        FuzzError, match=r"^DELETE /boom/\{x\} is not in the generated schema; only documented"
    ):
        fuzz_operation(apps.asgi_app, schema, "DELETE", "/boom/{x}", identities={}, max_examples=1)
    with pytest.raises(FuzzError, match=r"^schemathesis cannot load the generated schema: "):
        fuzz_operation(
            apps.asgi_app, {"openapi": "9.9"}, "GET", "/x", identities={}, max_examples=1
        )
    with pytest.raises(FuzzError, match=r"^max_examples must be at least 1, got 0$"):
        fuzz_operation(apps.asgi_app, schema, "GET", "/boom/{n}", identities={}, max_examples=0)
    monkeypatch.setitem(
        sys.modules, "schemathesis", None
    )  # what `import schemathesis` sees when absent
    with pytest.raises(
        FuzzError, match=r"^--apiposture-fuzz needs schemathesis 4 .*pip install 'schemathesis>=4'"
    ):
        fuzz_operation(apps.asgi_app, schema, "GET", "/boom/{n}", identities={}, max_examples=1)


def test_fuzz_checks_are_new_codes_in_the_probe_range() -> None:
    assert [(c.code, c.name, c.kind.value, c.owasp) for c in FUZZ_CHECKS] == [
        ("APS851", "fuzz-server-error", "misconfiguration", "API8:2023"),
        ("APS951", "fuzz-response-schema", "spec-drift", "API9:2023"),
    ]


def test_hypothesis_writes_nothing_into_the_working_tree(
    apps: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hypothesis.configuration as configuration

    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    monkeypatch.setattr(
        configuration, "__hypothesis_home_directory_default", tmp_path / ".hypothesis"
    )
    monkeypatch.setattr(configuration, "__hypothesis_home_directory", None)
    fuzz_operation(
        apps.asgi_app, apps.asgi_app.openapi(), "GET", "/wrong-shape", identities={}, max_examples=2
    )
    assert list(tmp_path.iterdir()) == []
    assert getattr(configuration, "__hypothesis_home_directory") is None
