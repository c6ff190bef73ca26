"""Reports made from one ``Posture``: terminal summary, JSON, SARIF, HTML, report diff.

Every report shows every finding (marked preview, suppressed or baselined);
``pytest_apiposture.verdict`` alone decides what fails the build.
"""

from __future__ import annotations

from .diff import ReportDiff, diff_reports
from .html import render_html, write_html
from .json import REPORT_VERSION, ReportError, build_report, read_report, write_report
from .sarif import build_sarif, write_sarif
from .terminal import summary_lines

__all__ = [
    "REPORT_VERSION",
    "ReportDiff",
    "ReportError",
    "build_report",
    "build_sarif",
    "diff_reports",
    "read_report",
    "render_html",
    "summary_lines",
    "write_html",
    "write_report",
    "write_sarif",
]
