"""Triage of zenml's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

VERDICTS = (
    # --- APS101: 76 findings, one pattern -----------------------------------------------
    Verdict(
        "APS101",
        r"^zenml  \S+ /api/v1/secrets/",
        False,
        "verify_permissions_and_get/update_entity -> verify_permission_for_model(secret, "
        "action) (RBAC); the store's _get_visible_secret_schema raises KeyError for a "
        "private secret whose user is not the active user",
        "the owner check is in the store layer (SqlZenStore._get_visible_secret_schema) and "
        "the RBAC call verify_permission_for_model(model, action) takes the fetched object; "
        "the reported sink `(permissions or {}).get(resource)` is a lookup in the RBAC "
        "permission map inside dehydrate_response_model, not an object fetch",
    ),
    Verdict(
        "APS101",
        r"^zenml  ",
        False,
        "every handler fetches through verify_permissions_and_{get,update,create}_entity or "
        "calls verify_permission_for_model / batch_verify_permissions_for_models(model, "
        "action) on the fetched object (or its run/model/project) before acting; that is "
        "ZenML's object-level check (RBAC when configured; the OSS server shares a "
        "project's pipelines, stacks and artifacts among all its users by design, admin-only "
        "operations use verify_admin_status_if_no_rbac)",
        "the sink the taint reached is `(permissions or {}).get(resource)` in "
        "rbac/utils._dehydrate_value (a permission-map lookup in the authorization code "
        "itself), or log/status helpers called after the check; an access-check call taking "
        "the fetched object and an action (verify_permission_for_model) is not recognised "
        "as the object-level check",
    ),
    # --- APS201 / APS251: public routes -------------------------------------------------
    Verdict(
        "APS201",
        r"^zenml  POST /api/v1/device_authorization",
        False,
        "the OAuth2 device authorization endpoint (RFC 8628): a CLI asks for a device and "
        "user code anonymously; the code is useless until a logged-in user verifies it",
        "public by purpose (an OAuth entry point); its path is not in the known public names",
    ),
    Verdict(
        "APS251",
        r"^zenml  POST /api/v1/device_authorization",
        False,
        "RFC 8628 device authorization: anonymous by design (see APS201)",
        "public by purpose; the probe treats every route not declared public as protected",
    ),
    # static run of issue 15c (a probe run refutes them: 401 without a valid token)
    Verdict(
        "APS201",
        r"^zenml  GET /api/v1/(artifact_versions/\{artifact_version_id\}/data|"
        r"pipeline_snapshots/\{snapshot_id\}/code)",
        False,
        "a signed download link: the handler first calls verify_download_token(token, "
        "download_type, resource_id), which jwt.decodes the query token with the server's "
        "key and raises CredentialsNotValid unless it was issued for this resource "
        "(by the authenticated .../download-token route)",
        "the refusal is an exception named CredentialsNotValid, which the deny-exception "
        "words did not match",
    ),
    Verdict(
        "APS201",
        r"^zenml  GET /api/v1/info",
        False,
        "server info (version, deployment and auth scheme) that clients read before login; "
        "public by design",
        "public by purpose (server metadata); the run declares no public list",
    ),
    Verdict(
        "APS251",
        r"^zenml  GET /api/v1/info",
        False,
        "server info read by clients before login, public by design",
        "public by purpose; the run declares no public list",
    ),
    Verdict(
        "APS352",
        r"^zenml  GET /api/v1/info",
        False,
        "`secrets_store_type` is the kind of secrets store (sql, aws, ...), not a secret",
        "name-based: a key containing 'secret' that names a backend type",
    ),
    Verdict(
        "APS201",
        r"^zenml  GET /api/v1/supported-events",
        False,
        "returns PLATFORM_EVENT_REGISTRY[source_type].described_values(): constant enum "
        "values and descriptions, no stored data",
        "a route that returns only constants exposes nothing; the check cannot tell a "
        "constant response from data",
    ),
    Verdict(
        "APS251",
        r"^zenml  GET /api/v1/supported-events",
        False,
        "constant event-type list, no stored data",
        "a constant response is not data exposure",
    ),
    Verdict(
        "APS201",
        r"^zenml  POST /api/v1/webhooks/\{webhook_type\}/\{webhook_id\}/events",
        False,
        "provider webhook intake: _receive_webhook_event calls provider.authenticate(body, "
        "headers, secret=config.secret) (HMAC signature) and answers 401 on failure",
        "a signature check in a helper the handler calls through run_in_threadpool is the "
        "guard (webhook receivers authenticate by signature, not by session)",
    ),
    Verdict(
        "APS201",
        r"^zenml  GET /\{file_path\}",
        False,
        "the dashboard SPA's static files catch-all (index.html, assets); public on purpose",
        "a static/SPA catch-all is public by purpose",
    ),
    Verdict(
        "APS251",
        r"^zenml  GET /\{file_path\}",
        False,
        "the dashboard's static index.html, public on purpose",
        "a static/SPA catch-all is public by purpose",
    ),
    # --- APS3xx / APS501 on users and webhooks ------------------------------------------
    Verdict(
        "APS301",
        r"^zenml  ",
        False,
        "the webhook signing secret is returned once to the authenticated caller who creates "
        "(POST /webhooks) or rotates it (PUT /webhooks/{id}/secret, verify_permission_for_model "
        "UPDATE), to configure the provider: issuing it is the route's purpose",
        "name-based: a route that issues a secret to its creator by purpose",
    ),
    Verdict(
        "APS303",
        r"^zenml  POST /api/v1/users",
        False,
        "create_user calls verify_admin_status_if_no_rbac(auth_context.user.is_admin, "
        "'create user'): only an admin creates users, so setting is_admin is an admin act "
        "(with auth scheme EXTERNAL the route is not registered)",
        "the role check is a call in the handler taking the caller's admin flag, not a dependency",
    ),
    Verdict(
        "APS304",
        r"^zenml  ",
        False,
        "the reported write `resources.update(_get_subresources_for_value(value))` adds to a "
        "set of RBAC resources while dehydrating the response; update_user builds "
        "safe_user_update = user_update.create_copy(exclude={is_admin, active, password, "
        "...}), email-opt-in builds UserUpdate(email, email_opted_in) for the caller only",
        "a set.update in a helper three calls deep is not a model write (APS304 follows "
        "calls into unrelated containers)",
    ),
    Verdict(
        "APS501",
        r"^zenml  PUT /api/v1/users/\{user_name_or_id\}  ",
        False,
        "is_admin is excluded from the copied update; a change is refused for one's own "
        "account and for non-admins ('Only admins are allowed to change the admin status'), "
        "other users' accounts need verify_admin_status_if_no_rbac",
        "the role check is an if on auth_context.user.is_admin raising IllegalOperationError "
        "in the handler",
    ),
    Verdict(
        "APS501",
        r"^zenml  PUT /api/v1/users/\{user_name_or_id\}/email-opt-in",
        False,
        "only for the caller's own id (else AuthorizationException), and it writes a new "
        "UserUpdate(email=..., email_opted_in=...): is_admin is never read",
        "the body model has is_admin but the handler copies two named fields",
    ),
    # --- APS804 -------------------------------------------------------------------------
    Verdict(
        "APS804",
        r"^zenml  .*analytics/enums\.py",
        False,
        "CREATED_SECRET = 'Secret created' is an analytics event label",
        "a name containing SECRET holding a label is not a key (rules/aps8*)",
    ),
    Verdict(
        "APS804",
        r"^zenml  .*aws_service_connector\.py",
        False,
        "SECRET_KEY = 'secret-key' is an enum value naming an AWS authentication method",
        "a value that names a kind is not a key (rules/aps8*)",
    ),
    Verdict(
        "APS804",
        r"^zenml  .*vllm_deployment\.py",
        False,
        "OpenAI(api_key='EMPTY', base_url=...) talks to the local vLLM server, which needs no "
        "key: 'EMPTY' is the documented placeholder",
        "a placeholder value is not a key (rules/aps8*)",
    ),
)
