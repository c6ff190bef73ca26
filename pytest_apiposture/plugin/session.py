"""The session's state in ``config.stash``: settings, the analysis, the probe runtime,
what the probes observed and the verdict, each computed once, on first use.

Items and hooks both read it from here, so neither imports the other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from ..config import Settings
from ..model import Route
from ..verdict import Observations, Verdict

settings_key = pytest.StashKey[Settings]()
session_key = pytest.StashKey[pytest.Session]()
analysis_key = pytest.StashKey[Any]()  # pipeline.Analysis, computed once, on first use
runtime_key = pytest.StashKey[Any]()  # runtime.Runtime, opened by the first probe item
observed_key = pytest.StashKey[Observations]()  # every process's probes, merged
verdict_key = pytest.StashKey[Verdict]()
record_key = pytest.StashKey[
    "RunRecord"
]()  # what the items that ran decided  # decided once, after the items ran
collected_key = pytest.StashKey[bool]()
# the xdist controller analyses after starting its workers (a valid static result is cached)
with_workers_key = pytest.StashKey[bool]()


def analysis_of(config: pytest.Config) -> Any:
    """The session's Analysis, computed on first use (header, collection or summary)."""
    if analysis_key not in config.stash:
        from ..pipeline import Extensions, analyse

        settings = config.stash[settings_key]
        override = None
        session = config.stash.get(session_key, None)
        error = None
        if session is not None:
            try:
                override = _fixture_value(session, "apiposture_app")
            except Exception as exc:  # the user's fixture raised: report it like a bad target
                error = f"the apiposture_app fixture raised {type(exc).__name__}: {exc}"
        hook = config.hook
        extensions = Extensions(
            route_is_public=lambda route: hook.pytest_apiposture_route_is_public(route=route),
            extra_rules=[r for rules in hook.pytest_apiposture_rules() for r in (rules or ())],
            modify_findings=lambda findings: hook.pytest_apiposture_modify_findings(
                findings=findings
            ),
        )
        analysis = analyse(
            settings,
            override=(
                ("apiposture_app fixture", override[1], _fixture_file(session, "apiposture_app"))
                if override and session is not None
                else None
            ),
            extensions=extensions,
            # the app started to list the routes stays up for this process's probes
            # (closed at session end); an xdist controller runs none
            keep_running=not settings.static_only
            and not config.pluginmanager.hasplugin("dsession"),
            # the controller starts it too when workers probe: both list the same routes
            start=not settings.static_only,
        )
        if error:
            analysis.posture.error = error
            analysis.posture.routes = []
        config.stash[analysis_key] = analysis
    return config.stash[analysis_key]


def _fixture_value(
    session: pytest.Session, name: str, *, finish_now: bool = False
) -> tuple[bool, Any] | None:
    """Call a conftest's override of one of our fixtures outside a test.

    The route table is needed at collection time, before any fixture can be
    requested, so a zero-argument fixture is called directly (generator fixtures
    are run to their ``yield`` and finished at session end, or at once with
    ``finish_now``). Only conftests at the rootdir are seen (documented).
    """
    import inspect

    defs = session._fixturemanager.getfixturedefs(name, session)
    if not defs:
        return None
    fixturedef = defs[-1]
    func = fixturedef.func
    if getattr(func, "__module__", "") == __package__:
        return None  # our own default, defined beside the hooks
    params = list(inspect.signature(func).parameters)
    if params:
        raise TypeError(
            f"the {name} fixture takes fixtures ({', '.join(params)}) that cannot be resolved "
            "outside a test; make it a zero-argument fixture"
        )
    value = func()
    if inspect.isgenerator(value):
        generator = value
        value = next(generator)

        def finish() -> None:
            next(generator, None)

        if finish_now:
            finish()
        else:
            session.config.add_cleanup(finish)
    return True, value


def _fixture_file(session: pytest.Session, name: str) -> str | None:
    defs = session._fixturemanager.getfixturedefs(name, session)
    code = getattr(defs[-1].func, "__code__", None) if defs else None
    return code.co_filename if code is not None else None


def fixture_callable(session: pytest.Session | None, name: str) -> Callable[[], Any] | None:
    """A conftest fixture as a plain callable (used for ``apiposture_reset``)."""
    if session is None:
        return None
    if not session._fixturemanager.getfixturedefs(name, session):
        return None
    return lambda: _fixture_value(session, name, finish_now=True)


def runtime_of(config: pytest.Config) -> Any:
    if runtime_key not in config.stash:
        from ..probes.runtime import Runtime

        session = config.stash.get(session_key, None)
        identities: dict[str, dict[str, str]] = {}
        for result in config.hook.pytest_apiposture_identities(config=config):
            identities.update({k: dict(v) for k, v in (result or {}).items()})
        analysis = analysis_of(config)
        fixture = None
        try:
            fixture = _fixture_value(session, "apiposture_identities") if session else None
        except Exception as exc:  # fails the status item; the static items still run
            analysis.setup_errors.append(f"apiposture_identities: {type(exc).__name__}: {exc}")
        config.stash[runtime_key] = Runtime(
            analysis,
            extra_identities=identities,
            identities_fixture=fixture[1] if fixture else None,
            reset=fixture_callable(session, "apiposture_reset"),
        )
    return config.stash[runtime_key]


def probe_catalogue(config: pytest.Config) -> list[tuple[str, Callable[[Route], bool]]]:
    return list(runtime_of(config).catalogue())


def verdict_of(config: pytest.Config) -> Verdict:
    """The run's verdict (verdict.decide), once every item has run."""
    if verdict_key not in config.stash:
        from ..verdict import decide

        config.stash[verdict_key] = decide(analysis_of(config), config.stash[observed_key])
    return config.stash[verdict_key]


class ItemResult:
    """What one endpoint item decided, for the summary section: the findings it failed
    with (fingerprints), the probes that could not tell and why, blocked connections."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.raised: list[str] = []
        self.inconclusive: list[tuple[str, str]] = []
        self.blocked: list[str] = []
        self.probed = 0  # probes the item ran (the summary's "most were inconclusive")

    def to_json(self) -> str:
        return json.dumps(
            {
                "key": self.key,
                "raised": self.raised,
                "inconclusive": self.inconclusive,
                "blocked": self.blocked,
                "probed": self.probed,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ItemResult:
        data = json.loads(text)
        result = cls(data["key"])
        result.raised = list(data["raised"])
        result.inconclusive = [(code, why) for code, why in data["inconclusive"]]
        result.blocked = list(data["blocked"])
        result.probed = int(data.get("probed", 0))
        return result


@dataclass
class RunRecord:
    """What the apiposture items that ran decided, read from their reports (so the xdist
    controller has every worker's): the summary section reflects these, not the whole
    analysis, and its counts are pytest's."""

    results: dict[str, ItemResult] = field(default_factory=dict)  # item name -> result
    failed: int = 0  # apiposture items that failed, as pytest counts them
    written: list[str] = field(default_factory=list)  # "apiposture: wrote ..." lines

    def raised(self) -> set[str]:
        return {fingerprint for r in self.results.values() for fingerprint in r.raised}
