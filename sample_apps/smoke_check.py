"""Exercise every planted flaw and its fix in-process; exit 1 if a twin misbehaves.

    python sample_apps/smoke_check.py [fastapi] [flask]    # default: both families

A *flaw* check must observe the vulnerable behaviour in the vulnerable twin and must
not observe it in the hardened twin; an *invariant* must hold in both (the safe parts
that a scanner must not flag, such as router-level auth attached at include time).
Requests go through the frameworks' own test clients (no sockets); outbound HTTP is
replaced by a recorder and any socket connect fails loudly, so nothing leaves the process.
"""

import ast
import contextlib
import logging
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import import_module
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import jwt

HERE = Path(__file__).resolve().parent
APP_DIRS = ("fastapi_vulnerable", "fastapi_hardened", "flask_vulnerable", "flask_hardened")
EVIL_ORIGIN = "https://evil.example"
METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
CDN_URL = "https://images.shop.example.com/products/1.png"


@dataclass
class Twin:
    """One app under test and the few package hooks the checks need."""

    dir_name: str
    package: str
    app: Any
    client: Any
    reset: Callable[[], None]
    mint: Callable[[str], str]
    fetches: list[str] = field(default_factory=list)

    @property
    def vulnerable(self) -> bool:
        return self.dir_name.endswith("_vulnerable")

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.mint(username)}"}

    def source_secret_keys(self) -> list[str]:
        """String literals assigned to SECRET_KEY in the package's config.py."""
        tree = ast.parse((HERE / self.dir_name / self.package / "config.py").read_text())
        return [
            node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "SECRET_KEY" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ]


@dataclass(frozen=True)
class Check:
    codes: str
    title: str
    run: Callable[[Twin], tuple[bool, str]]
    invariant: bool = False  # True: must hold in both twins; False: a flaw


def body(response: Any) -> Any:
    """JSON body of a Starlette (httpx) or Flask (werkzeug) test response."""
    value = response.json
    return value() if callable(value) else value


def forged_token(subject: str, key: str) -> str:
    exp = datetime.now(timezone.utc) + timedelta(minutes=5)
    return jwt.encode({"sub": subject, "exp": exp}, key, algorithm="HS256")


# ---------------------------------------------------------------- FastAPI shop


def shop_anonymous_product(t: Twin) -> tuple[bool, str]:
    r = t.client.post("/products", json={"name": "Tent", "category": "camping", "brand": "X",
                                         "price": 99.0, "stock": 3})
    return r.status_code == 201, f"anonymous POST /products -> {r.status_code}"


def shop_internal_config(t: Twin) -> tuple[bool, str]:
    r = t.client.get("/internal/config")
    leaked = r.status_code == 200 and "secret_key" in body(r)
    return leaked, f"anonymous GET /internal/config -> {r.status_code}, secret_key shown: {leaked}"


def shop_escalation(t: Twin) -> tuple[bool, str]:
    alice = t.auth("alice")
    patch = t.client.patch("/users/me", headers=alice, json={"is_admin": True, "role": "admin"})
    stats = t.client.get("/admin/stats", headers=alice)
    reflected = patch.status_code == 200 and "is_admin" in body(patch)
    return stats.status_code == 200, (
        f"PATCH /users/me is_admin=true -> {patch.status_code} (is_admin in response: "
        f"{reflected}); then GET /admin/stats as alice -> {stats.status_code}"
    )


def shop_read_other_account(t: Twin) -> tuple[bool, str]:
    bob_id = body(t.client.get("/users/me", headers=t.auth("bob")))["id"]
    r = t.client.get(f"/users/{bob_id}", headers=t.auth("alice"))
    return r.status_code == 200, f"alice GET /users/{bob_id} (bob) -> {r.status_code}"


def shop_password_hash(t: Twin) -> tuple[bool, str]:
    alice_id = body(t.client.get("/users/me", headers=t.auth("alice")))["id"]
    r = t.client.get(f"/users/{alice_id}", headers=t.auth("alice"))
    value = str(body(r).get("hashed_password", ""))
    return value.startswith("pbkdf2_sha256$"), f"GET /users/{alice_id} -> {r.status_code}, hash: {value[:22] or '-'}"


