"""The one pipeline the plugin and the CLI share.

load app -> adapter.routes() -> classify + static rules -> drift -> audit -> Analysis.
Nothing here decides the final posture: probes run later (per item in pytest, in one
loop in the CLI) and ``verdict.decide`` judges the analysis and what they observed.
Every stage catches its own failure and records it; nothing here raises for bad input.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Settings, route_matcher
from .loading import LoadedApp, LoadError, discover, load_app
from .model import CheckInfo, Finding, Posture, Route
from .suppress import Baseline, load_baseline
from .verdict import Judge, is_open_app_finding


@dataclass
class Extensions:
    """What conftests and plugins contributed through the hooks (hookspecs.py)."""

    route_is_public: Callable[[Route], bool | None] | None = None
    extra_rules: Sequence[type[Any]] = ()
    modify_findings: Callable[[list[Finding]], None] | None = None


@dataclass
class Analysis:
    """Everything one session computed; kept in ``config.stash`` by the plugin."""

    settings: Settings
    posture: Posture
    loaded: LoadedApp | None = None
    adapter: Any = None  # FrameworkAdapter
    schema: dict[str, Any] | None = None
    spec_error: str | None = None
    audit: Any = None  # audit.AuditResult
    rule_codes: dict[str, list[str]] = field(default_factory=dict)  # route key -> rule codes run
    drift_codes: list[str] = field(default_factory=list)  # drift codes that ran on every route
    project_codes: list[str] = field(default_factory=list)
    setup_errors: list[str] = field(default_factory=list)  # fail the status item, run goes on
    judge: Judge = field(init=False)  # the verdict's rules for this run (verdict.py)
    # the app's one lifetime: started to enumerate, kept for the probes, ended by close()
    lifetime: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    served: Any = None  # adapters.lifespan.Served: the running app the probes reuse
    startup_skipped: bool = False  # the app has a startup this run did not run
    modules_before: frozenset[str] | None = None  # sys.modules before the app was loaded
    # when the analysis began: a module file modified since may differ from what was imported
    started_ns: int = field(default_factory=time.time_ns)
    _running_notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        """Shut the app down (once); what its shutdown said joins the notes."""
        seen = len(self._running_notes)
        self.served = None
        self.lifetime.close()
        self.posture.notes.extend(self._running_notes[seen:])
        self._running_notes = []

    @property
    def app_file(self) -> str | None:
        return self.loaded.module_file if self.loaded else None


def analyse(
    settings: Settings,
    *,
    override: tuple[str, Any, str | None] | None = None,
    extensions: Extensions | None = None,
    keep_running: bool = False,
    start: bool | None = None,
) -> Analysis:
    """Run every static stage. ``override``: (label, app, file) from an ``apiposture_app`` fixture.

    ``keep_running`` (the front ends that probe ask for it): the app started to list its
    routes stays up for the probes, until ``Analysis.close`` (one lifetime per run);
    otherwise it is shut down right after the enumeration, as for a static-only run.
    ``start``: run the app's startup (lifespan) before listing its routes; default: when
    it is kept running. A run that sends no requests does not start the app (its startup
    is the app's code: migrations, services, seconds of it) unless ``settings.startup``,
    or unless the app registers no route before it starts.
    """
    ext = extensions or Extensions()
    root = str(settings.root)
    posture = Posture(app=settings.app or "", framework="", root=root)
    analysis = Analysis(settings=settings, posture=posture)
    posture.checks = catalogue(ext.extra_rules)
    start_app = settings.startup or (keep_running if start is None else start)
    routes = _enumerate(analysis, override, start_app)
    if not routes or not keep_running or settings.static_only:
        analysis.close()
    if routes is not None:
        _static(analysis, routes, public_predicate(settings, ext), ext)
        _drift(analysis)
    _audit(analysis)
    analysis.judge = Judge(
        root=root,
        routes=posture.routes,
        baseline=_baseline(analysis),
        modify_findings=ext.modify_findings,
        fail_on=settings.fail_on,
        include_preview=settings.include_preview,
        open_app=any(is_open_app_finding(f) for f in posture.findings),
    )
    # The app and the analysis live until the process ends: keep the collector from
    # walking them again at every full collection and at pytest's collections at exit
    # (about 1 s over a 1,000-route app's heap).
    gc.freeze()
    return analysis


def _enumerate(
    analysis: Analysis, override: tuple[str, Any, str | None] | None, start: bool
) -> list[Route] | None:
    """Load the app and list its routes; None (with ``posture.error`` set) on failure."""
    from .adapters import AdapterError, select_adapter

    posture = analysis.posture
    try:
        if override is None:
            analysis.modules_before = frozenset(sys.modules)
        analysis.loaded = _load(analysis.settings, override)
        posture.app = analysis.loaded.target
        analysis.adapter = select_adapter(analysis.loaded.app)
        posture.framework = analysis.adapter.name
        # routes registered at startup or on a first request exist only once it has run;
        # a startup that fails is a note (the routes registered before it still count)
        # kept open (analysis.lifetime) for the probes: a second startup after a
        # shutdown is not what a server does, and some apps do not survive it
        app, host = analysis.loaded.app, analysis.settings.host
        started = analysis.lifetime.enter_context(
            analysis.adapter.running(app, host, lifespan=start)
        )
        enumeration = _listed(analysis, app)
        if getattr(started, "startup_skipped", False) and _framework_only(enumeration.routes):
            # its own routes are all registered at startup: start it after all, once
            analysis.close()
            started = analysis.lifetime.enter_context(analysis.adapter.running(app, host))
            enumeration = _listed(analysis, app)
        analysis.startup_skipped = bool(getattr(started, "startup_skipped", False))
        analysis.served = getattr(started, "served", None)
        analysis._running_notes = started
        routes: list[Route] = enumeration.routes
        posture.notes.extend([*started, *enumeration.notes])
    except (LoadError, AdapterError) as exc:
        analysis.close()
        posture.error = str(exc)
        return None
    except Exception as exc:  # an adapter bug must not take the session down
        analysis.close()
        posture.error = (
            f"enumerating the routes of {posture.app} failed: {type(exc).__name__}: {exc}"
        )
        return None
    if not routes:
        posture.error = (
            f"{posture.app} registers no routes; point --apiposture-app at the app that "
            "includes your routers/blueprints (or its factory)"
        )
    return routes


def _listed(analysis: Analysis, app: Any) -> Any:
    """The adapter's enumeration, with what it reads from source files kept across runs
    in the cache directory (adapters/_def_store.py)."""
    from .adapters._def_store import def_store

    with def_store(analysis.settings.cache_dir, analysis.posture.notes):
        return analysis.adapter.enumerate(app)


def _framework_only(routes: Sequence[Route]) -> bool:
    """No route of the app's own (only the framework's docs and schema routes)."""
    from .openapi.drift import FRAMEWORK_MODULES

    modules = tuple(m + "." for m in FRAMEWORK_MODULES)
    return all(f"{r.handler.split(':', 1)[0]}.".startswith(modules) for r in routes)


def _load(settings: Settings, override: tuple[str, Any, str | None] | None) -> LoadedApp:
    if override is not None:
        label, app, file = override  # file: where the fixture is defined (items anchor there)
        return LoadedApp(label, app, os.path.abspath(file) if file else None)
    target = settings.app or discover(settings.root)
    return load_app(target, settings.root)


def public_predicate(settings: Settings, ext: Extensions) -> Callable[[Route], bool]:
    by_config = route_matcher(settings.knowledge.public_routes)

    def is_public(route: Route) -> bool:
        if ext.route_is_public is not None:
            verdict = ext.route_is_public(route)
            if verdict is not None:
                return verdict
        if getattr(route.endpoint, "__apiposture_public__", False):
            return True
        return by_config(route)

    return is_public


def _static(
    analysis: Analysis, routes: list[Route], is_public: Callable[[Route], bool], ext: Extensions
) -> None:
    from .rules import RULES
    from .static.engine import analyse as run_rules
    from .static.engine import project_files_for
    from .static.source import SourceIndex

    settings = analysis.settings
    rules = [r() for r in (*RULES, *ext.extra_rules) if settings.code_enabled(r.code)]
    index = SourceIndex(settings.root, cache_dir=_static_cache_dir(settings))
    files = project_files_for(routes, analysis.app_file, settings.root)
    result = run_rules(
        routes,
        root=settings.root,
        knowledge=settings.knowledge,
        index=index,
        rules=rules,
        is_public=is_public,
        project_files=files,
    )
    from .rules.aps201_missing_auth import open_app
    from .rules.aps501_admin_without_role import unguarded_siblings

    analysis.posture.routes = list(result.routes)
    analysis.posture.findings.extend(
        open_app(
            result.routes,
            result.findings,
            declared_open=settings.auth == "none",
            app_file=analysis.app_file,
        )
    )
    if settings.code_enabled("APS501"):  # reads every route's siblings: after the pass
        analysis.posture.findings.extend(unguarded_siblings(result.routes))
    analysis.posture.notes.extend(result.notes)
    for route in result.routes:
        analysis.rule_codes[route.key] = [
            r.code for r in rules if r.scope == "route" and r.applies(route)
        ]
    analysis.project_codes = [r.code for r in rules if r.scope == "project"]


def _static_cache_dir(settings: Settings) -> Path | None:
    return settings.cache_dir / "source" if settings.cache_dir else None


def static_result_holds(settings: Settings) -> bool:
    """A previous run's static result is stored for this project and no file it read
    has changed since (whether the app still has the same routes needs the app)."""
    from .static.run import run_entry_holds

    cache = _static_cache_dir(settings)
    return cache is not None and run_entry_holds(cache, settings.root)


def _drift(analysis: Analysis) -> None:
    from .openapi.drift import compare
    from .openapi.drift_checks import route_codes
    from .openapi.lint import lint_spec
    from .openapi.spec import SpecError, load_spec, write_snapshot
    from .static.pages import serves
    from .static.source import SourceIndex

    settings, posture = analysis.settings, analysis.posture
    index = SourceIndex(settings.root)  # only the handlers of routes the schema leaves out
    assert analysis.loaded is not None
    analysis.schema = _schema(analysis)
    committed = None
    if settings.spec:
        spec_path = settings.resolve(settings.spec)
        try:
            if settings.update_spec and analysis.schema is not None:
                write_snapshot(spec_path, analysis.schema)
            committed = load_spec(spec_path)
        except SpecError as exc:
            analysis.spec_error = str(exc)
    try:
        findings = compare(
            posture.routes,
            generated=analysis.schema,
            committed=committed,
            spec_path=str(settings.resolve(settings.spec)) if settings.spec else None,
            knowledge=settings.knowledge,
            framework=posture.framework,
            serves=lambda route: serves(index, route),
        )
    except SpecError as exc:  # the app's own generated schema is broken
        posture.notes.append(f"drift skipped: {exc}")
        findings = []
    if committed is not None:
        findings += lint_spec(committed, knowledge=settings.knowledge)
    posture.findings.extend(f for f in findings if settings.code_enabled(f.code))
    codes = route_codes(schema=analysis.schema is not None, spec=committed is not None)
    analysis.drift_codes = [c for c in codes if settings.code_enabled(c)]


def _schema(analysis: Analysis) -> dict[str, Any] | None:
    """The app's generated schema: from the schema cache while nothing it was built from
    changed (openapi/schema_cache.py), else generated (and stored)."""
    from .adapters import AdapterError
    from .openapi.schema_cache import SchemaCache

    settings, posture, loaded = analysis.settings, analysis.posture, analysis.loaded
    assert loaded is not None
    before = analysis.modules_before
    cache = SchemaCache.open(
        settings.cache_dir,
        target=loaded.target,
        root=str(settings.root),
        routes=posture.routes,
        new_modules=None if before is None else frozenset(sys.modules) - before,
    )
    stored = cache.get() if cache is not None else None
    if stored is not None:
        return stored
    try:
        schema: dict[str, Any] | None = analysis.adapter.openapi(loaded.app)
    except AdapterError as exc:
        posture.notes.append(f"OpenAPI schema: {exc}")
        return None
    if cache is not None and schema is not None:
        note = cache.save(schema, since_ns=analysis.started_ns)
        if note:
            posture.notes.append(note)
    return schema


def _audit(analysis: Analysis) -> None:
    settings = analysis.settings
    if not settings.audit or not settings.code_enabled("APS0"):
        return
    from .audit import AuditSettings, run_audit

    try:
        result = run_audit(
            AuditSettings(
                root=settings.root,
                advisories_path=settings.resolve(settings.advisories)
                if settings.advisories
                else None,
                strict=settings.audit_strict,
                # a project with an app under test is an application: pins matter
                application=True if analysis.loaded is not None or settings.app else None,
                application_reason="app under test: "
                + (analysis.loaded.target if analysis.loaded else settings.app or ""),
            )
        )
    except Exception as exc:  # the audit must never cost the route checks
        analysis.posture.notes.append(f"dependency audit failed: {type(exc).__name__}: {exc}")
        return
    analysis.audit = result
    analysis.posture.findings.extend(f for f in result.findings if settings.code_enabled(f.code))
    analysis.posture.notes.extend(result.notes)


def _baseline(analysis: Analysis) -> Baseline | None:
    settings = analysis.settings
    if not settings.baseline or settings.update_baseline:
        return None
    try:
        return load_baseline(settings.resolve(settings.baseline))
    except Exception as exc:  # BaselineError and unreadable files alike
        analysis.setup_errors.append(f"baseline {settings.baseline}: {exc}")
        return None


def catalogue(extra_rules: Sequence[type[Any]] = ()) -> dict[str, CheckInfo]:
    """code -> CheckInfo for every check any stage can report (``catalogue.catalogue``)."""
    from .catalogue import catalogue as build

    return build(extra_rules)
