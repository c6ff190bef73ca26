"""Runtime probes: every route called in-process to confirm (or refute) what rules suspect.

Use: ``with open_session(app, adapter, settings) as session:`` then, per item,
``run_probe(probe, route, ProbeContext(...))``. Nothing leaves the process: the only
transport is the framework's own test client.
"""

from __future__ import annotations

from .base import Probe, ProbeOutcome, Skip, run_probe
from .bola import BolaProbe
from .client import ProbeError, ProbeRequest
from .context import (
    DEFAULT_METHODS,
    ProbeContext,
    ProbeSession,
    ProbeSettings,
    open_session,
    route_matches,
)
from .data_exposure import DataExposureProbe
from .identities import Identity, merge_identities, parse_identity, resolve_identities
from .mass_assignment import MassAssignmentProbe
from .missing_auth import MissingAuthProbe
from .page_size import PageSizeProbe
from .run import ProbeRun
from .transcript import Exchange, format_transcript

PROBES: tuple[type[Probe], ...] = (
    MissingAuthProbe,
    BolaProbe,
    MassAssignmentProbe,
    DataExposureProbe,
    PageSizeProbe,
)
# static code -> the probe that can disprove it on a route (lowers the static finding)
REFUTED_BY: dict[str, str] = {code: probe.code for probe in PROBES for code in probe.refutes}


def probe_for(code: str) -> type[Probe]:
    """The probe class for ``APS251`` etc.; KeyError names the known codes."""
    for probe in PROBES:
        if probe.code == code:
            return probe
    raise KeyError(f"no probe {code}; known: {', '.join(p.code for p in PROBES)}")


__all__ = [
    "DEFAULT_METHODS",
    "PROBES",
    "REFUTED_BY",
    "BolaProbe",
    "DataExposureProbe",
    "Exchange",
    "Identity",
    "MassAssignmentProbe",
    "MissingAuthProbe",
    "PageSizeProbe",
    "Probe",
    "ProbeContext",
    "ProbeError",
    "ProbeOutcome",
    "ProbeRequest",
    "ProbeRun",
    "ProbeSession",
    "ProbeSettings",
    "Skip",
    "format_transcript",
    "merge_identities",
    "open_session",
    "parse_identity",
    "probe_for",
    "resolve_identities",
    "route_matches",
    "run_probe",
]