def shop_read_other_order(t: Twin) -> tuple[bool, str]:
    bob_order = body(t.client.get("/orders", headers=t.auth("bob")))[0]["id"]
    r = t.client.get(f"/orders/{bob_order}", headers=t.auth("alice"))
    return r.status_code == 200, f"alice GET /orders/{bob_order} (bob's) -> {r.status_code}"


def shop_anonymous_review(t: Twin) -> tuple[bool, str]:
    r = t.client.post("/products/1/reviews", json={"rating": 1, "comment": "spam"})
    return r.status_code == 201, f"anonymous POST /products/1/reviews -> {r.status_code}"


def shop_customer_deletes_user(t: Twin) -> tuple[bool, str]:
    bob_id = body(t.client.get("/users/me", headers=t.auth("bob")))["id"]
    r = t.client.delete(f"/admin/users/{bob_id}", headers=t.auth("alice"))
    return r.status_code == 204, f"alice DELETE /admin/users/{bob_id} -> {r.status_code}"


def shop_unbounded_limit(t: Twin) -> tuple[bool, str]:
    r = t.client.get("/products", params={"limit": 1_000_000})
    return r.status_code == 200, f"GET /products?limit=1000000 -> {r.status_code}"


def shop_mass_assigned_column(t: Twin) -> tuple[bool, str]:
    row = {"name": "Tent", "category": "camping", "brand": "X", "price": 99.0,
           "image_url": "https://evil.example/x.png"}
    results = [t.client.post("/products", json=row), t.client.post("/products", json=row, headers=t.auth("root"))]
    hit = any(r.status_code == 201 and body(r)["image_url"] == row["image_url"] for r in results)
    return hit, "POST /products with undeclared image_url (anonymous, root) -> " + ", ".join(
        str(r.status_code) for r in results)


def shop_ssrf(t: Twin) -> tuple[bool, str]:
    r = t.client.post("/products/1/image-from-url", headers=t.auth("root"), json={"url": METADATA_URL})
    fetched = METADATA_URL in t.fetches
    return fetched, f"root POST image-from-url {METADATA_URL} -> {r.status_code}, fetched: {fetched}"


def shop_login(t: Twin) -> tuple[bool, str]:
    good = t.client.post("/token", data={"username": "alice", "password": "wonderland"})
    bad = t.client.post("/token", data={"username": "alice", "password": "guess"})
    ok = good.status_code == 200 and "access_token" in body(good) and bad.status_code == 401
    return ok, f"POST /token good -> {good.status_code}, wrong password -> {bad.status_code}"


def shop_router_level_auth(t: Twin) -> tuple[bool, str]:
    codes = [t.client.get(p).status_code for p in ("/orders/shipping-options", "/orders/1", "/orders")]
    ok = codes == [401, 401, 401]
    signed_in = t.client.get("/orders/shipping-options", headers=t.auth("alice")).status_code
    return ok and signed_in == 200, f"anonymous /orders/* -> {codes}; alice shipping-options -> {signed_in}"


def shop_loop_routes(t: Twin) -> tuple[bool, str]:
    cats, brands, health = (t.client.get(p) for p in ("/catalogue/categories", "/catalogue/brands", "/health"))
    ok = body(cats) == ["accessories", "footwear", "outerwear"] and body(brands) == ["Hydra", "Northline", "Stride"]
    return ok and health.status_code == 200, f"catalogue {body(cats)} {body(brands)}, /health -> {health.status_code}"


def shop_admin_role(t: Twin) -> tuple[bool, str]:
    alice = t.client.get("/admin/stats", headers=t.auth("alice")).status_code
    root = t.client.get("/admin/stats", headers=t.auth("root")).status_code
    return (alice, root) == (403, 200), f"GET /admin/stats alice -> {alice}, root -> {root}"


