"""Fuzz one operation in-process with schemathesis over the app's generated schema.

schemathesis is imported lazily: the plugin works without it and ``--apiposture-fuzz``
then fails with one line saying what to install. Requests go through schemathesis's
ASGI/WSGI transports (the framework's test client), never a socket. Hypothesis runs a
bounded number of examples, derandomized (the same cases every run) and without its
example database, so nothing is written to the user's tree.
"""

from __future__ import annotations

import contextlib
import copy
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..checks import Check
from ..model import Finding, Location
from ..probes.missing_auth import MissingAuthProbe
from .fuzz_checks import FUZZ_CHECKS, FuzzResponseSchema, FuzzServerError
from .spec import template_key


class FuzzError(Exception):
    """Fuzzing could not start; the message says what to do."""


# schemathesis check name -> the check its failures are reported under; APS251 is the probe
# code for the same fact, so a fuzz finding and a probe finding of one problem share a code.
_CHECKS: dict[str, type[Check]] = {
    "not_a_server_error": FuzzServerError,
    "response_schema_conformance": FuzzResponseSchema,
    "ignored_auth": MissingAuthProbe,
}
# what to do when the schema declares security the route ignores (the probe's own advice
# is about a route with no declared security)
_IGNORED_AUTH_FIX = (
    "Enforce the declared security on the route (e.g. a `Depends(get_current_user)` that "
    "raises 401)."
)
__all__ = ["FUZZ_CHECKS", "FuzzError", "fuzz_operation"]


def fuzz_operation(
    app: Any,
    schema: dict[str, Any],
    method: str,
    path: str,
    *,
    identities: Mapping[str, Mapping[str, str]],
    max_examples: int,
    location: Location | None = None,
) -> list[Finding]:
    """Run not_a_server_error, response_schema_conformance and ignored_auth on one operation.

    The first identity's headers go on every request, so ``ignored_auth`` can replay it
    without them. One finding per distinct failure (check + title); ``location`` (the
    handler's) is put on each finding. Raises FuzzError when fuzzing cannot start.
    """
    if max_examples < 1:
        raise FuzzError(f"max_examples must be at least 1, got {max_examples}")
    modules = _import_schemathesis()
    operation = _operation(modules, app, schema, method, path)
    headers = dict(next(iter(identities.values()))) if identities else {}
    checks = [
        getattr(modules.checks, name)
        for name in ("not_a_server_error", "response_schema_conformance", "ignored_auth")
    ]
    found: dict[tuple[str, str], Finding] = {}

    def record(name: str, title: str, detail: str, case: Any) -> None:
        check = _CHECKS.get(name, FuzzResponseSchema)
        key = (check.code, title)
        if key not in found:
            found[key] = check.new_finding(
                message=f"{operation.label}: {title} (schemathesis {name})",
                remediation=_IGNORED_AUTH_FIX if check is MissingAuthProbe else None,
                method=operation.method.upper(),
                path=path,
                location=location,
                evidence=f"{detail.strip()}\n\nReproduce: {_curl(case, headers)}".strip(),
            )

    def one_case(case: Any) -> None:
        try:
            response = case.call(headers=headers or None)
        except modules.failure_types as failure:  # a before_call hook may raise one
            _record_failures(failure, record, case)
            return
        except Exception as exc:  # the app raised: in-process transports re-raise it
            record("not_a_server_error", f"the app raised {type(exc).__name__}", str(exc), case)
            return
        try:
            case.validate_response(
                response,
                checks=checks,
                headers=headers or None,
                transport_kwargs={"headers": headers} if headers else None,
            )
        except modules.failure_types as failure:
            _record_failures(failure, record, case)
        except Exception as exc:  # a probe request inside a check hit an app exception
            record("not_a_server_error", f"the app raised {type(exc).__name__}", str(exc), case)

    hypothesis = modules.hypothesis
    run = hypothesis.settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )(hypothesis.given(case=operation.as_strategy())(one_case))
    try:
        with _storage_outside_the_tree(modules):
            run()
    except hypothesis.errors.Unsatisfiable:
        if not found:
            raise FuzzError(
                f"{method} {path}: schemathesis could not generate valid requests from the "
                "schema (check its parameter and body schemas)"
            ) from None
    return list(found.values())


class _Modules:
    def __init__(self) -> None:
        import hypothesis
        import hypothesis.configuration
        import hypothesis.errors
        import schemathesis
        from schemathesis import checks
        from schemathesis.config import SchemathesisConfig
        from schemathesis.core.failures import Failure, FailureGroup

        self.hypothesis = hypothesis
        self.schemathesis = schemathesis
        self.checks = checks
        self.config = SchemathesisConfig
        self.failure_types: tuple[type[BaseException], ...] = (Failure, FailureGroup)


def _import_schemathesis() -> _Modules:
    try:
        return _Modules()
    except ImportError as exc:
        raise FuzzError(
            f"--apiposture-fuzz needs schemathesis 4 ({exc.name or exc} is not importable); "
            "install it with `pip install 'schemathesis>=4'`"
        ) from None


def _operation(modules: _Modules, app: Any, schema: dict[str, Any], method: str, path: str) -> Any:
    # from_dict stringifies keys in place: give it a copy, the caller's schema stays as it was.
    try:
        loaded = modules.schemathesis.openapi.from_dict(
            copy.deepcopy(schema), config=modules.config()
        )
    except Exception as exc:
        raise FuzzError(
            f"schemathesis cannot load the generated schema: {_first_line(exc)}"
        ) from None
    loaded.app = app  # in-process transport (ASGI or WSGI), chosen from the app
    wanted = template_key(path)
    for key in schema.get("paths") or {}:
        if template_key(str(key)) == wanted:
            try:
                return loaded[str(key)][method.upper()]
            except LookupError:
                break
    raise FuzzError(
        f"{method.upper()} {path} is not in the generated schema; only documented operations "
        "can be fuzzed"
    )


@contextlib.contextmanager
def _storage_outside_the_tree(modules: _Modules) -> Iterator[None]:
    """Hypothesis caches constants and unicode tables in ./.hypothesis even without an example
    database; point it at a temporary directory for the run unless the user chose a place."""
    configuration = modules.hypothesis.configuration
    previous = getattr(configuration, "__hypothesis_home_directory", None)
    if previous is not None or os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="apiposture-hypothesis-") as scratch:
        configuration.set_hypothesis_home_dir(scratch)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(None)


def _record_failures(
    failure: BaseException, record: Callable[[str, str, str, Any], None], case: Any
) -> None:
    for item in getattr(failure, "exceptions", None) or (failure,):
        names = [name for name in getattr(item, "checks", ()) if name in _CHECKS] or [
            "response_schema_conformance"
        ]
        record(
            names[0],
            str(getattr(item, "title", type(item).__name__)),
            str(getattr(item, "message", "")),
            case,
        )


def _curl(case: Any, headers: Mapping[str, str]) -> str:
    try:
        return str(case.as_curl_command(headers=dict(headers) or None))
    except Exception:  # evidence only; a case that cannot be printed still counts
        return f"{case.method} {case.formatted_path}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
