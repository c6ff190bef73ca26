"""Triage of openwebui's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

VERDICTS = (
    # --- APS804: literal "secrets" ----------------------------------------------------------
    Verdict(
        "APS804",
        r"^openwebui  ",
        False,
        "every hit is a key of a name map (TTS_CONFIG_KEYS, IMAGE_CONFIG_KEYS, "
        "RETRIEVAL_CONFIG_KEYS, OAUTH config keys, the migration's STORAGE_KEY_REWRITES): "
        "'OPENAI_API_KEY': 'audio.tts.openai.api_key' maps a setting name to its config path; "
        "no secret value is written in the code",
        "a dict entry whose key looks like a secret and whose value is a dotted config path "
        "/ another setting name is a name map, not a literal secret",
    ),
    # --- APS803 -----------------------------------------------------------------------------
    Verdict(
        "APS803",
        r"^openwebui  ",
        False,
        "token exchange: the access token was first validated by the provider's userinfo "
        "endpoint (client.userinfo(token=...)) and its client id checked against the trusted "
        "list; the unverified decode only reads the claims of that provider-accepted token",
        "unverified decode after the issuer validated the token out of band (userinfo call) "
        "is not a signature bypass",
    ),
    # --- APS901 -----------------------------------------------------------------------------
    Verdict(
        "APS901",
        r"^openwebui  GET /ws/",
        False,
        "app.mount('/ws', socket_app): the Socket.IO transport, not a REST route; connect() "
        "only binds a user after get_verified_user_by_token(auth['token']) and every event "
        "handler returns when the sid has no user",
        "a mounted Socket.IO app authenticates per connection/event, out of the HTTP "
        "dependency chain; 'no authentication' is wrong and a mount is not a shadow route",
    ),
    # --- APS201: public by purpose ----------------------------------------------------------
    Verdict(
        "APS201",
        r"^openwebui  \S+ /(api/changelog|opensearch\.xml|ollama/ |api/v1/auths/ldap|api/v1/auths/mfa/)",
        False,
        "public by purpose: the bundled CHANGELOG (5 entries), the OpenSearch descriptor, the "
        "Ollama proxy's health check ({'status': True}), LDAP sign-in, and the MFA login "
        "steps, each of which requires the short-lived challenge token / cookie (and an "
        "Origin check) issued after the password step",
        "sign-in steps, health and static metadata under app-specific paths "
        "(/auths/ldap, /auths/mfa/*, /ollama/, /api/changelog, /opensearch.xml) are not "
        "recognised as public by purpose; the MFA steps' guard is a challenge-token check "
        "in a called function",
    ),
    # --- APS301 -----------------------------------------------------------------------------
    Verdict(
        "APS301",
        r"^openwebui  \S+ /api/v1/auths/(api_key)?  ",
        False,
        "the caller's own session token (SessionUserInfoResponse) or the caller's own API key "
        "(GET shows it, POST issues a new one), behind get_current_user and the API-key "
        "permission check: showing a user their own credential is the point of the route",
        "a credential returned to the principal it belongs to is not data exposure",
    ),
    Verdict(
        "APS301",
        r"^openwebui  GET /api/v1/channels/\{id\}/webhooks",
        False,
        "webhook tokens listed only to the channel's managers and admins "
        "(is_user_channel_manager or role admin, else 403), who need them to configure "
        "the sender",
        "a credential shown to the principal who administers it is the purpose of the route",
    ),
    Verdict(
        "APS301",
        r"^openwebui  \S+ /api/v1/(auths/admin/config/(ldap/server|oauth)|configs/code_execution|images/config)",
        True,
        "admin-only (get_admin_user) config routes return third-party secrets in plain text "
        "(LDAP bind password, OAuth client secret, Jupyter token/password, image-provider "
        "API keys); any admin session or admin API key can read them back: write-only "
        "masking would avoid it; a maintainer should consciously accept this (the "
        "admin/config/oauth pair also reports OAUTH_TOKEN_ENDPOINT_AUTH_METHOD, a method "
        "name, not a secret: one false hit per route that the line cannot separate)",
    ),
    # --- APS306 -----------------------------------------------------------------------------
    Verdict(
        "APS306",
        r"^openwebui  GET /api/config",
        False,
        "features.enable_signup_password_confirmation is a boolean UI flag",
        "name-based: a setting whose name contains 'password' but holds a flag",
    ),
    # --- APS304 -----------------------------------------------------------------------------
    Verdict(
        "APS304",
        r"^openwebui  \S+ /api/v1/(functions|tools)/id/\{id\}/valves/",
        False,
        "Valves(**form_data) / UserValves(**form_data) validate the plugin's own settings "
        "model, every field of which is meant to be set: admins (or tool writers) set "
        "Valves, a user sets their own UserValves, stored by (id, user.id); no privileged "
        "field exists to inject",
        "a pydantic settings model built from the body is validation, not a wholesale "
        "write of privileged columns",
    ),
    Verdict(
        "APS304",
        r"^openwebui  POST /api/v1/tasks/\S+  \S*src/open_webui/functions\.py",
        False,
        "get_function_module_by_id: `valves = await Functions.get_function_valves_by_id("
        "pipe_id)` loads the function's stored valves from the database and builds "
        "Valves(**{k: v for k, v in valves.items() if v is not None}) from them; the "
        "request only names the model (pipe_id), its data never reaches the valves "
        "(issue 15c run: this sink came to light once the forwarded chat form was no "
        "longer reported first)",
        "a value fetched by a request-derived id is stored data, but the taint follows "
        "the id into what it fetched (known, not fixed: issue 17's helper search)",
    ),
    Verdict(
        "APS304",
        r"^openwebui  ",
        False,
        "the chat/embedding/completion routes build the upstream request "
        "(GenerateChatCompletionForm(**form_data), OpenAI*Form(**form_data), "
        "GenerateEmbedForm(**payload)) forwarded to the model backend, or add filter ids to "
        "a Python set (all_function_ids.update(...)); nothing is persisted",
        "a forwarded payload model / set.update is not a model write",
    ),
    # --- APS701 -----------------------------------------------------------------------------
    Verdict(
        "APS701",
        r"^openwebui  \S+ /(api/chat/completed|api/v1/tasks/|openai/models|api/v1/pipelines/)",
        False,
        "the URL is an admin-configured connection (OPENAI_API_BASE_URLS[urlIdx] via "
        "get_openai_connection / the model's urlIdx): the caller only picks an index or a "
        "registered model, never the host; the pipelines routes are get_admin_user as well",
        "an index into a server-side list of URLs is not a caller-controlled URL",
    ),
    Verdict(
        "APS701",
        r"^openwebui  ",
        False,
        "get_admin_user routes whose purpose is to reach a URL the admin gives (verify a "
        "connection, preview an app manifest, register an OAuth client, add a tool "
        "server, load a function/tool from a URL; the code notes it is admin-only on "
        "purpose); Open WebUI admins can already run server-side Python (functions, tools)",
        "admin-supplied connection URLs are configuration, not SSRF: the admin guard "
        "should lower the finding",
    ),
    # --- APS101 -----------------------------------------------------------------------------
    Verdict(
        "APS101",
        r"^openwebui  \S+ /api/v1/chats/",
        False,
        "the chat is fetched by get_chats_by_folder_id_and_user_id(folder_id, user.id) / "
        "get_chat_by_id_and_user_id(id, user.id) and nothing happens when it is not the "
        "caller's; the flagged calls come after that owner-filtered fetch",
        "an owner filter inside a model method that takes user.id (named *_and_user_id) is "
        "not seen",
    ),
    Verdict(
        "APS101",
        r"^openwebui  \S+ /api/v1/functions/id/\{id\}/valves/user",
        False,
        "functions are the admin-installed, global plugin catalogue (no owner); the user "
        "part is read/written by (id, user.id) (update_user_valves_by_id_and_user_id)",
        "a shared catalogue has no owner, and the per-user state is keyed by user.id",
    ),
    # --- APS401 -----------------------------------------------------------------------------
    Verdict(
        "APS401",
        r"^openwebui  GET /api/v1/analytics/users",
        False,
        "admin-only; limit only slices the ranked list that is computed in full anyway",
        "a limit that slices an already-built list costs nothing",
    ),
    Verdict(
        "APS401",
        r"^openwebui  GET /api/v1/knowledge/\{id\}/files",
        False,
        "non-admins always get PAGE_ITEM_COUNT; only admins may set limit (max(1, limit))",
        "a bound that applies by role (the caller is trusted) is a check",
    ),
    Verdict(
        "APS401",
        r"^openwebui  ",
        True,
        "limit: int = 50 / 30 goes to the query's .limit() unbounded (automation runs, "
        "calendar search, channel messages) for any verified user",
    ),
)
