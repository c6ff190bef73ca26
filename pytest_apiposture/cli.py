"""The ``apiposture`` command: the plugin's pipeline without pytest.

Exit codes: 0 clean, 1 findings at or above the threshold, 2 usage or setup error.
With ``--json`` the JSON report is the only thing on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .config import SEVERITY_CHOICES, ConfigError, Settings, build_settings, read_pyproject
from .report.write import ReportWriteError

if TYPE_CHECKING:
    from .verdict import Observations

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apiposture", description="API security posture for FastAPI and Flask apps"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def app_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--app", help="'pkg.mod:app' or \"pkg.mod:create_app('test')\" (default: discover)"
        )
        p.add_argument("--root", default=".", help="project root (default: the current directory)")
        p.add_argument(
            "--json", action="store_true", help="print the JSON report on stdout, nothing else"
        )
        p.add_argument(
            "--startup",
            action="store_true",
            help="start the app (lifespan) even without --probe: routes registered at startup",
        )

    scan = sub.add_parser("scan", help="run the checks (static; --probe adds runtime probes)")
    app_options(scan)
    scan.add_argument("--probe", action="store_true", help="also call every endpoint in-process")
    scan.add_argument("--spec", help="committed OpenAPI spec to compare against")
    scan.add_argument("--identity", action="append", default=None, metavar="NAME=HEADER: VALUE")
    scan.add_argument("--sarif", metavar="PATH", help="write a SARIF 2.1.0 report")
    scan.add_argument("--html", metavar="PATH", help="write the HTML posture report")
    scan.add_argument("--json-out", metavar="PATH", help="write the JSON report to PATH")
    scan.add_argument("--baseline", metavar="PATH", help="accept the findings in this baseline")
    scan.add_argument(
        "--fail-on", choices=SEVERITY_CHOICES, help="lowest failing severity (default high)"
    )
    scan.add_argument("--no-audit", action="store_true", help="skip the dependency audit")
    scan.add_argument(
        "--probe-nonce",
        metavar="TAG",
        help="tag in every name a probe creates (default: new per run); set it to replay a run",
    )

    routes = sub.add_parser("routes", help="print the route inventory")
    app_options(routes)

    sub.add_parser("rules", help="list every check code")
    explain = sub.add_parser("explain", help="print the documentation of a check")
    explain.add_argument("code")
    diff = sub.add_parser("diff", help="new and fixed findings between two JSON reports")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "rules":
            return _rules(out)
        if args.command == "explain":
            return _explain(args.code, out, err)
        if args.command == "diff":
            return _diff(args.old, args.new, out, err)
        settings = _settings(args)
    except ConfigError as exc:
        err.write(f"apiposture: {exc}\n")
        return EXIT_ERROR
    # The app's own prints (at import, in handlers) go to stderr: with --json, stdout
    # carries the report and nothing else.
    with contextlib.redirect_stdout(sys.stderr):
        if args.command == "routes":
            return _routes(settings, args.json, out, err)
        try:
            return _scan(settings, args, out, err)
        except (OSError, ReportWriteError) as exc:
            err.write(f"apiposture: {exc}\n")
            return EXIT_ERROR


def _settings(args: argparse.Namespace) -> Settings:
    root = Path(args.root).resolve()
    values: dict[str, Any] = read_pyproject(root)
    cli = {
        "app": args.app,
        "spec": getattr(args, "spec", None),
        "identities": getattr(args, "identity", None),
        "sarif": getattr(args, "sarif", None),
        "html": getattr(args, "html", None),
        "json": getattr(args, "json_out", None),
        "baseline": getattr(args, "baseline", None),
        "fail_on": getattr(args, "fail_on", None),
        "probe_nonce": getattr(args, "probe_nonce", None),
    }
    values.update({k: v for k, v in cli.items() if v is not None})
    if args.startup:
        values["startup"] = True
    if getattr(args, "no_audit", False) or args.command == "routes":
        values["audit"] = False
    if args.command == "routes":
        values["spec"] = None
    return build_settings(root, values)


def _analyse(settings: Settings, err: TextIO, *, probe: bool = False) -> Any:
    from .pipeline import analyse

    # the app stays up from the enumeration to the end of the probes: one lifetime
    analysis = analyse(settings, keep_running=probe)
    problems = [analysis.posture.error, *analysis.setup_errors]
    if analysis.spec_error:
        problems.append(f"committed spec: {analysis.spec_error}")
    if any(problems):
        err.write(f"apiposture: {'; '.join(p for p in problems if p)}\n")
        analysis.close()
        return None
    return analysis


def _routes(settings: Settings, as_json: bool, out: TextIO, err: TextIO) -> int:
    analysis = _analyse(settings, err)
    if analysis is None:
        return EXIT_ERROR
    from . import __version__
    from .report.json import build_report

    report = build_report(analysis.posture, tool_version=__version__)
    if as_json:
        json.dump({k: report[k] for k in ("version", "tool", "app", "endpoints")}, out, indent=2)
        out.write("\n")
        return EXIT_CLEAN
    rows = [("METHOD", "PATH", "HANDLER", "SOURCE", "GUARDS", "AUTH", "IN SCHEMA", "WHY")]
    for e in report["endpoints"]:
        source = f"{e['file']}:{e['line']}" if e.get("file") else "-"
        rows.append(
            (
                e["method"],
                e["path"],
                e["handler"],
                source,
                ", ".join(e["guards"]) or "-",
                e["auth"],
                "yes" if e["in_schema"] else "no",
                e["auth_reason"] or "-",  # why this auth class: guard, purpose, setting
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )
    out.write(
        f"\n{len(rows) - 1} routes in {analysis.posture.app} ({analysis.posture.framework})\n"
    )
    return EXIT_CLEAN


def _scan(settings: Settings, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from . import __version__
    from .report.write import write_reports
    from .verdict import Observations, decide

    analysis = _analyse(settings, err, probe=bool(args.probe))
    if analysis is None:
        return EXIT_ERROR
    observed = Observations()
    blind = False
    if args.probe:
        probed = _probe_all(analysis, err)
        if probed is None:
            return EXIT_ERROR
        observed, blind = probed
    verdict = decide(analysis, observed)
    for message in write_reports(verdict, settings):
        err.write(message + "\n")
    if args.json:
        from .report.json import build_report

        report = build_report(verdict.posture, tool_version=__version__, fixed=verdict.fixed)
        json.dump(report, out, indent=2)
        out.write("\n")
    else:
        from .report.terminal import summary_lines

        for text, _markup in summary_lines(
            verdict.posture,
            fail_on=settings.fail_on,
            include_preview=settings.include_preview,
            verbose=0,
            fixed=verdict.fixed,
        ):
            out.write(text + "\n")
    if analysis.setup_errors:  # an identity that cannot get in: reported, and exit 2
        return EXIT_ERROR
    return EXIT_FINDINGS if verdict.failing or blind else EXIT_CLEAN


def _probe_all(analysis: Any, err: TextIO) -> tuple[Observations, bool] | None:
    """Every applicable probe on every route; what they saw and whether most could not
    tell (that fails the scan), or None when the app cannot start."""
    from .probes.runtime import Runtime
    from .report.section import blind_line, too_blind

    runtime = Runtime(analysis)
    ran = skipped = 0
    try:
        if (startup_error := runtime.start()) is not None:
            err.write(f"apiposture: could not start the app for the probes: {startup_error}\n")
            return None
        if runtime.identity_error:  # a setup error (exit 2), said before the probes run
            err.write(f"apiposture: identities: {runtime.identity_error}\n")
            analysis.setup_errors.append(f"identities: {runtime.identity_error}")
        from .probes.discover import server_state_last

        for route in server_state_last(analysis.posture.routes):
            for code, applies in runtime.catalogue():
                if applies(route):
                    result = runtime.run_probe(code, route)
                    ran, skipped = ran + 1, skipped + bool(result.skipped)
                    if result.skipped:
                        err.write(f"apiposture: {route.key} {code} skipped: {result.skipped}\n")
                    for address in result.blocked:
                        err.write(
                            f"apiposture: {route.key} {code}: blocked the app's outbound connection to {address}\n"
                        )
    finally:
        runtime.close()
    blind = too_blind(skipped, ran)
    if blind:  # fails the scan as it fails the pytest run
        err.write(f"apiposture: {blind_line(skipped, ran)}\n")
    return runtime.observed, blind


def _rules(out: TextIO) -> int:
    from .catalogue import catalogue

    for info in sorted(catalogue().values(), key=lambda i: i.code):
        status = " (preview)" if info.status == "preview" else ""
        out.write(
            f"{info.code}  {info.severity.value:<8} {info.kind.value:<21} {info.name}{status}: {info.summary}\n"
        )
    return EXIT_CLEAN


def _explain(code: str, out: TextIO, err: TextIO) -> int:
    from .catalogue import catalogue

    info = catalogue().get(code.upper())
    if info is None:
        err.write(f"apiposture: unknown check {code!r}; `apiposture rules` lists them\n")
        return EXIT_ERROR
    out.write(
        f"{info.code} {info.name} ({info.kind.value}, OWASP {info.owasp}, {info.severity.value}"
        f"{', preview' if info.status == 'preview' else ''})\n\n{info.docs or info.summary}\n"
    )
    return EXIT_CLEAN


def _diff(old: Path, new: Path, out: TextIO, err: TextIO) -> int:
    from .report.diff import diff_reports

    try:
        reports = [json.loads(p.read_text(encoding="utf-8")) for p in (old, new)]
    except (OSError, ValueError) as exc:
        err.write(f"apiposture: cannot read report: {exc}\n")
        return EXIT_ERROR
    for path, report in zip((old, new), reports, strict=True):
        findings = report.get("findings") if isinstance(report, dict) else None
        if not isinstance(findings, list) or not all(
            isinstance(f, dict) and "fingerprint" in f for f in findings
        ):
            err.write(f"apiposture: {path} is not an apiposture JSON report (--apiposture-json)\n")
            return EXIT_ERROR
    result = diff_reports(reports[0], reports[1])
    for line in result.lines():
        out.write(line + "\n")
    return EXIT_FINDINGS if result.new else EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
