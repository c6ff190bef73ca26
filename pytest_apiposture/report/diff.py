"""Compare two JSON reports: which findings are new, fixed or unchanged.

Findings are matched by fingerprint (rule + route + file + symbol, never the line),
so a handler that moved is unchanged. Two findings may share a fingerprint (one
rule flagging two lines of one handler): they are matched by count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


def _order(item: dict[str, Any]) -> tuple[int, str, str, str, int]:
    return (
        -SEVERITY_RANK.get(str(item.get("severity")), -1),
        str(item.get("path", "")),
        str(item.get("method", "")),
        str(item.get("code", "")),
        int(item.get("line") or 0),
    )


def _describe(item: dict[str, Any]) -> str:
    route = f"{item.get('method', '')} {item.get('path', '')}".strip() or "(application-wide)"
    where = f"{item.get('file')}:{item.get('line')}" if item.get("file") else "-"
    return f"{item.get('code')} {item.get('severity')} {route} {where}  {item.get('message', '')}"


@dataclass
class ReportDiff:
    new: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)

    def lines(self, *, verbose: bool = False) -> list[str]:
        """Printable summary: new and fixed findings listed, unchanged counted."""
        out = [
            f"apiposture diff: {len(self.new)} new, {len(self.fixed)} fixed, "
            f"{len(self.unchanged)} unchanged"
        ]
        for title, items in (("new", self.new), ("fixed", self.fixed)):
            if items:
                out.append(f"{title}:")
                out.extend(
                    f"  + {_describe(i)}" if title == "new" else f"  - {_describe(i)}"
                    for i in items
                )
        if verbose and self.unchanged:
            out.append("unchanged:")
            out.extend(f"    {_describe(i)}" for i in self.unchanged)
        return out


def _by_fingerprint(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in report.get("findings", []):
        grouped[str(item["fingerprint"])].append(item)
    return grouped


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> ReportDiff:
    """``old`` and ``new`` as loaded by ``report.json.read_report``."""
    before, after = _by_fingerprint(old), _by_fingerprint(new)
    result = ReportDiff()
    for fingerprint in sorted(before.keys() | after.keys()):
        was = sorted(before.get(fingerprint, []), key=_order)
        now = sorted(after.get(fingerprint, []), key=_order)
        shared = min(len(was), len(now))
        result.unchanged.extend(now[:shared])
        result.new.extend(now[shared:])
        result.fixed.extend(was[shared:])
    for items in (result.new, result.fixed, result.unchanged):
        items.sort(key=_order)
    return result
