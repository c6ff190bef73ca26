"""BOLA on writes, replayed as another identity only with ``replay_writes``: a change is
critical, a refusal refutes APS101, a 200 that changes nothing proves nothing."""

from __future__ import annotations

from pytest_apiposture.model import Severity
from pytest_apiposture.probes import ProbeSettings

from .test_probe_decisions import bola_outcome


def test_bola_replayed_writes_change_refuse_or_do_nothing() -> None:
    every = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
    replay = ProbeSettings(timeout=2.0, replay_writes=True, probe_methods=every)
    put = bola_outcome("PUT /notes/{note_id}", replay)
    assert [(f.severity, f.message) for f in put.findings] == [
        (
            Severity.CRITICAL,
            "bob changed alice's object with PUT /notes/1 (alice created it with POST /notes); "
            "the anonymous control was refused (401)",
        )
    ]
    patch = bola_outcome("PATCH /notes/{note_id}", replay)
    assert (patch.findings, patch.refutes) == ([], ())
    assert patch.notes == ["bob's PATCH answered 200 but the owner's object did not change"]
    delete = bola_outcome("DELETE /notes/{note_id}", replay)
    assert (delete.findings, delete.refutes) == ([], ("APS101",))
    assert delete.notes == ["bob's DELETE -> 404: refused"]
