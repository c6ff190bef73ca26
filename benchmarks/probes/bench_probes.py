"""Probe throughput against raw test-client calls to the same routes.

    python benchmarks/probes/bench_probes.py [--resources 20] [--rounds 3]

Builds a FastAPI and a Flask app with ``--resources`` owned collections (list, create, read,
each behind a bearer token), runs every probe on every route, records every request the
probes sent, then replays exactly those requests through the framework's bare test client.
Prints requests per second both ways (the best of ``--rounds``) and their ratio (probe / raw;
1.0 = no overhead, the target is >= 0.7), by wall clock and by process CPU time; on a shared
machine the CPU ratio is the stable one. The ratio is the median of per-round ratios: each
round times a probe run and a raw replay of the same requests back to back (the order
alternates, garbage collected before each), so a burst of load elsewhere on the machine
lands on one round, not on one side. One unmeasured round warms both sides up first.
Nothing is asserted: this measures, tests test.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from typing import Any

from pydantic import BaseModel

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.probes import (
    PROBES,
    Exchange,
    ProbeContext,
    ProbeSettings,
    open_session,
    run_probe,
)

TOKENS = {"t-alice": 1, "t-bob": 2}
IDENTITIES = {
    "alice": {"Authorization": "Bearer t-alice"},
    "bob": {"Authorization": "Bearer t-bob"},
}


def seed(count: int) -> dict[str, dict[int, dict[str, Any]]]:
    return {
        f"r{n}": {
            1: {"id": 1, "name": "one", "owner_id": 1},
            2: {"id": 2, "name": "two", "owner_id": 2},
        }
        for n in range(count)
    }


class ItemIn(BaseModel):
    name: str


class ItemOut(BaseModel):
    id: int
    name: str


def fastapi_app(count: int, store: dict[str, Any]) -> Any:
    from fastapi import Depends, FastAPI, Header, HTTPException

    app = FastAPI()

    def user(authorization: str = Header(default="")) -> int:
        token = authorization.removeprefix("Bearer ")
        if token not in TOKENS:
            raise HTTPException(status_code=401)
        return TOKENS[token]

    def add(name: str) -> None:
        table = store[name]

        @app.get(f"/{name}", response_model=list[ItemOut])
        def listing(uid: int = Depends(user)) -> list[dict[str, Any]]:
            return [i for i in table.values() if i["owner_id"] == uid]

        @app.post(f"/{name}", response_model=ItemOut, status_code=201)
        def create(body: ItemIn, uid: int = Depends(user)) -> dict[str, Any]:
            item: dict[str, Any] = {"id": len(table) + 1, "name": body.name, "owner_id": uid}
            table[item["id"]] = item
            return item

        @app.get(f"/{name}/{{item_id}}", response_model=ItemOut)
        def read(item_id: int, uid: int = Depends(user)) -> dict[str, Any]:
            item: dict[str, Any] | None = table.get(item_id)
            if item is None or item["owner_id"] != uid:
                raise HTTPException(status_code=404)
            return item

    for n in range(count):
        add(f"r{n}")
    return app


def flask_app(count: int, store: dict[str, Any]) -> Any:
    from flask import Flask, abort, jsonify, request

    app = Flask(__name__)

    def user() -> int:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in TOKENS:
            abort(401)
        return TOKENS[token]

    def add(name: str) -> None:
        table = store[name]

        def listing() -> Any:
            uid = user()
            return jsonify([i for i in table.values() if i["owner_id"] == uid])

        def create() -> Any:
            uid = user()
            item = {
                "id": len(table) + 1,
                "name": str((request.get_json() or {}).get("name")),
                "owner_id": uid,
            }
            table[item["id"]] = item
            return jsonify(item), 201

        def read(item_id: int) -> Any:
            uid = user()
            item = table.get(item_id)
            if item is None or item["owner_id"] != uid:
                abort(404)
            return jsonify(item)

        app.add_url_rule(f"/{name}", f"{name}_list", listing, methods=["GET"])
        app.add_url_rule(f"/{name}", f"{name}_create", create, methods=["POST"])
        app.add_url_rule(f"/{name}/<int:item_id>", f"{name}_read", read, methods=["GET"])

    for n in range(count):
        add(f"r{n}")
    return app


@dataclass
class Measure:
    requests: int
    seconds: float  # wall clock
    cpu: float  # process CPU time, all threads: barely moved by other load on the machine

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.requests / self.cpu


class Clock:
    def __enter__(self) -> Clock:
        gc.collect()  # neither side pays for the other's garbage
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def run_probes(app: Any, reset: Callable[[], None]) -> tuple[Measure, list[Exchange]]:
    adapter = select_adapter(app)
    settings = ProbeSettings(timeout=10.0)
    with open_session(app, adapter, settings) as session:
        ctx = ProbeContext(
            app=app,
            adapter=adapter,
            routes=adapter.routes(app),
            identities=IDENTITIES,
            schema=adapter.openapi(app),
            knowledge=DEFAULT_KNOWLEDGE,
            settings=settings,
            reset=None,
            session=session,
        )
        probes = [cls() for cls in PROBES]
        items = [(p, r) for r in ctx.routes for p in probes if p.applies(r, ctx)]
        reset()
        sent: list[Exchange] = []
        with Clock() as clock:
            for probe, route in items:
                sent.extend(run_probe(probe, route, ctx).transcript)
    return Measure(len(sent), clock.wall, clock.cpu), sent


def replay_raw(app: Any, sent: list[Exchange], reset: Callable[[], None]) -> Measure:
    """The same requests through the bare test client, bodies read, nothing else."""
    client = select_adapter(app).client(app)
    asgi = hasattr(client, "portal")
    if asgi:
        client.__enter__()
    reset()
    with Clock() as clock:
        for ex in sent:
            headers = dict(ex.request_headers)
            body = ex.request_body.encode() if ex.request_body else None
            if body is not None:
                headers["Content-Type"] = "application/json"
            if asgi:
                client.request(ex.method, ex.url, headers=headers, content=body).read()
            else:
                client.open(ex.url, method=ex.method, headers=headers, data=body).get_data()
    if asgi:
        client.__exit__(None, None, None)
    return Measure(len(sent), clock.wall, clock.cpu)


def bench(name: str, build: Callable[[int, dict[str, Any]], Any], count: int, rounds: int) -> float:
    store: dict[str, Any] = seed(count)
    app = build(count, store)

    def reset() -> None:  # in place: each route holds its own table, not the store
        for name, table in seed(count).items():
            store[name].clear()
            store[name].update(table)

    _, sent = run_probes(app, reset)  # warm-up, and the requests the raw side replays
    replay_raw(app, sent, reset)
    probes: list[Measure] = []
    raws: list[Measure] = []
    for number in range(rounds):
        if number % 2:
            raws.append(replay_raw(app, sent, reset))
            replayed = [(e.method, e.url, e.request_body) for e in sent]
            probe, sent = run_probes(app, reset)
            probes.append(probe)
            if replayed != [(e.method, e.url, e.request_body) for e in sent]:
                print(f"{name}: the probes sent different requests this round; ratio is off")
        else:
            probe, sent = run_probes(app, reset)
            probes.append(probe)
            raws.append(replay_raw(app, sent, reset))
    best_probe, best_raw = max(p.rate for p in probes), max(r.rate for r in raws)
    ratio = median(p.rate / r.rate for p, r in zip(probes, raws, strict=True))
    cpu_ratio = median(p.cpu_rate / r.cpu_rate for p, r in zip(probes, raws, strict=True))
    print(
        f"{name:8} routes={3 * count:4} requests/run={probes[0].requests:5}  "
        f"probes {best_probe:7.0f} req/s  raw client {best_raw:7.0f} req/s  "
        f"ratio {ratio:.2f} wall, {cpu_ratio:.2f} cpu (target >= 0.70)"
    )
    return cpu_ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    bench("fastapi", fastapi_app, args.resources, args.rounds)
    bench("flask", flask_app, args.resources, args.rounds)


if __name__ == "__main__":
    main()