def shop_cdn_image(t: Twin) -> tuple[bool, str]:
    r = t.client.post("/products/1/image-from-url", headers=t.auth("root"), json={"url": CDN_URL})
    ok = r.status_code == 200 and t.fetches == [CDN_URL]
    return ok, f"root POST image-from-url {CDN_URL} -> {r.status_code}, fetched: {t.fetches}"


# ---------------------------------------------------------------- Flask notes


def notes_anonymous_project(t: Twin) -> tuple[bool, str]:
    r = t.client.post("/api/projects", json={"name": "Drive-by"})
    return r.status_code == 201, f"anonymous POST /api/projects -> {r.status_code}"


def notes_mass_assigned_owner(t: Twin) -> tuple[bool, str]:
    bob_id = body(t.client.get("/api/users/me", headers=t.auth("bob")))["id"]
    r = t.client.post("/api/notes", headers=t.auth("alice"), json={"title": "planted", "owner_id": bob_id})
    owner = body(r).get("owner_id") if r.status_code == 201 else None
    return owner == bob_id, f"alice POST /api/notes owner_id={bob_id} -> {r.status_code}, owner {owner}"


def notes_password_hash(t: Twin) -> tuple[bool, str]:
    r = t.client.get("/api/users/me", headers=t.auth("alice"))
    return "password_hash" in body(r), f"GET /api/users/me keys: {sorted(body(r))}"


def notes_read_other_note(t: Twin) -> tuple[bool, str]:
    bob_note = body(t.client.get("/api/notes", headers=t.auth("bob")))[0]["id"]
    r = t.client.get(f"/api/notes/{bob_note}", headers=t.auth("alice"))
    return r.status_code == 200, f"alice GET /api/notes/{bob_note} (bob's) -> {r.status_code}"


def notes_forged_refresh(t: Twin) -> tuple[bool, str]:
    forged = forged_token("admin", "attacker-chosen-key-that-is-long-enough")
    r = t.client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {forged}"})
    users = None
    if r.status_code == 200:
        fresh = {"Authorization": f"Bearer {body(r)['access_token']}"}
        users = t.client.get("/api/admin/users", headers=fresh).status_code
    return users == 200, f"refresh of a forged admin token -> {r.status_code}; admin list -> {users}"


def notes_login(t: Twin) -> tuple[bool, str]:
    good = t.client.post("/api/auth/token", json={"username": "alice", "password": "wonderland"})
    bad = t.client.post("/api/auth/token", json={"username": "alice", "password": "guess"})
    refreshed = t.client.post("/api/auth/refresh", headers=t.auth("alice")).status_code
    ok = good.status_code == 200 and bad.status_code == 401 and refreshed == 200
    return ok, f"login good -> {good.status_code}, wrong -> {bad.status_code}; refresh own token -> {refreshed}"


def notes_nested_admin_blueprint(t: Twin) -> tuple[bool, str]:
    codes = (t.client.get("/api/admin/users").status_code,
             t.client.get("/api/admin/users", headers=t.auth("alice")).status_code,
             t.client.get("/api/admin/users", headers=t.auth("admin")).status_code,
             t.client.delete("/api/admin/users/2", headers=t.auth("alice")).status_code)
    return codes == (401, 403, 200, 403), f"/api/admin/users anon, alice, admin; alice DELETE -> {codes}"


def notes_methodview_and_loop(t: Twin) -> tuple[bool, str]:
    codes = (t.client.get("/api/notes/1").status_code, t.client.get("/api/notes/count").status_code,
             t.client.get("/health").status_code)
    counts = [body(t.client.get(f"/api/{r}/count", headers=t.auth("alice"))) for r in ("notes", "projects")]
    ok = codes == (401, 401, 200) and counts == [{"count": 1}, {"count": 1}]
    return ok, f"anon note, anon count, health -> {codes}; alice counts {counts}"


def notes_owner_checked_write(t: Twin) -> tuple[bool, str]:
    bob_note = body(t.client.get("/api/notes", headers=t.auth("bob")))[0]["id"]
    put = t.client.put(f"/api/notes/{bob_note}", headers=t.auth("alice"), json={"title": "mine"}).status_code
    delete = t.client.delete(f"/api/notes/{bob_note}", headers=t.auth("alice")).status_code
    return (put, delete) == (404, 404), f"alice PUT/DELETE bob's note -> {put}/{delete}"


