"""The HTML posture report: one self-contained file, readable offline.

Inline CSS, inline script and inline SVG charts; a Content-Security-Policy that
allows only those two blocks (by hash) and nothing from the network. Paths, messages
and evidence come from the app under test and its traffic, so every string goes
through ``html.escape``; the script only filters and expands what is already there.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..model import Auth, Finding, Posture, Route, Severity
from ..verdict import is_open
from .common import (
    SEVERITIES,
    count_by_severity,
    finding_file,
    open_findings,
    rel_file,
    route_level_codes,
    sort_findings,
    sort_routes,
)

OWASP_API_2023: tuple[tuple[str, str], ...] = (
    ("API1", "Broken Object Level Authorization"),
    ("API2", "Broken Authentication"),
    ("API3", "Broken Object Property Level Authorization"),
    ("API4", "Unrestricted Resource Consumption"),
    ("API5", "Broken Function Level Authorization"),
    ("API6", "Unrestricted Access to Sensitive Business Flows"),
    ("API7", "Server Side Request Forgery"),
    ("API8", "Security Misconfiguration"),
    ("API9", "Improper Inventory Management"),
    ("API10", "Unsafe Consumption of APIs"),
)
SEVERITY_COLOR: dict[Severity, str] = {
    Severity.CRITICAL: "#8b1c1c",
    Severity.HIGH: "#d9382c",
    Severity.MEDIUM: "#e08a00",
    Severity.LOW: "#2f6fd0",
    Severity.INFO: "#7b8494",
}
AUTH_COLOR: dict[Auth, str] = {
    Auth.AUTHENTICATED: "#1f9d55",
    Auth.OPTIONAL: "#e08a00",
    Auth.CONDITIONAL: "#b36ad9",
    Auth.PUBLIC: "#2f6fd0",
    Auth.NONE: "#d9382c",
}

CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d2330;background:#f4f6f9}
header{background:#16202e;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:20px;font-weight:600}
header .meta{color:#aab4c3;font-size:13px}
header .meta b{color:#fff;font-weight:600}
main{max-width:1280px;margin:0 auto;padding:20px 32px 40px}
h2{font-size:16px;margin:28px 0 10px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:10px}
.card{background:#fff;border:1px solid #dfe3ea;border-radius:8px;padding:10px 14px}
.card .n{font-size:24px;font-weight:650}
.card .l{color:#5b6473;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card.critical .n{color:#8b1c1c}.card.high .n{color:#d9382c}.card.medium .n{color:#e08a00}
.card.low .n{color:#2f6fd0}.card.info .n{color:#7b8494}
.charts{display:grid;grid-template-columns:2fr 1fr;gap:14px;margin-top:14px}
.panel{background:#fff;border:1px solid #dfe3ea;border-radius:8px;padding:14px 16px}
.panel h3{margin:0 0 8px;font-size:14px}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#1d2330}
svg .muted{fill:#5b6473}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:#5b6473;margin-top:6px}
.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.toolbar{display:flex;gap:10px;align-items:center;margin:8px 0}
#filter{flex:1;max-width:460px;padding:7px 10px;border:1px solid #c4cbd6;border-radius:6px;font:inherit}
#filter:focus{outline:2px solid #2f6fd0;outline-offset:0}
.count{color:#5b6473;font-size:13px}
button{font:inherit;font-size:13px;padding:6px 10px;border:1px solid #c4cbd6;border-radius:6px;background:#fff;cursor:pointer}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #dfe3ea;border-radius:8px;overflow:hidden}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #eceff3;vertical-align:top}
th{background:#f8f9fb;font-size:12px;color:#5b6473;text-transform:uppercase;letter-spacing:.04em}
td.path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;word-break:break-all}
td.guards{font-size:12px;color:#3b4352}
.method{font:600 11px ui-monospace,Menlo,Consolas,monospace;padding:2px 6px;border-radius:4px;background:#e8edf5;color:#16202e}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:2px 7px;border-radius:10px;color:#fff;white-space:nowrap}
.auth-authenticated{background:#1f9d55}.auth-optional{background:#e08a00}.auth-conditional{background:#b36ad9}.auth-public{background:#2f6fd0}.auth-none{background:#d9382c}
.sev-critical{background:#8b1c1c}.sev-high{background:#d9382c}.sev-medium{background:#e08a00}.sev-low{background:#2f6fd0}.sev-info{background:#7b8494}
.muted{color:#7b8494}
a.code{font:600 12px ui-monospace,Menlo,Consolas,monospace;text-decoration:none;margin-right:4px}
a.code .badge{font-family:inherit}
.accepted{opacity:.55}
.hidden-route{font-size:11px;color:#8b1c1c;font-weight:600}
details.finding{background:#fff;border:1px solid #dfe3ea;border-left:4px solid #7b8494;border-radius:6px;margin:6px 0}
details.finding.sev-critical-b{border-left-color:#8b1c1c}details.finding.sev-high-b{border-left-color:#d9382c}
details.finding.sev-medium-b{border-left-color:#e08a00}details.finding.sev-low-b{border-left-color:#2f6fd0}
summary{cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
summary .code{font:600 13px ui-monospace,Menlo,Consolas,monospace}
summary .route{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;color:#3b4352}
summary .msg{flex:1 1 320px}
summary .where{color:#5b6473;font-size:12px;font-family:ui-monospace,Menlo,Consolas,monospace}
.tag{font-size:11px;border:1px solid #c4cbd6;border-radius:10px;padding:0 7px;color:#3b4352}
.fbody{padding:4px 16px 14px;border-top:1px solid #eceff3}
.fbody dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:10px 0;font-size:13px}
.fbody dt{color:#5b6473}
.fbody dd{margin:0}
.fbody h4{margin:12px 0 4px;font-size:13px}
pre{background:#16202e;color:#e6edf6;padding:10px 12px;border-radius:6px;overflow:auto;font-size:12px;white-space:pre-wrap;word-break:break-word}
.fix{background:#eef8f1;border:1px solid #b9e2c7;border-radius:6px;padding:8px 12px;margin:0}
.notes li{margin:3px 0}
footer{color:#7b8494;font-size:12px;margin-top:30px}
[hidden]{display:none!important}
@media (max-width:900px){.charts{grid-template-columns:1fr}main,header{padding-left:14px;padding-right:14px}}
"""

