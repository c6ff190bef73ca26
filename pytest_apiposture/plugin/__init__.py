"""pytest hooks only: options, configure, collection, header, reports, summary.

Without ``--apiposture`` (or ``apiposture = true`` in the ini file) every hook returns
at once: nothing is imported, loaded or collected.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..config import (
    OPTIONS,
    SEVERITY_CHOICES,
    ConfigError,
    build_settings,
    option_flag,
    read_pyproject,
)
from ..verdict import Observations
from .items import OBSERVED_PROPERTY, RESULT_PROPERTY, ApipostureFile
from .session import (
    ItemResult,
    RunRecord,
    analysis_key,
    analysis_of,
    collected_key,
    observed_key,
    record_key,
    runtime_key,
    runtime_of,
    session_key,
    settings_key,
    verdict_of,
    with_workers_key,
)

NONCE_INPUT = "apiposture_probe_nonce"  # the run's nonce, controller -> xdist workers


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from .. import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apiposture", "API security posture (pytest-apiposture)")
    group.addoption(
        "--apiposture",
        action="store_true",
        default=None,
        help="check the app's API security posture: routes, auth, drift, probes",
    )
    parser.addini(
        "apiposture", "enable apiposture without --apiposture", type="bool", default=False
    )
    for name, (kind, help_text) in OPTIONS.items():
        flag = option_flag(name)
        if kind == "bool":
            dest = f"apiposture_{name}"
            group.addoption(flag, action="store_true", default=None, dest=dest, help=help_text)
            # turns off what the ini file or pyproject.toml turned on, for one run
            negative = "--apiposture-no-" + name.replace("_", "-")
            group.addoption(
                negative, action="store_false", default=None, dest=dest, help=f"not {flag}"
            )
        elif kind in ("linelist", "args"):
            group.addoption(
                flag,
                action="append",
                default=None,
                dest=f"apiposture_{name}",
                metavar="VALUE",
                help=help_text + " (repeatable)",
            )
        elif name == "fail_on":
            group.addoption(flag, choices=SEVERITY_CHOICES, default=None, help=help_text)
        else:
            group.addoption(flag, default=None, metavar="VALUE", help=help_text)
        # default=None: an unset ini key must not override pyproject with False / [] / ""
        ini_type = None if kind == "string" else kind
        parser.addini(f"apiposture_{name}", help_text, type=ini_type, default=None)


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("apiposture") or config.getini("apiposture"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "apiposture: API security posture checks (pytest-apiposture)"
    )
    if not _enabled(config):
        return
    root = Path(str(config.rootpath))
    try:
        values: dict[str, Any] = read_pyproject(root)
        for name in OPTIONS:
            ini = config.getini(f"apiposture_{name}")
            if ini not in (None, "", []):
                values[name] = ini
            cli = config.getoption(f"apiposture_{name}")
            if cli is not None:
                values[name] = cli
        if hasattr(config, "workerinput"):
            # only the controller writes files into the user's tree
            values.update(update_spec=False, update_baseline=False)
            # one nonce per run: the controller's, in every worker's probe-created names
            values["probe_nonce"] = config.workerinput.get(NONCE_INPUT) or values.get("probe_nonce")
        cache_plugin = getattr(config, "cache", None)  # absent with -p no:cacheprovider
        cache = Path(str(cache_plugin.mkdir("apiposture"))) if cache_plugin else None
        settings = build_settings(root, values, cache_dir=cache)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[settings_key] = settings
    config.stash[observed_key] = Observations()
    config.stash[record_key] = RunRecord()
    from ..catalogue import catalogue

    for info in catalogue().values():  # codes are markers: -m APS251 under --strict-markers
        config.addinivalue_line("markers", f"{info.code}: {info.name} (pytest-apiposture)")
    config.pluginmanager.register(_ObservationSink(config), "apiposture-observations")
    config.pluginmanager.register(_ServerStateLast(), "apiposture-server-state-last")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """The xdist controller hands its run nonce to each worker it starts."""
    settings = node.config.stash.get(settings_key, None)
    if settings is not None:
        node.workerinput[NONCE_INPUT] = settings.probe_nonce


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist load``: xdist's own scheduler, holding back the items that probe writes
    changing the whole app until every other item of the run has finished
    (plugin/xdist_order.py). Other modes keep xdist's scheduler."""
    if settings_key not in config.stash:
        return None
    last = _server_state_ids(config)
    dist = config.getvalue("dist")
    if not last or dist != "load":
        if last and dist not in _KEEPS_ORDER:
            analysis_of(config).posture.notes.append(
                f"--dist {dist} may probe {len(last)} write(s) changing the whole app "
                "(first install, settings) while other workers still probe: with --dist "
                "load (the default of -n) they run after every other item"
            )
        return None
    from .xdist_order import ServerStateLastScheduling

    return ServerStateLastScheduling(config, log, last)


