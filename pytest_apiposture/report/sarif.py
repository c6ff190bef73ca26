"""SARIF 2.1.0 for code scanning (GitHub, GitLab, IDE viewers).

Rules carry the full check documentation; results point at the finding's source
relative to ``%SRCROOT%``, carry a line-independent fingerprint, and are marked
``baselineState: unchanged`` (baselined) or with an in-source suppression.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..model import CheckInfo, Confidence, Finding, Kind, Location, Posture, Route, Severity
from .common import rel_file, sort_findings

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/apiposture/pytest-apiposture"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "apipostureFingerprint/v1"
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub buckets security-severity: >9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, <4 low.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
PRECISION: dict[Confidence, str] = {
    Confidence.CONFIRMED: "very-high",
    Confidence.LIKELY: "high",
    Confidence.POSSIBLE: "medium",
}


def rule_tags(info: CheckInfo) -> list[str]:
    tags = ["security", str(info.kind), f"OWASP-{info.owasp}"]
    if info.cwe is not None:
        tags.append(f"CWE-{info.cwe}")
    if info.status == "preview":
        tags.append("preview")
    return tags


def markdown_to_text(markdown: str) -> str:
    """Plain text for viewers that do not render markdown: no heading marks, no fences."""
    lines = []
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            continue
        lines.append(line.lstrip("#").strip() if line.startswith("#") else line)
    return "\n".join(lines).strip()


def rule_descriptor(info: CheckInfo) -> dict[str, Any]:
    docs = info.docs.strip() or info.summary
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {"text": markdown_to_text(docs), "markdown": docs},
        "helpUri": info.help_uri,
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": {
            "tags": rule_tags(info),
            "security-severity": SECURITY_SEVERITY[info.severity],
            "precision": PRECISION[info.confidence],
            "problem.severity": "recommendation"
            if LEVELS[info.severity] == "note"
            else LEVELS[info.severity],
        },
    }


def check_for(finding: Finding, checks: dict[str, CheckInfo]) -> CheckInfo:
    """The finding's check; a producer outside the catalogue still gets a rule."""
    known = checks.get(finding.code)
    if known is not None:
        return known
    return CheckInfo(
        code=finding.code,
        name=finding.code.lower(),
        kind=finding.kind,
        owasp=finding.owasp,
        severity=finding.severity,
        confidence=finding.confidence,
        summary=finding.message,
        cwe=finding.cwe,
        status=finding.status,
    )


def result_location(finding: Finding, routes: dict[tuple[str, str], Route]) -> Location | None:
    """The finding's own place, else its route's handler (code scanning needs one)."""
    if finding.location is not None:
        return finding.location
    route = routes.get((finding.method, finding.path))
    return route.location if route is not None else None


def physical_location(location: Location, root: str) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(location.line, 1)}
    if location.end_line and location.end_line >= location.line:
        region["endLine"] = location.end_line
    artifact: dict[str, Any] = {"uri": rel_file(location.file, root)}
    if not Path(artifact["uri"]).is_absolute():
        artifact["uriBaseId"] = SRCROOT
    else:  # outside the project (an installed package): an absolute file URI
        artifact["uri"] = Path(location.file).as_uri()
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def result_message(finding: Finding) -> str:
    text = finding.message
    if finding.route_key.strip():
        text = f"{finding.route_key}: {text}"
    # a probe's transcript is the proof; static evidence is the flagged code itself
    if finding.evidence and finding.confidence is Confidence.CONFIRMED:
        text += f"\n\nEvidence:\n{finding.evidence}"
    if finding.repro:
        text += f"\n\nReproduce:\n{finding.repro}"
    if finding.remediation:
        text += f"\n\nFix: {finding.remediation}"
    return text


def sarif_result(
    finding: Finding, rule_index: int, posture: Posture, routes: dict[tuple[str, str], Route]
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "kind": str(finding.kind),
        "owasp": finding.owasp,
        "severity": str(finding.severity),
        "confidence": str(finding.confidence),
        "status": finding.status,
    }
    if finding.method or finding.path:
        properties["route"] = finding.route_key
    if finding.evidence:
        properties["evidence"] = finding.evidence
    if finding.repro:
        properties["repro"] = finding.repro
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": result_message(finding)},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint(posture.root)},
        "properties": properties,
    }
    location = result_location(finding, routes)
    if (
        location is not None
        and finding.kind is Kind.DEPENDENCY
        and Path(rel_file(location.file, posture.root)).is_absolute()
    ):
        # a dependency declared outside the repository (a workspace lock above it, say):
        # the package is the place; an absolute file URI is dropped by code scanning
        result["locations"] = [
            {"logicalLocations": [{"fullyQualifiedName": location.symbol or finding.path}]}
        ]
        location = None
    if location is not None:
        result["locations"] = [physical_location(location, posture.root)]
        if location.symbol:
            result["locations"][0]["logicalLocations"] = [
                {"fullyQualifiedName": location.symbol}  # a function, class or setting
            ]
    if finding.baselined:
        result["baselineState"] = "unchanged"
    if finding.suppressed:
        result["suppressions"] = [
            {"kind": "inSource", "justification": "# apiposture: ignore[...] comment"}
        ]
    return result


def notifications(posture: Posture) -> list[dict[str, Any]]:
    items = [{"level": "warning", "message": {"text": note}} for note in posture.notes]
    if posture.error:
        items.append({"level": "error", "message": {"text": posture.error}})
    return items


def build_sarif(posture: Posture, *, tool_version: str) -> dict[str, Any]:
    findings = sort_findings(posture.findings)
    checks = dict(posture.checks)
    for finding in findings:
        checks.setdefault(finding.code, check_for(finding, posture.checks))
    codes = sorted(checks)
    index = {code: i for i, code in enumerate(codes)}
    routes = {(r.method, r.path): r for r in posture.routes}
    root_uri = Path(posture.root).as_uri().rstrip("/") + "/" if posture.root else "file:///"
    invocation: dict[str, Any] = {"executionSuccessful": posture.error is None}
    if posture.notes or posture.error:
        invocation["toolExecutionNotifications"] = notifications(posture)
    driver: dict[str, Any] = {
        "name": "pytest-apiposture",
        "version": tool_version,
        "informationUri": INFORMATION_URI,
        "rules": [rule_descriptor(checks[code]) for code in codes],
    }
    if SEMVER.match(tool_version):  # PEP 440 dev versions are not semver
        driver["semanticVersion"] = tool_version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"apiposture/{posture.app}/"},
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": [sarif_result(f, index[f.code], posture, routes) for f in findings],
        "properties": {"app": posture.app, "framework": posture.framework},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(path: Path, posture: Posture, *, tool_version: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = build_sarif(posture, tool_version=tool_version)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
