"""Verdicts on the medium-or-above findings of the real-app runs, from reading the code.

Each ``Verdict`` covers the findings of one check whose "run  METHOD path  file" line
matches ``where`` (a regular expression, searched); the first matching verdict wins.
``summary.py --triage`` applies them to the latest reports and counts true / false /
untriaged findings; an untriaged finding is a finding nobody has read yet, so the
table is only complete when that count is zero. ``why`` says what the code does;
``cause`` (false ones) says why the check got it wrong and where that is fixed.
"""

from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Verdict:
    code: str
    where: str
    true: bool
    why: str
    cause: str = ""
    # one fact seen on every route (a server that ships without auth): reported apart too,
    # so the share of true findings is not carried by one verdict
    bulk: bool = False

    def matches(self, run: str, finding: dict[str, Any]) -> bool:
        line = f"{run}  {finding['method']} {finding['path']}  {finding.get('file') or ''}"
        return finding["code"] == self.code and re.search(self.where, line) is not None


NO_AUTH_BY_DEFAULT = (
    "the server ships without authentication (documented: put it behind a proxy or enable "
    "its auth); an anonymous caller can use this route"
)

VERDICTS: tuple[Verdict, ...] = (
    # --- issue 15, second pass (branch wt-15rules): findings issue 17's call following
    # added to the tuned apps, and those the corrected middleware scope brought out -------
    Verdict(
        "APS101",
        r"^calibreweb  GET /(download|show)/",
        False,
        "books are the shared library's catalogue (visibility by common_filters); what the "
        "rule followed was a response header (download) or the Google Drive folder of the "
        "book's path (show)",
        "a store into response headers is no object access (fixed: rules/aps101 "
        "_first_access); a shared catalogue has no owner (not fixed)",
    ),
    Verdict(
        "APS304",
        r"^calibreweb  ",
        False,
        "ub.session.merge(archived_book) / calibre_db.session.merge(book): SQLAlchemy merges "
        "an instance the code built, no mapping of attributes the client chose",
        "an ORM session's merge is no bulk write (fixed: rules/aps304 _bulk_method_writes)",
    ),
    Verdict(
        "APS701",
        r"^calibreweb  ",
        False,
        "save_cover_from_url fetches through cw_advocate, which refuses local and private "
        "addresses; plain requests.get only when the admin starts the server with "
        "--allow-localhost",
        "an SSRF-safe client (advocate) is not told from requests (not fixed)",
    ),
    Verdict(
        "APS101",
        r"^litellm  POST /config/pass_through_endpoint/",
        False,
        "admin-only: get_config_general_settings raises 403 unless "
        "user_api_key_has_admin_view; pass-through endpoints are proxy configuration",
        "an admin check in a helper the handler calls first is not read as function-level "
        "authorization (not fixed)",
    ),
    Verdict(
        "APS101",
        r"^litellm  GET ((/\{provider\})?/v1)?/files/\{file_id\}/content|^litellm  GET /sso/cli/poll/",
        False,
        "data.update(credentials) merges a dict; flattened[prefix] = value fills the answer: "
        "neither looks an object up by the id",
        "a dict merge or a store into a dict the function builds is no lookup (fixed: "
        "rules/aps101 _first_access, rules/_mappings)",
    ),
    Verdict(
        "APS201",
        r"^litellm  GET /public/",
        False,
        "the model hub, provider lists, blog posts: LiteLLM files them under /public/ for "
        "anonymous readers",
        "a read under a 'public' segment is public by purpose (fixed: static/purpose.py)",
    ),
    Verdict(
        "APS201",
        r"^litellm  \S+ /(mcp(/proxy)?|toolset/\{toolset_name\}/mcp|\{mcp_server_name\}/mcp)  ",
        False,
        "the handler streams the request into the MCP ASGI app (handle_streamable_http_mcp), "
        "which authenticates it (extract_mcp_auth_context, admit_mcp_request with "
        "user_api_key_auth)",
        "auth inside an ASGI app the handler hands the request to is not followed (not "
        "fixed; before this branch the metrics middleware, read as app-wide, hid these routes)",
    ),
    Verdict(
        "APS201",
        r"^litellm  POST /v1/(logs|traces)  ",
        False,
        "answers 410 Gone through _otlp_error whatever the request: serves nothing",
        "a fixed 410 returned through a helper is not read as answering only 'not found' "
        "(not fixed)",
    ),
    Verdict(
        "APS901",
        r"^litellm  POST /v1/(logs|traces)  ",
        False,
        "answers 410 Gone through _otlp_error whatever the request: no operation to document",
        "as for its APS201 (not fixed)",
    ),
    Verdict(
        "APS201",
        r"^litellm  GET /(get_image|get_logo_url|get/ui_theme_settings|get/ui_settings)  ",
        False,
        "the login page's logo, theme and sanitised UI flags: public so the login page "
        "renders before anyone signs in",
        "public by design with no general signal in the code (not fixed)",
    ),
    Verdict(
        "APS901",
        r"^litellm  GET /(get_logo_url|onboarding/get_token)  ",
        False,
        "UI bootstrap and invitation routes, public by design, kept out of the API schema",
        "as for their APS201 (not fixed)",
    ),
    Verdict(
        "APS201",
        r"^litellm  (GET /onboarding/get_token|POST /moyai/connect/exchange|\S+ /liteadmin/slack/connect/\{token\}|GET /v1/skills/\{skill_id\}/archive)  ",
        False,
        "an invitation link, a one-time signed code exchanged for a key, a Slack capability "
        "link (the token in the path), and skill archives that discovery clients fetch "
        "without credentials (documented): each authenticates by what the caller holds, or "
        "is public by design",
        "a capability in the URL is not read as a credential (not fixed)",
    ),
    Verdict(
        "APS303",
        r"^litellm  POST /onboarding/claim_token",
        False,
        "InvitationClaim.user_id is compared with the invitation's user_id and a mismatch "
        "raises 401",
        "a field checked against a stored value is not set (fixed: rules/aps303 _verified)",
    ),
    Verdict(
        "APS101",
        r"^phoenix  \S+ /v1/agent_sessions/",
        False,
        "_refresh_and_load_agent_session loads the session with AgentSession.user_id == the "
        "caller's id (request.user) and answers 404 otherwise",
        "the owner filter two calls down the helper chain is not seen (not fixed)",
    ),
    Verdict(
        "APS101",
        r"^phoenix  DELETE /v1/system/api_keys/",
        False,
        "Depends(require_admin): only administrators manage system keys",
        "require_admin is not recognised as an admin guard (not fixed)",
    ),
    Verdict(
        "APS101",
        r"^phoenix  \S+ /v1/(datasets|experiments)/",
        False,
        "datasets and experiments are shared by every user of a Phoenix deployment (roles "
        "gate writes; nothing is per-user)",
        "a shared workspace object has no owner (not fixed)",
    ),
    Verdict(
        "APS701",
        r"^prefect(-auth)?  GET /api/collections/views/",
        False,
        "httpx.get(KNOWN_VIEWS[view]): the caller picks one of four registry URLs by key",
        "a URL looked up in the server's own mapping is fixed (fixed: rules/aps701 "
        "_host_controlled)",
    ),
    Verdict(
        "APS101",
        r"^prefect-auth  ",
        False,
        "one shared credential for every caller: no caller owns an object another could reach",
        "ownership needs more than one principal (not fixed)",
    ),
    # --- issue 15: apps never used in development (Calibre-Web, Phoenix, LiteLLM) ---------
    Verdict(
        "APS201",
        r"^calibreweb  GET /(opds|ajax/book/)",
        False,
        "@requires_basic_auth_if_no_ano: HTTP basic auth answering 401, unless the "
        "admin turned on anonymous browsing (config.config_anonbrowse)",
        "a guard whose refusal depends on a setting is conditional, not none "
        "(fixed: guardcode.condition, GuardRole.CONDITIONAL_AUTH)",
    ),
    Verdict(
        "APS201",
        r"^calibreweb  \S+ /(gdrive/(watch/)?callback|robots\.txt|login|register|remote/login|ajax/verify_token)",
        False,
        "public by purpose: an OAuth callback, Google Drive's signed change notification, "
        "robots.txt, the login and sign-up pages, the remote-login (Kobo/e-reader) entry "
        "points, switched off by config.config_remote_login",
        "public by purpose under any prefix (fixed: static/purpose.py)",
    ),
    Verdict(
        "APS251",
        r"^calibreweb  GET /login",
        False,
        "the login page answers anonymous callers: that is its purpose",
        "public by purpose (fixed: static/purpose.py; probes skip public routes)",
    ),
    Verdict(
        "APS201",
        r"^calibreweb  GET /reconnect",
        True,
        "an anonymous GET reconnects the library database when the reconnect CLI switch is "
        "on (intended for Docker hosts, off by default): worth a reviewer's eye",
    ),
    Verdict(
        "APS101",
        r"^calibreweb  \S+ /shelf/",
        False,
        "check_shelf_edit_permissions / check_shelf_view_permissions / "
        "delete_shelf_helper compare shelf.user_id with current_user.id",
        "the ownership check is in a same-module helper that takes the fetched object",
    ),
    Verdict(
        "APS101",
        r"^calibreweb  GET /(book|ajax/getcustomenum)/",
        False,
        "books and custom columns are the shared library's catalogue, not any user's "
        "objects; visibility filters (common_filters) apply",
        "a shared catalogue has no owner: not BOLA",
    ),
    Verdict(
        "APS401",
        r"^calibreweb  GET /ajax/list(books|users)",
        True,
        "limit = request.args.get('limit') goes to the query unbounded",
    ),
    Verdict(
        "APS804",
        r"^calibreweb  .*comicvine\.py",
        True,
        "a ComicVine API key hard-coded in the source (the vendor's, shipped to everyone)",
    ),
    Verdict(
        "APS201",
        r"^phoenix  \S+ /(\.well-known/|arize_phoenix_version|auth\.md|auth/(logout|refresh|password-reset)|oauth2/(token|register|revoke|\{idp_name\}/(login|tokens)))",
        False,
        "public by purpose: discovery metadata, the version, the auth guide, logout, "
        "token refresh, password reset, OAuth2 token/registration/revocation, IdP login "
        "and callback",
        "public by purpose under any prefix (fixed: static/purpose.py)",
    ),
    Verdict(
        "APS201",
        r"^phoenix  \S+ /oauth2/authorize",
        False,
        "user = _get_cookie_user(request); if user is None: raise 401 / redirect to login",
        "a check in the handler on a variable assigned from a credential-reading call "
        "(fixed: guardcode follows such variables)",
    ),
    Verdict(
        "APS303",
        r"^phoenix  POST /oauth2/authorize/decision",
        False,
        "`approved` is the signed-in user's consent decision, the point of the route",
        "the field name is privileged elsewhere; here it is the request's subject",
    ),
    Verdict(
        "APS901",
        r"^phoenix  \S+ /(\.well-known/|arize_phoenix_version|auth\.md|auth/|oauth2/|mcp/|\{path\})",
        False,
        "public-by-purpose or UI routes (auth entry points, metadata, the SPA catch-all, "
        "MCP) kept out of the REST schema on purpose; 'has no authentication' repeats the "
        "APS201 error",
        "shadow severity follows the route's auth class, and public by purpose is low "
        "(fixed: static/purpose.py)",
    ),
    Verdict(
        "APS401",
        r"^phoenix  ",
        True,
        "limit: int = Query(default=100, gt=0): a lower bound, no upper one; the query "
        "takes limit + 1 rows",
    ),
    Verdict(
        "APS804",
        r"^phoenix  ",
        False,
        "GITHUB_PAT_SECRET_KEY = 'GITHUB_PERSONAL_ACCESS_TOKEN' names an environment "
        "variable; _USER_API_KEY = 'UserApiKey' is a type label",
        "a value that names a variable or a kind is not a key (rules/aps8*, not changed)",
    ),
    Verdict(
        "APS901",
        r"^phoenix  ",
        True,
        "authenticated routes (GraphQL, span/trace ingestion, client errors, legacy "
        "agents) absent from the published schema: inventory, medium",
    ),
    Verdict(
        "APS901",
        r"^litellm  ",
        True,
        "include_in_schema=False routes behind user_api_key_auth (config, debug, SSO and "
        "UI helpers): absent from the published schema; inventory, medium",
    ),
    Verdict(
        "APS101",
        r"^litellm  \S+ /team/\{team_id\}/",
        False,
        "after fetching the team: `if not await get_team_access().allows(user_api_key_dict, "
        "team, TEAM_OR_ORG_ADMIN): team_access_denied()` (the code calls it an IDOR guard)",
        "an access-check call taking the caller's identity and the object, tested before a "
        "refusal, is the object-level check (a role guard no longer silences APS101, so the "
        "call must be read: fixed in rules/aps101 _owner_checked)",
    ),
    Verdict(
        "APS304",
        r"^litellm  ",
        False,
        "`update(...)` merges response headers or the provider payload the proxy forwards "
        "by design; PATCH /organization/update builds a declared pydantic model",
        "a dict update of headers / a forwarded payload is not a model write (APS304's "
        "owner: rules/aps3*, not changed here)",
    ),
    Verdict(
        "APS301",
        r"^litellm  ",
        False,
        "`api_keys` / `changed_by_api_key` hold hashed key ids and per-key spend rows; "
        "/moyai/connect/exchange issues a key to its caller by purpose",
        "name-based: a field named like a secret holding key ids (rules/aps3*, not changed)",
    ),
    Verdict(
        "APS803",
        r"^litellm  ",
        False,
        "ID tokens read as they arrive over TLS from the IdP's own token endpoint, or "
        "claims peeked to pick the validation path that verifies them afterwards",
        "unverified decode of a back-channel token is allowed by OIDC (rules/aps8*, not changed)",
    ),
    Verdict(
        "APS804",
        r"^litellm  ",
        False,
        "PTU_SENTINEL_API_KEY = '__ptu_flat_cost__' (a sentinel), api_key='[REDACTED]', "
        "a function named acreate_realtime_client_secret",
        "a sentinel / redaction literal / callable is not a key (rules/aps8*, not changed)",
    ),
    Verdict(
        "APS401",
        r"^litellm  GET /(\{provider\}/)?(v1/)?(batches|containers|files|fine_tuning/jobs)",
        False,
        "`limit` is forwarded to the upstream provider's list API, which bounds it",
        "the bound is the provider's (rules/aps4*, not changed)",
    ),
    Verdict(
        "APS401",
        r"^litellm  ",
        True,
        "page_size / limit / size go to the spend database query unbounded",
    ),
    Verdict(
        "APS305",
        r"^litellm  ",
        False,
        "fine-tuning and deployment models allow extra fields to pass provider "
        "parameters through, by design of a proxy",
        "(rules/aps3*, not changed)",
    ),
    Verdict(
        "APS906",
        r"^litellm  GET /health",
        False,
        "/health has dependencies=[Depends(user_api_key_auth)]; the default public list's "
        "'GET /health' overrode the visible guard",
        "a visible guard always wins over a default (fixed: auth.auth_verdict)",
    ),
    # --- missing authentication -----------------------------------------------------
    Verdict(
        "APS201",
        r"^(prefect|mlflow-flask|mlflow-host|mlflow-fastapi)  ",
        True,
        NO_AUTH_BY_DEFAULT,
        bulk=True,
    ),
    Verdict(
        "APS251",
        r"^(prefect|mlflow-flask|mlflow-host|mlflow-fastapi)  ",
        True,
        "confirmed in-process: the anonymous request got a 2xx",
        bulk=True,
    ),
    Verdict(
        "APS201",
        r"^airflow  GET /api(/v1)?/\{_\}",
        False,
        "a catch-all that only answers 404 ('API route not found', 'v1 removed')",
        "a handler whose every answer is a 404 serves nothing (fixed: denials.answers_only_not_found classifies it public)",
    ),
    Verdict(
        "APS201",
        r"^mlflow-auth  ",
        False,
        "the app-wide before_request hook answers 401 (make_basic_auth_response) and 403 "
        "(make_forbidden_response); the probe sees 401",
        "the denial is a response whose status_code is assigned before it is returned "
        "(fixed: denials.deny_status follows the helper that builds the response); the probe's "
        "refutation now lowers static findings (fixed: items.CheckItem)",
    ),
    # --- shadow endpoints -------------------------------------------------------------
    Verdict(
        "APS901",
        r"^airflow  GET /api(/v1)?/\{_\}",
        False,
        "include_in_schema=False on a 404-only catch-all; nothing is served",
        "as above: a 404-only handler is not an endpoint (fixed: classified public, so low)",
    ),
    Verdict(
        "APS901",
        r"^airflow  \S+ /ui/",
        True,
        "Airflow's UI API is include_in_schema=False: absent from the published schema "
        "(authenticated, so medium)",
    ),
    Verdict(
        "APS901",
        r"^mlflow-(fastapi|host)  .*src/mlflow/server/(handlers|__init__)\.py",
        False,
        "MLflow's Flask REST API, mounted at / behind a WSGI adapter; the FastAPI schema "
        "never covers a mounted Flask app, and the Flask app publishes none",
        "a mounted Flask app without a schema is outside the FastAPI schema's scope, as a "
        "plain Flask app is (fixed: drift.compare, one low finding per such mount)",
    ),
    # --- object-level authorization ----------------------------------------------------
    Verdict(
        "APS101",
        r"^airflow  \S+ /(api/v2|ui)/",
        False,
        "the route's requires_access_* dependency takes the same path parameter and asks "
        "the auth manager about that object (is_authorized_dag(details=DagDetails(id=dag_id)))",
        "a guard dependency that consumes the id path parameter is the object-level check "
        "(fixed: rules/aps101 _checked_by_guards)",
    ),
    Verdict(
        "APS101",
        r"^airflow  DELETE /execution/xcoms/",
        False,
        "has_xcom_access(dag_id, run_id, task_id, key) is a route dependency that decides "
        "access to exactly that XCom (team-scoped; a no-op in single-team mode by design)",
        "a guard dependency that takes the id path parameters is the object-level check "
        "(fixed: rules/aps101 _checked_by_guards)",
    ),
    Verdict(
        "APS101",
        r"^airflow  \S+ /execution/",
        True,
        "any task's token reads or clears any DAG's runs by id: no per-DAG check, which "
        "Airflow's security model accepts (workers of a deployment trust each other)",
    ),
    # --- data exposure --------------------------------------------------------------------
    Verdict(
        "APS301",
        r"^airflow  .*/connections.*src/airflow/api_fastapi/core_api/datamodels/connections\.py",
        False,
        "ConnectionResponse.password has a field_validator that returns redact(v): '***'",
        "a sensitive field passed through a redacting validator/serializer is not exposed "
        "(fixed: rules/aps301)",
    ),
    Verdict(
        "APS301",
        r"^airflow  \S+ /api/v2/connections/enqueue-test",
        False,
        "the token is the handle of the caller's own queued connection test, used to poll "
        "its result",
        "a token the route issues to its caller is the point of the route, like a login's "
        "(fixed: rules/aps301, POSTs and echoed tokens)",
    ),
    Verdict(
        "APS301",
        r"^airflow  POST /auth/token",
        False,
        "the login endpoint: issuing access_token is its purpose",
        "credential-grant routes (token/login) issue tokens by design (fixed: rules/aps301)",
    ),
    Verdict(
        "APS301",
        r"^airflow  GET /execution/",
        True,
        "the execution API hands connection passwords to task workers: real, intended "
        "exposure behind the task JWT",
    ),
    Verdict(
        "APS352",
        r"^airflow  POST /api/v2/pools",
        False,
        "PoolResponse.pool is Field(serialization_alias='name'): 'name' is declared",
        "fixed: the adapter now records the response-side wire name (serialization_alias)",
    ),
    Verdict(
        "APS201",
        r"^superset  GET /api/v1/user/\{user_id\}/avatar\.png",
        True,
        "no @protect(), only @safe, although its docstring promises 401 to anonymous "
        "callers: anyone can probe user ids (301 or 204 for a user, 404 for none) and, with Slack "
        "avatars on, make the server call Slack with its token for any user",
    ),
    # --- mass assignment --------------------------------------------------------------------
    Verdict(
        "APS304",
        r"^superset  PUT /tabstateview/\{tab_state_id\}",
        True,
        "every form field goes into query(TabState).filter_by(id=...).update(fields): "
        "after the owner check, the caller can set any column of the tab state, user_id "
        "included (hand a tab to another user)",
    ),
    Verdict(
        "APS303",
        r"",
        False,
        "`active` of a schedule / concurrency limit, `status` of a session or MCP server "
        "version: the client's own switch or workflow state",
        "fixed: `active` and `status` left knowledge.PRIVILEGED_FIELDS (is_active, "
        "is_approved, verified stay)",
    ),
    # --- resource consumption -----------------------------------------------------------------
    Verdict(
        "APS401",
        r"^prefect(-auth)?  POST /api/flow_runs/\{id\}/input/filter",
        True,
        "limit: int = Body(1): the default is 1 but nothing bounds what a client sends",
    ),
    Verdict(
        "APS401",
        r"^prefect",
        False,
        "limit = dependencies.LimitBody(): a Depends factory whose get_limit raises 422 "
        "above PREFECT_SERVER_API_DEFAULT_LIMIT",
        "the bound sits in a Depends factory's function (fixed: rules/aps401 follows "
        "Depends(f) and factories returning one)",
    ),
    Verdict(
        "APS401",
        r"^mlflow-(fastapi|host)  .*/mcp-servers",
        False,
        "max_results is checked against SEARCH_MCP_SERVER_MAX_RESULTS_THRESHOLD in the "
        "tracking store the handler calls",
        "the bound is in the data layer, past static reach (fixed at run time: the "
        "APS451 probe gets 400 for max_results=10000000 and lowers the finding to low; a "
        "static-only run still reports it)",
    ),
    Verdict(
        "APS401",
        r"^airflow  GET /execution/asset-events",
        True,
        "limit=None returns every event; no upper bound",
    ),
    Verdict(
        "APS401",
        r"^superset  GET /api/v1/security/roles/search/",
        True,
        "page_size = args.get('page_size', 10) goes to .limit(page_size) unbounded",
    ),
    # --- function-level authorization ---------------------------------------------------------
    Verdict(
        "APS501",
        r"^prefect-auth  \S+ /api/admin/",
        True,
        "one shared credential (PREFECT_SERVER_API_AUTH_STRING) for workers and people: "
        "any holder can read settings and reset the database",
    ),
    # --- spec drift ---------------------------------------------------------------------------
    Verdict(
        "APS906",
        r"^airflow  GET /api/v2/auth/logout",
        False,
        "logout reads the bearer token only to revoke it (auto_error=False schemes); "
        "FastAPI writes such optional schemes into the schema as a requirement",
        "drift already excuses this for routes classified optional; a route declared "
        "public with only optional schemes needs the same (fixed: drift)",
    ),
    # --- hard-coded secrets ----------------------------------------------------------------
    Verdict(
        "APS804",
        r"src/prefect/_internal/analytics/_config\.py",
        True,
        "a real Amplitude key written at build time (a write-only ingestion key: low impact)",
    ),
    Verdict(
        "APS804",
        r"src/prefect/_internal/analytics/client\.py",
        False,
        "'YOUR_AMPLITUDE_API_KEY_HERE': a placeholder fallback",
        "placeholder values (your_..._here, changeme, dummy, unused) (fixed: rules/aps804)",
    ),
    Verdict(
        "APS804",
        r"src/superset/config\.py",
        True,
        "GLOBAL_ASYNC_QUERIES_JWT_SECRET / GUEST_TOKEN_JWT_SECRET ship as "
        "'test-...-change-me': a deployment that turns on async queries or embedding "
        "without setting them accepts forged tokens",
    ),
    Verdict(
        "APS804",
        r"src/superset/constants\.py",
        True,
        "CHANGE_ME_SECRET_KEY is SECRET_KEY's fallback when SUPERSET_SECRET_KEY is unset "
        "(the CVE-2023-27524 class); Superset refuses to start with it outside debug",
    ),
    Verdict(
        "APS804",
        r"src/mlflow/",
        False,
        "key *names* (API_KEY = 'api_key', OPENAI_API_KEY = 'OPENAI_API_KEY', CLIENT_SECRET "
        "= 'client_secret') and dummies for local providers ('ollama', 'unused')",
        "a value that is the setting's own name, or a placeholder, is not a key "
        "(fixed: rules/aps804)",
    ),
)


@functools.cache
def all_verdicts() -> tuple[Verdict, ...]:
    """VERDICTS, then those of each ``triage_<app>.py`` beside this file (one file per app
    and reviewer, so reviews made side by side do not edit one file)."""
    found = list(VERDICTS)
    for path in sorted(Path(__file__).parent.glob("triage_*.py")):
        found.extend(importlib.import_module(path.stem).VERDICTS)
    return tuple(found)


def judge(run: str, finding: dict[str, Any]) -> Verdict | None:
    return next((v for v in all_verdicts() if v.matches(run, finding)), None)