# xdist modes that run the apiposture items in their collection order on one worker
# each (loadfile, loadscope: one file, one scope; each: every worker all of them)
_KEEPS_ORDER = frozenset({"loadfile", "loadscope", "each"})


def _server_state_ids(config: pytest.Config) -> frozenset[str]:
    """Node ids of the endpoint items that probe a server-wide write (none when nothing
    is probed)."""
    from ..probes.discover import changes_server_state

    analysis = analysis_of(config)
    if analysis.settings.static_only or analysis.posture.error:
        return frozenset()
    keys = [r.key for r in analysis.posture.routes if changes_server_state(r)]
    if not keys:
        return frozenset()
    anchor = ApipostureFile.from_parent(config.stash[session_key], path=_anchor(config))
    return frozenset(f"{anchor.nodeid}::{key}" for key in keys)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config: pytest.Config, specs: Any) -> None:
    """Unless a valid static result is cached, the xdist controller runs the static pass
    before it starts the workers, so they read it from the cache (.pytest_cache/d/apiposture)
    instead of each redoing it: what the workers share out is the probing. With one
    cached, the workers start first and the controller reads it while they import the
    app (its scheduler asks), so its own import and reading overlap theirs."""
    if settings_key in config.stash and not _analysed_with_the_workers(config):
        analysis_of(config)


def _analysed_with_the_workers(config: pytest.Config) -> bool:
    """This is the xdist controller, it writes nothing the workers read (the committed
    spec, with --apiposture-update-spec), and the cached static result still holds:
    it analyses after the workers are started, not before. Decided once."""
    decided = config.stash.get(with_workers_key, None)
    if decided is None:
        from ..pipeline import static_result_holds

        settings = config.stash[settings_key]
        decided = config.stash[with_workers_key] = (
            config.pluginmanager.hasplugin("dsession")
            and not settings.update_spec
            and static_result_holds(settings)
        )
    return decided


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    if settings_key in session.config.stash:
        session.config.stash[session_key] = session


def pytest_report_header(config: pytest.Config) -> str | None:
    if settings_key not in config.stash:
        return None
    settings = config.stash[settings_key]
    mode = "static" if settings.static_only else "static+probes"
    if analysis_key not in config.stash and _analysed_with_the_workers(config):
        return (  # the header comes before the workers start
            f"apiposture: app={settings.app or '(discovered)'} mode={mode}: analysed from "
            "the cache while the xdist workers start (the summary gives the counts)"
        )
    analysis = analysis_of(config)
    posture = analysis.posture
    if posture.error:
        return f"apiposture: app={posture.app or '?'} error: {posture.error}"
    rules = len(
        {c for codes in analysis.rule_codes.values() for c in codes} | set(analysis.project_codes)
    )
    if analysis.startup_skipped:  # said once: routes its startup registers are not listed
        mode += " (app not started: --apiposture-startup to run its startup)"
    who = "" if settings.static_only else " " + runtime_of(config).describe_identities()
    return (
        f"apiposture: app={posture.app} framework={posture.framework} "
        f"routes={len(posture.routes)} rules={rules} mode={mode}{who}"
    )