# ---------------------------------------------------------------- shared


def debug_on(t: Twin) -> tuple[bool, str]:
    return bool(t.app.debug), f"app.debug = {t.app.debug}"


def cors_reflects_any_origin(t: Twin) -> tuple[bool, str]:
    path = "/users/me" if t.dir_name.startswith("fastapi") else "/api/users/me"
    r = t.client.options(path, headers={"Origin": EVIL_ORIGIN, "Access-Control-Request-Method": "GET"})
    allowed = r.headers.get("access-control-allow-origin")
    credentials = r.headers.get("access-control-allow-credentials")
    hit = allowed in (EVIL_ORIGIN, "*") and credentials == "true"
    return hit, f"preflight from {EVIL_ORIGIN}: allow-origin={allowed}, allow-credentials={credentials}"


def source_key_forges_admin(t: Twin) -> tuple[bool, str]:
    keys = t.source_secret_keys()
    if not keys:
        return False, "no SECRET_KEY literal in config.py"
    admin, path = ("root", "/admin/stats") if t.dir_name.startswith("fastapi") else ("admin", "/api/admin/users")
    r = t.client.get(path, headers={"Authorization": f"Bearer {forged_token(admin, keys[0])}"})
    return r.status_code == 200, f"{admin} token signed with the key in config.py -> {path} {r.status_code}"


