"""Print the figures of the real-app runs (after run_*.py), one block per run.

    python benchmarks/realworld/summary.py [--base DIR] [--json]

Per run: routes found by the plugin vs the independent count (and which differ),
routes by auth class, findings by kind and by severity (static run, and the run with
probes), wall time of each run and of importing the app alone, the static run's
overhead over that import, and any error, traceback or missing report.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from _common import default_base
from triage import judge

SEVERITIES = ("critical", "high", "medium", "low", "info")
MEDIUM_UP = ("critical", "high", "medium")


def load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def route_keys(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["method"], e["path"]) for e in report.get("endpoints", [])}


def findings_table(report: dict[str, Any]) -> dict[str, Any]:
    findings = [f for f in report.get("findings", []) if not f.get("suppressed")]
    return {
        "total": len(findings),
        "by_severity": {
            s: n for s in SEVERITIES if (n := sum(f["severity"] == s for f in findings))
        },
        "by_kind": dict(Counter(f["kind"] for f in findings).most_common()),
        "by_code": dict(sorted(Counter(f"{f['code']}/{f['severity']}" for f in findings).items())),
        "medium_up": sum(f["severity"] in MEDIUM_UP for f in findings),
    }


def summarise(run_dir: Path) -> dict[str, Any]:
    run = load(run_dir / "run.json") or {"run": run_dir.name, "error": "no run.json"}
    out: dict[str, Any] = {"run": run.get("run", run_dir.name), "versions": run.get("versions", {})}
    errors = [run["error"]] if run.get("error") else []
    counted = load(run_dir / "routes.json")
    static = load(run_dir / "static.json")
    probes = load(run_dir / "probes.json")
    independent = {tuple(r) for r in counted["routes"]} if counted else None
    if static:
        found = route_keys(static)
        out["routes_found"] = len(found)
        out["auth"] = dict(Counter(e["auth"] for e in static["endpoints"]).most_common())
        out["static_findings"] = findings_table(static)
        if static.get("error"):
            errors.append(f"static: {static['error']}")
        if independent is not None:
            out["routes_counted"] = len(independent)
            out["missing"] = sorted(" ".join(k) for k in independent - found)
            out["extra"] = sorted(" ".join(k) for k in found - independent)
    elif run.get("static"):
        errors.append("static run wrote no report")
    if probes:
        out["probe_findings"] = findings_table(probes)
        if probes.get("error"):
            errors.append(f"probes: {probes['error']}")
    for label in ("count", "import"):
        if (run.get(label) or {}).get("error"):
            errors.append(f"{label}: {run[label]['error']}")
    times: dict[str, Any] = {}
    imported = (run.get("import") or {}).get("seconds")
    for label in ("static", "probes"):
        result = run.get(label)
        if not result:
            continue
        times[label] = result["seconds"]
        if result.get("network_attempts"):
            errors.append(f"{label}: {result['network_attempts']} outbound connection attempt(s)")
        out[f"{label}_network"] = result.get("network_attempts")
        if result.get("tracebacks"):
            errors.append(f"{label}: {result['tracebacks']} traceback(s) in the output")
        out[f"{label}_outcome"] = result.get("outcome", "")
    times["import"] = imported
    if imported and times.get("static"):
        times["static_overhead"] = round(times["static"] - imported, 2)
        times["static_ratio"] = round(times["static"] / imported, 2)
    # CPU seconds (user+sys of the process): a shared machine moves them far less
    cpu = {
        label: (run.get(key) or {}).get("cpu_seconds")
        for label, key in (
            ("import", "import"),
            ("static_cold", "static_cold"),
            ("static", "static"),
            ("import_checkout", "import_checkout"),
            ("static_checkout", "static_checkout"),
        )
    }
    if cpu["import"] and cpu["static"]:
        cpu["cold_ratio"] = round(((cpu["static_cold"] or 0) - cpu["import"]) / cpu["import"], 2)
        cpu["warm_ratio"] = round((cpu["static"] - cpu["import"]) / cpu["import"], 2)
    if cpu["import_checkout"] and cpu["static_checkout"]:  # a CI job with its cache restored
        imported = cpu["import_checkout"]
        cpu["checkout_ratio"] = round((cpu["static_checkout"] - imported) / imported, 2)
    out["seconds"] = times
    out["cpu_seconds"] = {k: v for k, v in cpu.items() if v is not None}
    out["errors"] = errors
    return out


def show(summary: dict[str, Any]) -> None:
    v = summary["versions"]
    name = summary["run"]
    frameworks = ", ".join(f"{k} {v[k]}" for k in v if k != "python")
    print(f"== {name} ({frameworks})")
    if "routes_found" in summary:
        counted = summary.get("routes_counted", "?")
        same = (
            "equal"
            if counted == summary["routes_found"] and not summary.get("missing")
            else "DIFFERENT"
        )
        print(f"routes: found {summary['routes_found']} / independent count {counted} ({same})")
        for label in ("missing", "extra"):
            if summary.get(label):
                print(f"  {label}: {', '.join(summary[label][:10])}")
        print("auth: " + ", ".join(f"{k} {n}" for k, n in summary["auth"].items()))
    for label in ("static_findings", "probe_findings"):
        table = summary.get(label)
        if not table:
            continue
        title = "static" if label == "static_findings" else "with probes"
        severities = ", ".join(f"{s} {n}" for s, n in table["by_severity"].items())
        kinds = ", ".join(f"{k} {n}" for k, n in table["by_kind"].items())
        print(f"findings {title}: {table['total']} ({severities}); medium+ {table['medium_up']}")
        print(f"  by kind: {kinds}")
        print(f"  by code: {', '.join(f'{c} {n}' for c, n in table['by_code'].items())}")
    t = summary["seconds"]
    parts = [f"{k} {t[k]}s" for k in ("import", "static", "probes") if t.get(k) is not None]
    if "static_overhead" in t:
        parts.append(f"static overhead {t['static_overhead']}s ({t['static_ratio']}x import)")
    print("wall: " + ", ".join(parts))
    for label in ("static_outcome", "probes_outcome"):
        if summary.get(label):
            print(f"pytest {label.split('_')[0]}: {summary[label]}")
    network = [
        f"{k} {summary[f'{k}_network']}"
        for k in ("static", "probes")
        if summary.get(f"{k}_network") is not None
    ]
    if network:
        print("outbound connection attempts: " + ", ".join(network))
    print("errors: " + ("; ".join(summary["errors"]) if summary["errors"] else "none"))


def triage(summaries_dir: list[Path]) -> dict[str, Any]:
    """Verdicts on every medium-or-above finding of the latest reports (probes run first)."""
    rows: Counter[tuple[str, str, str, bool | None, str, str]] = Counter()
    totals = Counter[str]()
    for run_dir in summaries_dir:
        report = load(run_dir / "probes.json") or load(run_dir / "static.json")
        if not report:
            continue
        for finding in report.get("findings", []):
            if finding["severity"] not in MEDIUM_UP or finding.get("suppressed"):
                continue
            verdict = judge(run_dir.name, finding)
            state = "untriaged" if verdict is None else ("true" if verdict.true else "false")
            totals[state] += 1
            totals[f"{run_dir.name}:{state}"] += 1
            if verdict is None or not verdict.bulk:
                totals[f"distinct:{state}"] += 1
            rows[
                (
                    run_dir.name,
                    finding["code"],
                    finding["severity"],
                    None if verdict is None else verdict.true,
                    verdict.why if verdict else finding["message"][:120],
                    verdict.cause if verdict else "",
                )
            ] += 1
    return {"rows": rows, "totals": totals}


def show_triage(result: dict[str, Any], markdown: bool) -> None:
    totals = result["totals"]
    if markdown:
        print(
            "| run | code | severity | n | verdict | what the code does | cause of a false one, and its fix |"
        )
        print("|---|---|---|---|---|---|---|")
    for (run, code, severity, verdict, why, cause), n in sorted(
        result["rows"].items(), key=lambda kv: kv[0][:3]
    ):
        label = {True: "true", False: "false", None: "UNTRIAGED"}[verdict]
        if markdown:
            print(f"| {run} | {code} | {severity} | {n} | {label} | {why} | {cause} |")
        else:
            print(f"{run:15} {code} {severity:7} {n:4}  {label:9} {why[:110]}")
    print()
    runs = sorted({key.split(":")[0] for key in totals if ":" in key} - {"distinct"})
    for label in [*runs, "distinct", ""]:
        prefix = f"{label}:" if label else ""
        true, false, open_ = (totals[f"{prefix}{s}"] for s in ("true", "false", "untriaged"))
        count = true + false + open_
        share = f"{100 * true / count:.1f}%" if count else "n/a"
        name = {"": "all runs", "distinct": "all runs without the open-by-design bulk"}.get(
            label, label
        )
        print(
            f"{'- ' if markdown else ''}medium+ findings, {name}: {true} true / {count} "
            f"({share}); false {false}, untriaged {open_}"
        )


def figures_markdown(summaries: list[dict[str, Any]]) -> None:
    print(
        "| run | routes found / independent | auth | medium+ static | medium+ with probes "
        "(by kind) | import s | static s | overhead | probes s | tracebacks, network, errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in summaries:
        t = s["seconds"]
        auth = ", ".join(f"{k} {n}" for k, n in s.get("auth", {}).items())
        static = s.get("static_findings", {}).get("medium_up", "")
        probes = s.get("probe_findings") or {}
        kinds = ", ".join(f"{k} {n}" for k, n in _medium_up_kinds(s["run"]).items())
        overhead = (
            f"+{t['static_overhead']}s ({t['static_ratio']}x)" if "static_overhead" in t else ""
        )
        problems = "; ".join(s["errors"]) or "none"
        print(
            f"| {s['run']} | {s.get('routes_found', '?')} / {s.get('routes_counted', '?')} | "
            f"{auth} | {static} | {probes.get('medium_up', '')} ({kinds}) | {t.get('import')} | "
            f"{t.get('static')} | {overhead} | {t.get('probes', '')} | {problems} |"
        )


_RUN_DIRS: dict[str, Path] = {}


def _medium_up_kinds(run: str) -> dict[str, int]:
    report = load(_RUN_DIRS[run] / "probes.json") or load(_RUN_DIRS[run] / "static.json") or {}
    return dict(
        Counter(
            f["code"]
            for f in report.get("findings", [])
            if f["severity"] in MEDIUM_UP and not f.get("suppressed")
        ).most_common()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=default_base())
    parser.add_argument("--results", default="results", help="results directory name under --base")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--triage", action="store_true", help="verdicts on medium+ findings")
    parser.add_argument("--markdown", action="store_true", help="--triage as a markdown table")
    args = parser.parse_args()
    results = args.base / args.results
    runs = sorted(p for p in results.iterdir() if p.is_dir()) if results.is_dir() else []
    if not runs:
        print(f"no results under {results}; run benchmarks/realworld/run_*.py first")
        return 1
    _RUN_DIRS.update({p.name: p for p in runs})
    summaries = [summarise(p) for p in runs]
    if args.markdown:
        figures_markdown(summaries)
        print()
    if args.triage or args.markdown:
        show_triage(triage(runs), args.markdown)
        return 0
    if args.json:
        print(json.dumps(summaries, indent=1))
    else:
        for summary in summaries:
            show(summary)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