def _anchor(config: pytest.Config) -> Path:
    """The file the items hang under: the app's module, or the file the target names when
    importing it failed, or the config file; never a file that does not exist."""
    from ..loading import target_file

    analysis = analysis_of(config)
    named = analysis.app_file or (
        target_file(analysis.settings.app, analysis.settings.root)
        if analysis.settings.app
        else None
    )
    if named:
        return Path(named)
    if config.inipath:
        return Path(str(config.inipath))
    return Path(str(config.rootpath)) / "apiposture"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    config = parent.config
    if settings_key not in config.stash:
        return None
    # Only when the file is named on the command line (selecting one item by node id);
    # otherwise the items are added once, in pytest_collection_modifyitems.
    named = {
        Path(str(config.invocation_params.dir), a.split("::")[0]).resolve() for a in config.args
    }
    if file_path.resolve() in named and file_path.resolve() == _anchor(config).resolve():
        config.stash[collected_key] = True
        return ApipostureFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if settings_key not in config.stash or config.stash.get(collected_key, False):
        return
    node = ApipostureFile.from_parent(session, path=_anchor(config))
    items[:0] = list(_genitems(session, node))


def _genitems(session: pytest.Session, node: ApipostureFile) -> Iterator[pytest.Item]:
    yield from session.genitems(node)


class _ServerStateLast:
    """The items that probe a write changing the whole app (first install, settings) go
    after every other item of the session, the user's own tests included, whatever
    reordered the items before (xdist: plugin/xdist_order.py)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        from ..probes.discover import changes_server_state
        from .items import EndpointItem

        def last(item: pytest.Item) -> bool:
            return (
                isinstance(item, EndpointItem)
                and bool(item.probes)
                and item.route is not None
                and changes_server_state(item.route)
            )

        items.sort(key=last)  # stable: every other item keeps its place


class _ObservationSink:
    """Reads what each apiposture item observed and decided from its report
    (user_properties travel to the xdist controller too) into ``config.stash``."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "apiposture" not in report.keywords:
            return
        record = self.config.stash[record_key]
        if report.failed and report.when == "call":
            record.failed += 1
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == OBSERVED_PROPERTY:
                self.config.stash[observed_key].merge(Observations.from_json(str(value)))
            elif name == RESULT_PROPERTY:
                result = ItemResult.from_json(str(value))
                record.results[result.key] = result


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if settings_key not in config.stash or hasattr(config, "workerinput"):
        return
    from ..report.section import section_lines

    terminalreporter.section("apiposture")
    lines = section_lines(
        verdict_of(config),
        config.stash[record_key],
        analysis_of(config).judge,
        verbose=config.get_verbosity(),
    )
    for text, markup in lines:
        terminalreporter.write_line(text, **markup)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if settings_key not in config.stash:
        return
    runtime = config.stash.get(runtime_key, None)
    if runtime is not None:
        runtime.close()
    analysis = config.stash.get(analysis_key, None)
    if analysis is not None:  # the app's one lifetime ends here (once, probes or not)
        analysis.close()
    if hasattr(config, "workerinput"):
        return
    from ..report.section import late_findings, mostly_blind
    from ..report.write import ReportWriteError, write_reports

    settings, record, verdict = (
        config.stash[settings_key],
        config.stash[record_key],
        verdict_of(config),
    )
    # a failing finding no item raised (an exposure seen after its endpoint's item ran)
    # still fails the run: pytest and `apiposture scan` exit alike
    # so does a run whose probes mostly could not tell (report/section.py says why)
    failed_late = late_findings(verdict, record) or mostly_blind(record) is not None
    if failed_late and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    try:
        record.written = write_reports(verdict, settings)
    except ReportWriteError as exc:
        # CI expects the file: a run that could not write it must not look green
        record.written = [f"apiposture: ERROR {exc}"]
        session.exitstatus = pytest.ExitCode.USAGE_ERROR


@pytest.fixture(scope="session")
def apiposture_app(pytestconfig: pytest.Config) -> Any:
    """The app under test as apiposture loaded it; override in a conftest to build it
    yourself (a zero-argument fixture: it is also called at collection time)."""
    if settings_key not in pytestconfig.stash:
        pytest.skip("apiposture is not enabled (pass --apiposture)")
    loaded = analysis_of(pytestconfig).loaded
    if loaded is None:
        pytest.skip("apiposture could not load the app")
    return loaded.app


@pytest.fixture(scope="session")
def apiposture_identities(pytestconfig: pytest.Config) -> Any:
    """name -> headers for the probes (or a callable taking the in-process client that
    logs in through the app); override in a conftest with a zero-argument fixture."""
    if settings_key not in pytestconfig.stash:
        return {}
    return runtime_of(pytestconfig).identities
