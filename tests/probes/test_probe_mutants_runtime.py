"""The probe side of a session (runtime.py), pinned (issue 19): where the identities come
from, when the app and the probe session start (once, never while collecting), when the
identities are checked, one run per probe and route, exposures reported once, the repro."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel

from pytest_apiposture.config import build_settings
from pytest_apiposture.model import Route
from pytest_apiposture.pipeline import analyse
from pytest_apiposture.probes.autoidentity import AutoIdentities
from pytest_apiposture.probes.runtime import Runtime

HERE = Path(__file__).resolve().parent
STARTS: list[str] = []
HITS: list[str] = []  # who read GET /notes
ACCOUNTS: dict[str, str] = {}
TOKENS = {"t-alice": "alice", "t-bob": "bob"}
STATE = {"registration": True, "startup": True}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    STARTS.append("start")
    if not STATE["startup"]:
        raise RuntimeError("database unreachable")
    yield


app = FastAPI(lifespan=lifespan)


class Account(BaseModel):
    username: str
    password: str


@app.post("/register", status_code=201)
def register(body: Account) -> dict[str, str]:
    if not STATE["registration"]:
        raise HTTPException(403, "registration is closed")
    ACCOUNTS[body.username] = body.password
    return {"username": body.username}


@app.post("/login")
def login(body: Account) -> dict[str, str]:
    if ACCOUNTS.get(body.username) != body.password:
        raise HTTPException(401, "bad credentials")
    TOKENS[f"t-{body.username}"] = body.username
    return {"access_token": f"t-{body.username}"}


def user(authorization: str | None = Header(default=None)) -> str:
    name = TOKENS.get((authorization or "").removeprefix("Bearer "))
    if name is None:
        raise HTTPException(401, "Not authenticated")
    return name


@app.get("/notes")
def list_notes(me: str = Depends(user)) -> list[dict[str, Any]]:
    HITS.append(me)
    return [{"id": 1 if me == "alice" else 2, "owner": me}]


@app.get("/notes/{note_id}")
def read_note(note_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": note_id, "owner": "alice" if note_id == 1 else "bob"}


@app.get("/open")
def open_listing(limit: int = 10) -> dict[str, Any]:
    """No auth, and a password in every answer (seen by each probe that calls it)."""
    return {"items": [{"id": 1, "password": "hunter2"}][:limit]}


ALICE = "alice=Authorization: Bearer t-alice"
BOB = "bob=Authorization: Bearer t-bob"
MALLORY = "mallory=Authorization: Bearer expired"


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    STARTS.clear()
    HITS.clear()
    ACCOUNTS.clear()
    STATE.update(registration=True, startup=True)
    yield


def runtime(
    values: dict[str, Any] | None = None, file: str | None = __file__, **kw: Any
) -> Runtime:
    settings = build_settings(HERE, {"audit": False, **(values or {})})
    analysis = analyse(settings, override=("rt", app, file), keep_running=not settings.static_only)
    try:
        return Runtime(analysis, **kw)
    except BaseException:
        analysis.close()  # the app kept running for the probes is shut down all the same
        raise


def route(rt: Runtime, key: str) -> Route:
    return next(r for r in rt.analysis.posture.routes if r.key == key)


def test_identities_from_options_hooks_and_a_fixture_mapping() -> None:
    rt = runtime({"identities": [ALICE]}, extra_identities={"carol": {"X-Key": "k"}},
                 identities_fixture={"dave": {"X-Key": "d"}})  # fmt: skip
    try:
        assert rt.identities == {
            "alice": {"Authorization": "Bearer t-alice"},
            "carol": {"X-Key": "k"},
            "dave": {"X-Key": "d"},
        }
        assert (rt.auto, rt.describe_identities()) == (None, "identities=3")
    finally:
        rt.close()


def test_a_fixture_callable_logs_in_once_inside_the_session() -> None:
    calls: list[Any] = []

    def log_in(client: Any) -> dict[str, dict[str, str]]:
        calls.append(client.get("/notes", headers={"Authorization": "Bearer t-bob"}).status_code)
        return {"bob": {"Authorization": "Bearer t-bob"}}

    rt = runtime({"identities": [ALICE]}, identities_fixture=log_in)
    try:
        assert rt.describe_identities() == "identities=fixture"
        assert rt.start() is None and rt.start() is None
        first = rt.run_probe("APS151", route(rt, "GET /notes/{note_id}"))
        assert [f.message for f in first.findings] == [
            "bob read alice's object at /notes/1 (only alice's GET /notes lists it); the "
            "anonymous control was refused (401)"
        ]
        assert calls == [200]  # one login, inside the one probe session
        assert rt.context() is rt.context()
    finally:
        rt.close()


@pytest.mark.parametrize(
    ("values", "fixture"),
    [({"identities": [ALICE]}, None), ({}, {"alice": {"Authorization": "Bearer t-alice"}}),
     ({"static_only": True}, None)],
    ids=["configured", "fixture", "static-only"],
)  # fmt: skip
def test_zero_config_identities_only_when_nothing_is_configured(
    values: dict[str, Any], fixture: Any
) -> None:
    rt = runtime(values, identities_fixture=fixture)
    try:
        assert rt.auto is None
        assert not isinstance(rt.identities, AutoIdentities)
    finally:
        rt.close()


def test_zero_config_identities_registered_through_the_app() -> None:
    rt = runtime()
    try:
        assert isinstance(rt.auto, AutoIdentities) and rt.identities is rt.auto
        assert rt.describe_identities() == (
            "identities=2 (registered through POST /register, logged in through POST /login)"
        )
        assert (rt.start(), rt.identity_error) == (None, None)
        assert sorted(n.rsplit("-", 1)[0] for n in ACCOUNTS) == ["apiposture-a", "apiposture-b"]
        assert rt.analysis.posture.notes == []  # they worked: nothing to say
    finally:
        rt.close()


def test_zero_config_identities_that_fail_are_a_note() -> None:
    STATE["registration"] = False
    rt = runtime()
    try:
        assert rt.start() is None
        assert rt.analysis.posture.notes[-1] == (
            "zero-config identity apiposture-a: POST /register answered 403: "
            '{"detail":"registration is closed"}; configure identities '
            "(--apiposture-identity) for the probes that need two"
        )
    finally:
        rt.close()


def test_collecting_items_opens_no_probe_session_and_starts_nothing() -> None:
    rt = runtime({"static_only": True})  # a run that sends no requests starts no app
    try:
        applies = {code: {r.key for r in rt.analysis.posture.routes if check(r)}
                   for code, check in rt.catalogue()}  # fmt: skip
        # register and login are public by purpose
        assert applies["APS251"] == {"GET /notes", "GET /notes/{note_id}", "GET /open"}
        assert rt.context(open_session=False) is rt.context(open_session=False)
        assert rt.context(open_session=False).session is None
        assert STARTS == []
    finally:
        rt.close()


def test_the_probe_session_opens_after_collection_and_checks_identities_once() -> None:
    rt = runtime({"identities": [ALICE, MALLORY]})
    try:
        [check(route(rt, "GET /open")) for _code, check in rt.catalogue()]
        assert rt.start() is None
        assert rt.identity_error is not None
        assert rt.identity_error.startswith("identity 'mallory' got no 2xx from any route")
        checked = list(HITS)
        assert rt.start() is None and HITS == checked == ["alice"]
        result = rt.run_probe("APS251", route(rt, "GET /notes"))
        assert (result.skipped, result.refutes) == (None, ("APS201", "APS202"))
        assert rt.run_probe("APS251", route(rt, "GET /notes")) is result  # once per process
    finally:
        rt.close()


def test_identities_are_checked_only_for_the_probes_that_act_as_one() -> None:
    rt = runtime({"identities": [MALLORY], "select": ["APS251"]})
    try:
        assert (rt.start(), rt.identity_error, HITS) == (None, None, [])
    finally:
        rt.close()


def test_a_startup_that_fails_is_said_once_and_not_retried() -> None:
    STATE["startup"] = False
    rt = runtime({"identities": [ALICE]})
    try:
        error = rt.start()
        assert error is not None and error.startswith(
            "the app's startup (lifespan) failed: RuntimeError: database unreachable"
        )
        attempts = len(STARTS)
        result = rt.run_probe("APS251", route(rt, "GET /open"))
        assert result.skipped == f"the app could not start, see apiposture-status: {error}"
        assert len(STARTS) == attempts
    finally:
        rt.close()


def test_an_exposure_is_reported_by_the_first_probe_that_sees_it(tmp_path: Path) -> None:
    rt = runtime()
    try:
        missing = rt.run_probe("APS251", route(rt, "GET /open"))
        paging = rt.run_probe("APS451", route(rt, "GET /open"))
        assert [f.message for f in missing.exposures] == [
            "GET /open returned $.items[].password (sensitive field) (seen while probing "
            "APS251 GET /open)"
        ]
        assert (paging.skipped, paging.exposures) == (
            "limit=10000000 -> 200: accepted; a silent clamp cannot be told from outside",
            [],
        )
        observed = missing.observations("APS251", route(rt, "GET /open"))
        exposed = missing.exposures[0].fingerprint()
        assert (set(observed.findings), observed.passive) == (
            {missing.findings[0].fingerprint(), exposed},
            {exposed},
        )
    finally:
        rt.close()


@pytest.mark.parametrize(
    ("file", "anchor"),
    [(__file__, "test_probe_mutants_runtime.py"), (None, "apiposture")],
    ids=["app-file", "no-file"],
)
def test_a_probe_finding_says_how_to_rerun_its_item(file: str | None, anchor: str) -> None:
    rt = runtime(file=file)
    try:
        result = rt.run_probe("APS251", route(rt, "GET /open"))
        assert [f.repro.splitlines() for f in result.findings] == [
            [
                'curl -sS -i -X GET "${APIPOSTURE_URL:-http://127.0.0.1:8000}/open"',
                f"pytest --apiposture '{anchor}::GET /open'",
            ]
        ]
    finally:
        rt.close()
