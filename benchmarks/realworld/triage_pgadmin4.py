"""Triage of pgadmin4's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

VERDICTS = (
    # --- APS251 anonymous 200 (the probe; "guard" = the desktop-mode before_request) -----
    Verdict(
        "APS251",
        r"^pgadmin4  \S+ /(login|browser/reset_password|(kerberos|webserver)/log(in|out))  ",
        False,
        "public by purpose: Flask-Security's login page, the forgot-password form "
        "(@anonymous_user_required: anonymous only), and the Kerberos/webserver "
        "external-auth login and logout pages (they call logout_user() and render a "
        "static page)",
        "login/logout/password-reset pages under app-specific prefixes not recognised as "
        "public by purpose; the app-wide before_request (desktop auto-login, a no-op in "
        "server mode) was taken for the routes' guard",
    ),
    Verdict(
        "APS251",
        r"^pgadmin4  GET /(browser/js/(endpoints|messages)\.js|browser/server/supported_servers\.js|tools/translations\.js)  ",
        False,
        "JavaScript assets rendered from templates (URL map, UI messages, gettext "
        "catalogue, the list of supported server types) that the login page itself "
        "loads; no user or server data",
        "static front-end assets served by views are public by nature; the probe has no "
        "notion of an asset route",
    ),
    Verdict(
        "APS251",
        r"^pgadmin4  GET /misc/ping  ",
        False,
        "returns the string PING: a liveness check, public by purpose",
        "health/ping route not recognised as public by purpose",
    ),
    Verdict(
        "APS251",
        r"^pgadmin4  \S+ /mfa/register  ",
        False,
        "registration_view checks `if not current_user.is_authenticated` itself and "
        "renders an empty 'Session expired' page (mfa_list=[]) with status 200; nothing "
        "is read or changed for an anonymous caller",
        "an in-handler refusal answered with 200 and an error page is read as success: "
        "the probe only looks at the status code",
    ),
    Verdict(
        "APS251",
        r"^pgadmin4  \S+ /misc/(heartbeat/stop|get_heartbeat/\{sid\})  ",
        False,
        "the server heartbeat table is keyed by the caller's own session.sid "
        "(_server_heartbeat[session.sid][sid]): an anonymous session reads None and stops "
        "nothing; no other session's data is reachable",
        "state scoped to the caller's own Flask session is owner-scoped; the probe counts "
        "any 2xx as access",
    ),
    Verdict(
        "APS251",
        r"^pgadmin4  \S+ /misc/(shutdown|cleanup|auto_update/)",
        False,
        "desktop-runtime helpers: /misc/shutdown returns '' without doing anything when "
        "SERVER_MODE is True; /misc/cleanup runs gc_timeout(), which only releases "
        "connections of sessions idle past MAX_SESSION_IDLE_TIME (>= 20 min), as it "
        "would anyway; /misc/auto_update only formats its own path parameters into a "
        "JSON reply (no state, no outbound call)",
        "a 2xx from a route that is a no-op or stateless in this configuration is not "
        "missing authentication: the probe cannot tell an effect from an empty answer",
    ),
    # --- APS304 mass assignment ----------------------------------------------------------
    Verdict(
        "APS304",
        r"^pgadmin4  \S+ \S+  \S*/misc/bgprocess/processes\.py",
        False,
        "BatchProcess.set_env_variables(server, env=env): every caller (backup, restore, "
        "maintenance, import/export, cloud deploy) builds `env` itself with fixed keys "
        "(PGDATABASE, PGHOST, GOOGLE_CREDENTIALS...); only values come from the request, "
        "the request cannot choose which variables are set",
        "a dict built by the handler with literal keys counted as raw request data because "
        "one value is tainted: key-level taint is needed for bulk writes",
    ),
    Verdict(
        "APS304",
        r"^pgadmin4  POST /browser/master_password  \S*/utils/master_password\.py",
        False,
        "set_masterpass_check_text: query(User).filter(User.id == current_user.id)"
        ".update({User.masterpass_check: encrypt(...)}): one fixed column of the caller's "
        "own row",
        "a query.update() with a literal one-column mapping is not a bulk copy of request "
        "data (the tainted value is a column value, not the key set)",
    ),
    Verdict(
        "APS304",
        r"^pgadmin4  POST /sqleditor/connect_server/\{sid\}  \S*/utils/crypto\.py",
        False,
        "crypto.encrypt: `encryptor.update(plaintext)` is the AES cipher context's update, "
        "encrypting the password; no object or query is written",
        "a method named update on a non-mapping (cryptography CipherContext) matched the "
        "dict/query .update pattern: the receiver's type is not checked",
    ),
    Verdict(
        "APS304",
        r"^pgadmin4  POST /(settings/save_tree_state/|import_export/job/\{sid\})  "
        r"\S*/(settings|tools/import_export)/__init__\.py",
        False,
        "merges a JSON blob of the caller's own UI state (browser tree state / last "
        "import-export dialog settings) into the caller's own Setting row "
        "(store_setting/get_setting filter on current_user.id); the blob has no "
        "privileged fields and nothing reads it for authorisation",
        "a dict.update on a per-user preference blob (a JSON value, not a model) is "
        "not mass assignment: no privileged attribute can be reached",
    ),
    Verdict(
        "APS304",
        r"^pgadmin4  DELETE /user_management/(role|save)/\{id\}",
        False,
        "the DELETE branch of role_save/save returns delete_role(id)/delete_user(id) "
        "before any request body is read; the setattr loops are on the POST branch only "
        "(and the route is @roles_required('Administrator'))",
        "a finding of a view function shared by several methods attributed to every "
        "method: the request.method branch is not followed",
    ),
    Verdict(
        "APS304",
        r"^pgadmin4  POST /user_management/save  ",
        False,
        "update_user copies `new_data` which validate_user builds field by field from an "
        "allow-list (email, role, active, username, auth_source, locked, password) with "
        "validation; username/email of internal users are refused; the route is "
        "@roles_required('Administrator'), whose job is to set exactly these fields",
        "the setattr loop iterates an allow-listed dict built by a validator, not the raw "
        "request: the taint should stop at a function that rebuilds the dict key by key",
    ),
    Verdict(
        "APS304",
        r"^pgadmin4  POST /user_management/role/  ",
        False,
        "update_role does `for key, value in data.items(): setattr(role, key, value)` on "
        "the raw request body - sloppy, but the route is @roles_required('Administrator') "
        "and a Role has only name, description and permissions, all of which the "
        "administrator edits through this and save_permissions anyway: no privilege can "
        "be gained",
        "raw-body setattr under an administrator-only guard onto a model whose every "
        "column the administrator may set: the guard's role should lower the finding",
    ),
    # --- APS101 object access ------------------------------------------------------------
    Verdict(
        "APS101",
        r"^pgadmin4  \S+ /user_management/",
        False,
        "@roles_required('Administrator'): pgAdmin's user and role records are global "
        "objects the administrator manages (Role.query.get / User.query.get by id); "
        "there is no owner to compare with",
        "an id lookup under a role guard for administrators flagged as BOLA: admin-only "
        "routes over global objects have no ownership to check",
    ),
    Verdict(
        "APS101",
        r"^pgadmin4  \S+ /(debugger|erd)/",
        False,
        "the flagged accesses are list/dict indexes over request or query data "
        "(default_values[idx], columns[count] of a result set, all_nodes[fk reference] "
        "of the posted ERD), not a lookup by trans_id; trans_id itself only selects an "
        "entry in the caller's own Flask session (session['__debugger_sessions'], the "
        "ERD/sqleditor transaction), and sid goes through connection_manager(), which in "
        "server mode calls get_server(sid) with the per-user access check",
        "subscripts on local lists/dicts in the call chain taken as object fetches by "
        "the path id; a lookup in the per-user session store is owner-scoped by nature",
    ),
    # --- wt-15d: present on main before that pass (a388a42), first read here ---------------
    Verdict(
        "APS701",
        r"^pgadmin4  POST /llm/models/\w+/refresh",
        False,
        "refresh_*_models: the api_url from the body is checked by validate_api_url "
        "against the administrator's config.ALLOWED_LLM_API_URLS (scheme://host:port) and "
        "refused before _fetch_*_models runs; the default list's loopback-any-port entries "
        "are a documented, accepted choice (config.py says what they expose)",
        "an allowlist check in a helper (`if api_url and not validate_api_url(api_url): "
        "return`) before the fetch is not recognised as sanitising the URL (not fixed)",
    ),
)
