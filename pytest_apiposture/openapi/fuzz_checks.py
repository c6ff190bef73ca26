"""The fuzz checks (APS851, APS951): one class per code, documented by its docstring.

``fuzz.fuzz_operation`` makes its findings through these classes. schemathesis's
``ignored_auth`` reports under the missing-auth probe's code (APS251): a fuzz finding
and a probe finding of one problem share a code.
"""

from __future__ import annotations

from typing import ClassVar

from ..checks import Check
from ..model import Confidence, Kind, Severity


class FuzzCheck(Check):
    """Base of the fuzz checks: schemathesis over the app's own generated schema."""

    producer: ClassVar[str] = "fuzz"
    confidence: ClassVar[Confidence] = Confidence.CONFIRMED
    severity: ClassVar[Severity] = Severity.MEDIUM


class FuzzServerError(FuzzCheck):
    """## What it does
    With `--apiposture-fuzz`, schemathesis generates requests from the app's generated
    schema for the operation and sends them in-process; a 5xx answer or an exception the
    app raises is a finding, with a curl command that reproduces it.

    ## Why is this bad?
    Input the schema allows should get an answer, not a crash: a 5xx often leaks a stack
    trace or internals, and an unhandled error path is where injection and denial of
    service start.
    """

    code = "APS851"
    name = "fuzz-server-error"
    kind = Kind.MISCONFIGURATION
    owasp = "API8:2023"
    cwe = 755
    summary = "a generated request makes the app answer 5xx or raise"
    remediation = (
        "Handle the input (validate it, catch the error) and answer 4xx; a 5xx often leaks "
        "internals."
    )


class FuzzResponseSchema(FuzzCheck):
    """## What it does
    With `--apiposture-fuzz`, checks every response to a generated request against the
    response schema the app itself publishes for the operation.

    ## Why is this bad?
    Clients, gateways and the drift checks trust the schema; a response that does not
    match it carries fields (or shapes) nobody reviewed.
    """

    code = "APS951"
    name = "fuzz-response-schema"
    kind = Kind.SPEC_DRIFT
    owasp = "API9:2023"
    cwe = 1059
    summary = "a response does not match the app's own schema"
    remediation = (
        "Make the handler return what the schema declares (a `response_model`), or fix the schema."
    )


FUZZ_CHECKS: tuple[type[FuzzCheck], ...] = (FuzzServerError, FuzzResponseSchema)
