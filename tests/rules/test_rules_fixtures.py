"""Every rule on fixture apps, through the real adapters: marks asserted exactly."""

from __future__ import annotations

import pytest
from rules_helpers import FIXTURES as FIXTURES_DIR
from rules_helpers import check_fixture

from pytest_apiposture.model import Auth, GuardRole, Severity

_STRONG = {GuardRole.AUTH, GuardRole.AUTHORIZATION}

FIXTURES = {
    "rx_fa_auth": (),
    "rx_fl_auth": (),
    "rx_fa_data": (),
    "rx_fl_data": (),
    "rx_fa_bola": ("GET /catalogue/*",),
    "rx_fl_bola": (),
    "rx_fa_misc": (),
    "rx_fl_misc": (),
    "rx_fl_fab": (),
    "rx_fa_reach": (),
    "rx_fl_reach": (),
    "rx_fa_purpose": (),
    "rx_fl_purpose": (),
    "rx_fl_open": (),
    "rx_fa_precision": (),
    "rx_fa_oauth": (),
    "rx_fa_session": (),
    "rx_fl_precision": (),
    "rx_fa_scope": (),
    "rx_fl_scope": (),
    "rx_fa_stray": (),
    "rx_fl_stray": (),
    "rx_fa_access": (),
    "rx_fl_access": (),
    "rx_fa_unseen": (),
    "rx_fl_unseen": (),
    "rx_fa_tuned": (),
    "rx_fl_tuned": (),
    "rx_fl_dispatch": (),
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_marks(name: str) -> None:
    check_fixture(name, public=FIXTURES[name])


def test_missing_auth_is_high_for_reads_and_writes() -> None:
    result = check_fixture("rx_fa_auth")
    severities = {f.route_key: f.severity for f in result.findings if f.code == "APS201"}
    assert severities == {
        "GET /open/items": Severity.HIGH,
        "DELETE /open/items/{item_id}": Severity.HIGH,
        "GET /loose": Severity.HIGH,
        "GET /ops/counters": Severity.HIGH,
        "GET /files/{name}": Severity.HIGH,
        "DELETE /files/{name}": Severity.HIGH,
    }


def test_fastapi_guard_roles_and_route_auth() -> None:
    result = check_fixture("rx_fa_auth")
    table = {
        r.key: (r.auth, tuple((g.name.rsplit(".", 1)[-1], g.role) for g in r.guards))
        for r in result.routes
        if not r.path.startswith(("/docs", "/redoc", "/openapi"))
    }
    assert table == {
        "GET /open/items": (Auth.NONE, (("get_db", GuardRole.OTHER),)),
        "DELETE /open/items/{item_id}": (Auth.NONE, (("paginate", GuardRole.OTHER),)),
        "GET /health": (Auth.PUBLIC, ()),
        "GET /declared-public": (Auth.PUBLIC, ()),
        "GET /me": (Auth.AUTHENTICATED, (("get_current_user", GuardRole.AUTH),)),
        "GET /protected/reports": (Auth.AUTHENTICATED, (("get_current_user", GuardRole.AUTH),)),
        "GET /feed": (Auth.OPTIONAL, (("maybe_user", GuardRole.OPTIONAL_AUTH),)),
        "POST /comments": (Auth.OPTIONAL, (("maybe_user", GuardRole.OPTIONAL_AUTH),)),
        "GET /strict": (Auth.AUTHENTICATED, (("strict_user", GuardRole.AUTH),)),
        "GET /keyed": (Auth.AUTHENTICATED, (("require_key", GuardRole.AUTH),)),
        "GET /checked-in-handler": (
            Auth.AUTHENTICATED,
            (("maybe_user", GuardRole.OPTIONAL_AUTH),),
        ),
        "GET /cookie": (Auth.AUTHENTICATED, (("session_user", GuardRole.AUTH),)),
        "GET /loose": (Auth.NONE, (("get_current_user_loosely", GuardRole.OTHER),)),
        "GET /header-token": (Auth.AUTHENTICATED, (("header_token", GuardRole.AUTH),)),
        "GET /admin/users": (Auth.AUTHENTICATED, (("get_current_user", GuardRole.AUTH),)),
        "DELETE /admin/users/{user_id}": (
            Auth.AUTHENTICATED,
            (("require_admin", GuardRole.AUTHORIZATION),),
        ),
        "GET /admin/audit": (Auth.AUTHENTICATED, (("get_scoped_user", GuardRole.AUTHORIZATION),)),
        "GET /internal/stats": (Auth.AUTHENTICATED, (("RoleChecker", GuardRole.AUTHORIZATION),)),
        "GET /manage/settings": (Auth.AUTHENTICATED, (("get_current_user", GuardRole.AUTH),)),
        "GET /ops/counters": (Auth.NONE, ()),
        "GET /api/v1/{rest}": (Auth.PUBLIC, ()),  # answers only 404
        "GET /legacy/{rest}": (Auth.PUBLIC, ()),  # answers only 410
        "GET /files/{name}": (Auth.NONE, ()),
        "DELETE /files/{name}": (Auth.NONE, ()),
    }


def test_flask_guard_roles_and_route_auth() -> None:
    result = check_fixture("rx_fl_auth")
    table = {
        r.key: (r.auth, tuple((g.name.rsplit(".", 1)[-1], g.role) for g in r.guards))
        for r in result.routes
    }
    login = (("login_required", GuardRole.AUTH),)
    assert table == {
        "GET /static/{filename}": (Auth.PUBLIC, ()),
        "GET /api/status": (Auth.NONE, (("require_token", GuardRole.OTHER),)),
        "GET /api/items": (Auth.AUTHENTICATED, (("require_token", GuardRole.AUTH),)),
        "GET /profile": (Auth.AUTHENTICATED, login),
        "POST /notes": (Auth.NONE, (("log_calls", GuardRole.OTHER),)),
        "GET /token-named": (Auth.NONE, (("token_required", GuardRole.OTHER),)),
        "GET /keyed": (Auth.AUTHENTICATED, (("key_required", GuardRole.AUTH),)),
        "GET /inline": (Auth.AUTHENTICATED, ()),
        "GET /welcome": (Auth.AUTHENTICATED, ()),
        "GET /bounce": (Auth.NONE, ()),
        "GET /maybe": (Auth.NONE, ()),
        "GET /httpauth": (Auth.AUTHENTICATED, login),
        "GET /httpauth-optional": (Auth.OPTIONAL, (("login_required", GuardRole.OPTIONAL_AUTH),)),
        "GET /reports": (Auth.AUTHENTICATED, login),
        "DELETE /reports": (Auth.AUTHENTICATED, login),
        "GET /admin/dashboard": (Auth.AUTHENTICATED, login),
        "DELETE /admin/users/{user_id}": (
            Auth.AUTHENTICATED,
            (("admin_required", GuardRole.AUTHORIZATION),),
        ),
        "GET /health": (Auth.PUBLIC, ()),
    }


def test_flask_appbuilder_guards_and_builtin_views() -> None:
    """FAB's guards by name, its public views and inline-checked actions by handler."""
    result = check_fixture("rx_fl_fab")
    table = {
        r.key: (r.auth, tuple(g.name.rsplit(".", 1)[-1] for g in r.guards if g.role in _STRONG))
        for r in result.routes
    }
    assert {
        key: table[key]
        for key in (
            "GET /api/v1/report/summary",
            "GET /api/v1/report/export",
            "POST /api/v1/admin/users/purge",
            "GET /api/v1/contact/{pk}",
            "DELETE /api/v1/contact/{pk}",
            "GET /stats/daily",
            "GET /stats/raw",
            "GET /contacts/list/",
            "POST /contacts/action_post",
            "POST /admin/contacts/action_post",
            "GET /login/",
            "POST /login/",
            "GET /logout/",
            "POST /api/v1/security/login",
            "POST /api/v1/security/refresh",
        )
    } == {
        "GET /api/v1/report/summary": (Auth.AUTHENTICATED, ("protect",)),
        "GET /api/v1/report/export": (Auth.NONE, ()),
        "POST /api/v1/admin/users/purge": (Auth.AUTHENTICATED, ("protect",)),
        "GET /api/v1/contact/{pk}": (Auth.AUTHENTICATED, ("protect",)),
        "DELETE /api/v1/contact/{pk}": (Auth.AUTHENTICATED, ("protect",)),
        "GET /stats/daily": (Auth.AUTHENTICATED, ("has_access",)),
        "GET /stats/raw": (Auth.NONE, ()),
        "GET /contacts/list/": (Auth.AUTHENTICATED, ("has_access",)),
        "POST /contacts/action_post": (Auth.AUTHENTICATED, ()),
        "POST /admin/contacts/action_post": (Auth.AUTHENTICATED, ()),  # and no APS501
        "GET /login/": (Auth.PUBLIC, ()),
        "POST /login/": (Auth.PUBLIC, ()),
        "GET /logout/": (Auth.PUBLIC, ()),
        "POST /api/v1/security/login": (Auth.PUBLIC, ()),
        "POST /api/v1/security/refresh": (Auth.AUTHENTICATED, ("jwt_required",)),
    }
    roles = {g.role for r in result.routes for g in r.guards if g.name.endswith(".protect")}
    assert roles == {GuardRole.AUTHORIZATION}  # a permission check: APS501 stays quiet


def test_flask_appbuilder_table_entries_name_real_functions() -> None:
    """Each FAB entry in library_guards names a function FAB defines there (a typo would
    silently match nothing); entries of FAB 4 only are absent from FAB 5. Another
    library's guard entries are checked likewise when that library is installed."""
    import importlib
    import importlib.util

    from pytest_apiposture import library_guards as knowledge

    fab4_only = {
        "flask_appbuilder.security.views:AuthOIDView.login",
        "flask_appbuilder.security.registerviews:RegisterUserOIDView.form_oid_post",
    }
    missing = []
    for entry in sorted(knowledge.LIBRARY_PUBLIC_HANDLERS | knowledge.LIBRARY_AUTHORIZING_HANDLERS):
        module_name, qualname = entry.split(":")
        owner: object = importlib.import_module(module_name)
        for part in qualname.split("."):
            owner = vars(owner).get(part) if isinstance(owner, type) else getattr(owner, part, None)
        if not callable(owner) and entry not in fab4_only:
            missing.append(entry)
        elif callable(owner) and entry in fab4_only:
            missing.append(f"{entry} exists in this FAB: move it out of fab4_only")
    for entry in sorted(knowledge.LIBRARY_AUTHORIZATION_GUARDS):
        if importlib.util.find_spec(entry.split(".")[0]) is None:
            assert not entry.startswith("flask_appbuilder.")
            continue  # Flask-Allows is not a test dependency: checked where installed
        if not callable(_dotted_object(entry)):
            missing.append(entry)
    assert missing == []


def _dotted_object(dotted: str) -> object:
    """``package.module.Class.method`` resolved: the longest importable module, then attributes."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            owner = getattr(owner, part, None)
        return owner
    return None


def test_unregistered_route_is_info_and_registered_routes_gain_static_origin() -> None:
    result = check_fixture("rx_fa_misc")
    shadow = [f for f in result.findings if f.code == "APS909"]
    source = (FIXTURES_DIR / "rx_fa_misc.py").read_text().splitlines()
    decorator_line = source.index('@legacy.get("/export")  # expect: APS909') + 1
    assert [(f.severity, f.location.line if f.location else 0) for f in shadow] == [
        (Severity.INFO, decorator_line)
    ]
    origins = {r.key: r.origin for r in result.routes}
    assert origins["GET /registered"] == ("runtime", "static")
    assert origins["GET /openapi.json"] == ("runtime",)  # added by FastAPI, no decorator


def test_dispatch_time_guards_are_read_in_dispatch_order() -> None:
    """method_decorators (the last one outermost, per verb for a dict) and a blueprint's
    url_value_preprocessor become guards of the routes they reach, and only those."""
    result = check_fixture("rx_fl_dispatch")
    table = {
        r.key: tuple((g.name.rsplit(".", 1)[-1], g.origin, g.role) for g in r.guards)
        for r in result.routes
    }
    auth, other = GuardRole.AUTH, GuardRole.OTHER
    assert table["GET /api/bills"] == (
        ("need_auth", "method-decorator", auth),
        ("log_calls", "method-decorator", other),
    )
    assert table["GET /api/members"] == ()
    assert table["DELETE /api/members"] == (("need_auth", "method-decorator", auth),)
    assert table["GET /api/notes"] == ()
    assert table["GET /projects/{project_id}/bills"] == (
        ("pull_project", "url_value_preprocessor", auth),
    )
    assert table["GET /keys/"] == (("need_key", "url_value_preprocessor", auth),)
    assert table["GET /shop/{lang}/orders"] == (("pull_lang", "url_value_preprocessor", other),)
    assert table["GET /login"] == ()