def shop_unverified_audit(t: Twin) -> tuple[bool, str]:
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger(f"{t.package}.audit")
    handler, level = Capture(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        forged = forged_token("root", "attacker-chosen-key-that-is-long-enough")
        t.client.get("/health", headers={"Authorization": f"Bearer {forged}"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    line = records[-1] if records else ""
    return " by root " in line, f"access log for a forged root token: {line!r}"


SHOP_CHECKS = (
    Check("APS201", "POST /products accepts anonymous writes", shop_anonymous_product),
    Check("APS201 APS306 APS901", "hidden GET /internal/config leaks SECRET_KEY to anyone", shop_internal_config),
    Check("APS303 APS304 APS351", "PATCH /users/me sets is_admin; /admin/stats opens up", shop_escalation),
    Check("APS101 APS151", "GET /users/{user_id} reads another user's account", shop_read_other_account),
    Check("APS301 APS352", "GET /users/{user_id} returns hashed_password", shop_password_hash),
    Check("APS101 APS151", "GET /orders/{order_id} reads another user's order", shop_read_other_order),
    Check("APS202 APS251", "POST /products/{id}/reviews accepts anonymous callers", shop_anonymous_review),
    Check("APS501", "a customer may DELETE /admin/users/{user_id}", shop_customer_deletes_user),
    Check("APS401", "GET /products?limit= has no upper bound", shop_unbounded_limit),
    Check("APS304 APS305", "POST /products persists an undeclared column", shop_mass_assigned_column),
    Check("APS701", "image-from-url fetches a cloud metadata address", shop_ssrf),
    Check("APS801", "debug mode is on", debug_on),
    Check("APS802", "CORS reflects any origin with credentials", cors_reflects_any_origin),
    Check("APS803", "access log trusts an unverified token", shop_unverified_audit),
    Check("APS804", "the key in the source tree signs a working admin token", source_key_forges_admin),
    Check("-", "POST /token signs in with the seeded password", shop_login, invariant=True),
    Check("-", "router-level auth attached at include_router guards /orders/*", shop_router_level_auth, invariant=True),
    Check("-", "catalogue routes added in a loop and /health (add_api_route) serve", shop_loop_routes, invariant=True),
    Check("-", "GET /admin/stats checks the admin role", shop_admin_role, invariant=True),
    Check("-", "image-from-url still works for the approved CDN", shop_cdn_image, invariant=True),
)

NOTES_CHECKS = (
    Check("APS201 APS251", "POST /api/projects accepts anonymous writes", notes_anonymous_project),
    Check("APS304 APS351", "POST /api/notes lets the caller set owner_id", notes_mass_assigned_owner),
    Check("APS302 APS352", "GET /api/users/me returns password_hash", notes_password_hash),
    Check("APS101 APS151", "GET /api/notes/{note_id} reads another user's note", notes_read_other_note),
    Check("APS801", "debug mode is on", debug_on),
    Check("APS802", "CORS reflects any origin with credentials", cors_reflects_any_origin),
    Check("APS803", "token refresh accepts a forged token", notes_forged_refresh),
    Check("APS804", "the key in the source tree signs a working admin token", source_key_forges_admin),
    Check("-", "sign-in and refresh of a genuine token work", notes_login, invariant=True),
    Check("-", "nested admin blueprint's before_request requires an admin", notes_nested_admin_blueprint, invariant=True),
    Check("-", "MethodView decorators, loop-added and add_url_rule routes", notes_methodview_and_loop, invariant=True),
    Check("-", "PUT/DELETE /api/notes/{note_id} check the owner", notes_owner_checked_write, invariant=True),
)


@contextlib.contextmanager
def offline(twin: Twin) -> Iterator[None]:
    """Record outbound httpx.get calls instead of sending them; fail any socket connect."""

    def record(url: str, **_: Any) -> httpx.Response:
        twin.fetches.append(str(url))
        return httpx.Response(200, content=b"\x89PNG\r\n\x1a\n", headers={"content-type": "image/png"},
                              request=httpx.Request("GET", str(url)))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"smoke_check must not open network connections: {args[1:]!r}")

    with mock.patch.object(httpx, "get", record), mock.patch.object(socket.socket, "connect", refuse), \
            mock.patch.object(socket.socket, "connect_ex", refuse):
        yield


def load_twins(families: set[str]) -> list[tuple[Twin, tuple[Check, ...]]]:
    for name in APP_DIRS:
        sys.path.insert(0, str(HERE / name))
    twins: list[tuple[Twin, tuple[Check, ...]]] = []
    if "fastapi" in families:
        from fastapi.testclient import TestClient

        for dir_name, package in (("fastapi_vulnerable", "vulnshop"), ("fastapi_hardened", "safeshop")):
            app = import_module(f"{package}.main").app
            twins.append((Twin(dir_name, package, app, TestClient(app), import_module(f"{package}.db").reset,
                               import_module(f"{package}.security").create_access_token), SHOP_CHECKS))
    if "flask" in families:
        for dir_name, package in (("flask_vulnerable", "vulnnotes"), ("flask_hardened", "safenotes")):
            app = import_module(package).app
            twins.append((Twin(dir_name, package, app, app.test_client(), import_module(f"{package}.db").reset,
                               import_module(f"{package}.auth").create_token), NOTES_CHECKS))
    return twins


def main(argv: list[str]) -> int:
    families = set(argv) or {"fastapi", "flask"}
    if unknown := families - {"fastapi", "flask"}:
        print(f"smoke_check: unknown app family {', '.join(sorted(unknown))}; use fastapi and/or flask")
        return 2
    try:
        twins = load_twins(families)
    except ImportError as exc:
        print(f"smoke_check: cannot import the sample apps ({exc}); install the missing package, "
              "or name only the families that import, e.g. `smoke_check.py fastapi`")
        return 2
    failures = 0
    for twin, checks in twins:
        with contextlib.ExitStack() as stack:
            if hasattr(twin.client, "__enter__"):
                stack.enter_context(twin.client)  # runs the FastAPI lifespan
            for check in checks:
                twin.reset()
                twin.fetches.clear()
                with offline(twin):
                    observed, detail = check.run(twin)
                expected = True if check.invariant else twin.vulnerable
                verdict = "PASS" if observed == expected else "FAIL"
                failures += verdict == "FAIL"
                label = "holds" if check.invariant else ("present" if observed else "absent")
                print(f"{verdict}  {twin.dir_name:<19} {check.codes:<21} {check.title} [{label}]: {detail}")
    print(f"\n{'FAILED' if failures else 'OK'}: {failures} unexpected result(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
