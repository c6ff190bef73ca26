"""Dependency audit: what the project declares and what the test environment has installed.

Offline by default and failing closed: a package is reported as audited only when its
exact version is known and the advisory data covers it; every other package is listed
as unaudited (APS009), never as free of vulnerabilities. See ``runner.run_audit``;
how applications and libraries are told apart is in ``project_kind``.
"""

from __future__ import annotations

from .catalog import AUDIT_CHECKS
from .runner import AuditResult, AuditSettings, run_audit

__all__ = ["AUDIT_CHECKS", "AuditResult", "AuditSettings", "run_audit"]