SCRIPT = """
(function(){
  var box=document.getElementById('filter');
  var rows=[].slice.call(document.querySelectorAll('#endpoints tbody tr'));
  var items=[].slice.call(document.querySelectorAll('details.finding'));
  var shown=document.getElementById('shown');
  function apply(){
    var q=box.value.trim().toLowerCase(), n=0;
    rows.forEach(function(r){var hit=!q||r.textContent.toLowerCase().indexOf(q)>=0;r.hidden=!hit;if(hit)n++;});
    items.forEach(function(d){d.hidden=!!q&&d.textContent.toLowerCase().indexOf(q)<0;});
    shown.textContent=n+' of '+rows.length+' endpoints';
  }
  box.addEventListener('input',apply);
  function all(open){items.forEach(function(d){if(!d.hidden)d.open=open;});}
  document.getElementById('expand').addEventListener('click',function(){all(true);});
  document.getElementById('collapse').addEventListener('click',function(){all(false);});
  document.querySelectorAll('a.code').forEach(function(a){a.addEventListener('click',function(){
    var d=document.getElementById(a.getAttribute('href').slice(1));if(d){d.hidden=false;d.open=true;}
  });});
  apply();
})();
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def owasp_category(owasp: str) -> str:
    return owasp.split(":", 1)[0]


def cards(posture: Posture) -> str:
    still_open = open_findings(posture.findings)
    counts = count_by_severity(still_open)
    to_fix = len(still_open) - counts[Severity.INFO.value]  # info is not a finding to fix
    items = [("", len(posture.routes), "endpoints"), ("", to_fix, "open findings")]
    items += [(s.value, counts[s.value], s.value) for s in SEVERITIES]
    items += [("", sum(f.suppressed for f in posture.findings), "suppressed")]
    items += [("", sum(f.baselined for f in posture.findings), "baselined")]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card {cls}"><div class="n">{n}</div><div class="l">{esc(label)}</div></div>'
            for cls, n, label in items
        )
        + "</div>"
    )


def owasp_chart(findings: Sequence[Finding]) -> str:
    """Horizontal bars per OWASP API category, stacked by severity (open findings)."""
    by_cat: dict[str, Counter[Severity]] = {cat: Counter() for cat, _ in OWASP_API_2023}
    for finding in findings:
        by_cat.setdefault(owasp_category(finding.owasp), Counter())[finding.severity] += 1
    most = max([sum(c.values()) for c in by_cat.values()] + [1])
    label_w, bar_w, row_h = 330, 300, 24
    names = dict(OWASP_API_2023)
    parts = []
    for i, (cat, counter) in enumerate(by_cat.items()):
        y = i * row_h
        title = f"{cat} {names.get(cat, '')}".strip()
        parts.append(f'<text x="0" y="{y + 16}">{esc(title)}</text>')
        x = float(label_w)
        for severity in SEVERITIES:
            width = counter[severity] / most * bar_w
            if width:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 5}" width="{width:.1f}" height="14" rx="2" '
                    f'fill="{SEVERITY_COLOR[severity]}"><title>{esc(cat)} {severity.value}: '
                    f"{counter[severity]}</title></rect>"
                )
                x += width
        total = sum(counter.values())
        parts.append(f'<text class="muted" x="{x + 6:.1f}" y="{y + 16}">{total}</text>')
    height = len(by_cat) * row_h
    legend = "".join(
        f'<span><span class="dot sev-{s.value}"></span>{s.value}</span>' for s in SEVERITIES
    )
    return (
        f'<svg role="img" aria-label="Open findings by OWASP API category" width="100%" '
        f'viewBox="0 0 {label_w + bar_w + 40} {height}">{"".join(parts)}</svg>'
        f'<div class="legend">{legend}</div>'
    )


def auth_chart(routes: Sequence[Route]) -> str:
    """A donut of routes by auth class."""
    counts = Counter(r.auth for r in routes)
    total = sum(counts.values())
    radius, stroke = 54.0, 22
    circumference = 2 * math.pi * radius
    parts = [
        f'<circle cx="80" cy="80" r="{radius}" fill="none" stroke="#eceff3" stroke-width="{stroke}"/>'
    ]
    offset = 0.0
    for auth in Auth:
        if not counts[auth] or not total:
            continue
        length = counts[auth] / total * circumference
        parts.append(
            f'<circle cx="80" cy="80" r="{radius}" fill="none" stroke="{AUTH_COLOR[auth]}" '
            f'stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
            f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 80 80)">'
            f"<title>{auth.value}: {counts[auth]}</title></circle>"
        )
        offset += length
    parts.append(f'<text x="80" y="78" text-anchor="middle" font-size="22">{total}</text>')
    parts.append('<text class="muted" x="80" y="96" text-anchor="middle">routes</text>')
    legend = "".join(
        f'<span><span class="dot auth-{a.value}"></span>{a.value} ({counts[a]})</span>'
        for a in Auth
    )
    return (
        '<svg role="img" aria-label="Routes by auth class" width="160" height="160" '
        f'viewBox="0 0 160 160">{"".join(parts)}</svg><div class="legend">{legend}</div>'
    )


def endpoint_rows(
    posture: Posture, numbered: Sequence[tuple[str, Finding]], codes: Sequence[str]
) -> str:
    rows = []
    for route in sort_routes(posture.routes):
        key = (route.method, route.path)
        mine = [(fid, f) for fid, f in numbered if (f.method, f.path) == key]
        links = (
            "".join(
                f'<a class="code{"" if is_open(f) else " accepted"}" href="#{fid}">'
                f'<span class="badge sev-{f.severity.value}">{esc(f.code)}</span></a>'
                for fid, f in mine
            )
            or '<span class="muted">none</span>'
        )
        flagged = {f.code for _, f in mine if is_open(f)}
        clean = len([c for c in codes if c not in flagged])
        guards = (
            ", ".join(esc(g.name) for g in route.auth_guards()) or '<span class="muted">-</span>'
        )
        where = rel_file(route.location.file, posture.root) if route.location else ""
        hidden = "" if route.in_schema else ' <span class="hidden-route">not in schema</span>'
        rows.append(
            "<tr>"
            f'<td><span class="method">{esc(route.method)}</span></td>'
            f'<td class="path">{esc(route.path)}{hidden}<div class="muted">{esc(route.handler)}'
            f"{' · ' + esc(where) if where else ''}</div></td>"
            f'<td><span class="badge auth-{route.auth.value}" title="{esc(route.auth_reason)}">'
            f"{esc(route.auth.value)}</span></td>"
            f'<td class="guards">{guards}</td>'
            f"<td>{clean} of {len(codes)} clean</td>"
            f"<td>{links}</td></tr>"
        )
    return "".join(rows)


def finding_block(finding: Finding, element_id: str, posture: Posture) -> str:
    info = posture.checks.get(finding.code)
    place = finding_file(finding, posture.root)
    where = f"{place}:{finding.location.line}" if place and finding.location else ""
    tags = [finding.confidence.value]
    tags += ["preview"] if finding.status == "preview" else []
    tags += ["suppressed"] if finding.suppressed else []
    tags += ["baselined"] if finding.baselined else []
    names = dict(OWASP_API_2023)
    cat = owasp_category(finding.owasp)
    facts = [
        ("Check", f"{info.name} — {info.summary}" if info else finding.code),
        ("OWASP", f"{finding.owasp} {names.get(cat, '')}".strip()),
        ("CWE", f"CWE-{finding.cwe}" if finding.cwe else "-"),
        ("Route", finding.route_key.strip() or "application-wide"),
        ("Location", where or "-"),
        ("Fingerprint", finding.fingerprint(posture.root)),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    evidence = f"<h4>Evidence</h4><pre>{esc(finding.evidence)}</pre>" if finding.evidence else ""
    if finding.repro:
        evidence += f"<h4>Reproduce</h4><pre>{esc(finding.repro)}</pre>"
    fix = (
        f'<h4>Fix</h4><p class="fix">{esc(finding.remediation)}</p>' if finding.remediation else ""
    )
    accepted = "" if is_open(finding) else " accepted"
    return (
        f'<details class="finding sev-{finding.severity.value}-b{accepted}" id="{element_id}">'
        f'<summary><span class="badge sev-{finding.severity.value}">{finding.severity.value}</span>'
        f'<span class="code">{esc(finding.code)}</span>'
        f'<span class="route">{esc(finding.route_key.strip() or "application-wide")}</span>'
        f'<span class="msg">{esc(finding.message)}</span>'
        f'<span class="where">{esc(where)}</span>'
        + "".join(f'<span class="tag">{esc(t)}</span>' for t in tags)
        + f'</summary><div class="fbody"><dl>{dl}</dl>{evidence}{fix}</div></details>'
    )


def render_html(posture: Posture, *, tool_version: str) -> str:
    findings = sort_findings(posture.findings)
    numbered = [(f"f-{i}", f) for i, f in enumerate(findings)]
    codes = route_level_codes(posture)
    blocks = "".join(finding_block(f, fid, posture) for fid, f in numbered)
    notes = "".join(f"<li>{esc(n)}</li>" for n in posture.notes)
    error = f'<p class="fix">Error: {esc(posture.error)}</p>' if posture.error else ""
    csp = (
        f"default-src 'none'; style-src {csp_hash(CSS)}; script-src {csp_hash(SCRIPT)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API posture: {esc(posture.app)}</title>
<style>{CSS}</style></head><body>
<header><h1>API posture report</h1><div class="meta">app <b>{esc(posture.app)}</b> ·
framework <b>{esc(posture.framework)}</b> · pytest-apiposture {esc(tool_version)}</div></header>
<main>{error}
{cards(posture)}
<div class="charts">
<div class="panel"><h3>Open findings by OWASP API Top 10 (2023) category</h3>{owasp_chart(open_findings(findings))}</div>
<div class="panel"><h3>Routes by auth</h3>{auth_chart(posture.routes)}</div>
</div>
<h2>Endpoints ({len(posture.routes)})</h2>
<div class="toolbar"><input id="filter" type="search" placeholder="Filter by path, method, code, auth, text…" aria-label="Filter">
<span class="count" id="shown"></span></div>
<table id="endpoints"><thead><tr><th>Method</th><th>Path</th><th>Auth</th><th>Guards</th><th>Checks</th><th>Findings</th></tr></thead>
<tbody>{endpoint_rows(posture, numbered, codes)}</tbody></table>
<h2>Findings ({len(findings)})</h2>
<div class="toolbar"><button id="expand" type="button">Expand all</button><button id="collapse" type="button">Collapse all</button></div>
<div id="findings">{blocks or '<p class="muted">No findings.</p>'}</div>
{f'<h2>Notes</h2><ul class="notes">{notes}</ul>' if notes else ""}
<footer>Generated by pytest-apiposture {esc(tool_version)}. Faded entries are suppressed inline or accepted in the baseline.</footer>
</main><script>{SCRIPT}</script></body></html>
"""


def write_html(path: Path, posture: Posture, *, tool_version: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(posture, tool_version=tool_version), encoding="utf-8")
