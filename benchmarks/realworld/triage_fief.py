"""Triage of fief's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

# the auth app's HTML pages under the default tenant and again under /{tenant_slug}
SESSION_PAGES = r"(consent|email/verify|verify|verify-request|)"

VERDICTS = (
    # --- APS901: shadow endpoints -------------------------------------------------------
    Verdict(
        "APS901",
        r"^fief  \S+ /admin/",
        True,
        "the administration dashboard: fief/apps/dashboard/app.py builds its FastAPI app "
        "with openapi_url=None and fief.app mounts it at /admin, so none of its routes is in "
        "any published schema (only /admin/api and the auth app publish one); every router "
        "carries Depends(is_authenticated_admin_session) (307 to login, 403 without "
        "fief:admin), so 'authenticated' is right. These are HTML form pages (FormHelper "
        "renders templates) that Fief deliberately leaves out of its schema; served and "
        "absent, as the rule states",
    ),
    Verdict(
        "APS901",
        r"^fief  GET /(\{tenant_slug\}/)?authorize  ",
        True,
        "apps/auth/app.py include_routers() includes routers/auth.py with "
        "include_in_schema=False, so the OAuth authorization endpoint is served (per "
        "tenant too) and absent from the auth app's /openapi.json; it has no "
        "authentication, by purpose: it starts the login flow (creates a login session, "
        "redirects to login, register or consent)",
    ),
    Verdict(
        "APS901",
        r"^fief  \S+ /\{tenant_slug\}/reset  ",
        False,
        "routers/reset.py is included with include_in_schema=False (hidden: that part "
        "holds), but reset_password is authenticated by the single-use reset token: "
        "user_manager.reset_password(form.token.data, ...) raises "
        "InvalidResetPasswordTokenError without a valid one; the default-tenant /reset is "
        "classed public (low) by the tool itself",
        "the shadow finding's auth class is taken from the route's guards: a capability "
        "token checked in the handler is not seen, and the password-reset path is known "
        "public only without the /{tenant_slug} prefix",
    ),
    Verdict(
        "APS901",
        rf"^fief  \S+ /\{{tenant_slug\}}/{SESSION_PAGES}  ",
        False,
        "hidden on purpose (include_in_schema=False on routers/auth.py and "
        "routers/dashboard.py), but 'has no authentication' is wrong: "
        "get_user_from_session_token_or_login / "
        "get_verified_email_user_from_session_token_or_verify depend on "
        "get_session_token_or_login, which raises HTTPException(307, Location: login) "
        "without a session cookie of the tenant; the probe refuted the same handlers under "
        "the default tenant (307)",
        "a dependency chain whose first link is optional (Cookie(None) -> None) but whose "
        "next link raises a redirect is read as optional auth; the probe could not refute it "
        "here because an unknown tenant slug answers 400 (get_current_tenant) before any "
        "guard runs, so the /{tenant_slug} copies kept the static class",
    ),
    Verdict(
        "APS901",
        rf"^fief  \S+ /{SESSION_PAGES}  ",
        True,
        "the user's own pages (profile /, consent, e-mail verification) of the default "
        "tenant: routers/auth.py and routers/dashboard.py are included with "
        "include_in_schema=False, so Fief deliberately leaves them out of the auth app's "
        "schema; they require a session (get_session_token_or_login: 307 to login, "
        "confirmed by the probe)",
    ),
    # --- APS202: optional authentication --------------------------------------------------
    Verdict(
        "APS202",
        r"^fief  GET /(\{tenant_slug\}/)?authorize  ",
        False,
        "the OAuth2 authorization endpoint, public by purpose: has_valid_session_token (and "
        "the session read in get_authorize_prompt) only decide whether to redirect to "
        "consent (an existing session) or to login/register; prompt=none without a session "
        "is answered with login_required; an anonymous caller gets a login page",
        "an optional credential read to choose a branch of a public flow is taken for a "
        "guard; the authorize path is known public only as /oauth/authorize",
    ),
    Verdict(
        "APS202",
        r"^fief  \S+ /(\{tenant_slug\}/)?reset  ",
        False,
        "password reset, public by purpose and authenticated by the e-mailed reset token "
        "(user_manager.reset_password raises InvalidResetPasswordTokenError otherwise); "
        "get_optional_login_session only picks where to redirect after success",
        "an optional login-session lookup that chooses a redirect is taken for the guard; "
        "a token checked inside the handler is not seen",
    ),
    Verdict(
        "APS202",
        rf"^fief  \S+ /(\{{tenant_slug\}}/)?{SESSION_PAGES}  ",
        False,
        "not optional: get_verified_email_user_from_session_token_or_verify -> "
        "get_user_from_session_token_or_login -> get_session_token_or_login raises "
        "HTTPException(307, Location: tenant login) when the session cookie is missing or "
        "of another tenant (and 307 to verify-request when the e-mail is unverified); the "
        "probe saw 307 for anonymous and invalid sessions on the default-tenant routes",
        "the chain starts with get_session_token (Cookie(None), returns None) and the "
        "dependent that rejects does so by raising an HTTPException with a 3xx redirect "
        "status; a raise of a redirect to the login page is not recognised as rejecting",
    ),
    # --- APS201 ---------------------------------------------------------------------------
    Verdict(
        "APS201",
        r"^fief  GET /admin  ",
        False,
        "fief/app.py get_admin returns RedirectResponse('/admin/', 308): a trailing-slash "
        "redirect to the dashboard, whose index requires is_authenticated_admin_session",
        "a handler that only redirects serves nothing; a bare redirect is not recognised as "
        "public by purpose",
    ),
    # --- APS301 / APS352: secrets in responses ------------------------------------------
    Verdict(
        "APS301",
        r"^fief  \S+ /admin/api/clients/",
        False,
        "schemas.client.Client returns client_secret to the holder of the admin API key "
        "(is_authenticated_admin_api): the administrator who registers the OAuth client and "
        "must copy its secret into the application (the dashboard shows it with a copy "
        "button too); secrets Fief need not show are SecretStr (encrypt_jwk, OAuth "
        "providers' client_secret). refresh_token_lifetime_seconds is an integer lifetime "
        "setting, not a token",
        "a credential handed by a management API to the administrator who owns it is not a "
        "leak (no audience is considered); a field name containing 'refresh_token' is "
        "matched though it holds a duration",
    ),
    Verdict(
        "APS301",
        r"^fief  POST /admin/api/webhooks/",
        False,
        "create_webhook returns schemas.webhook.WebhookSecret once, so the admin can verify "
        "the webhooks' signatures (the dashboard's 'shown only once' modal); later reads "
        "use schemas.webhook.Webhook without it",
        "a secret generated for the caller and returned once at creation is by purpose",
    ),
    Verdict(
        "APS352",
        r"^fief  \S+ /admin/api/clients/",
        False,
        "client_secret to the admin API key holder, by purpose (see APS301); "
        "refresh_token_lifetime_seconds is a duration; the 'undeclared' fields "
        "(client_id, access_id_token_lifetime_seconds, ...) are all declared by Client in "
        "the published schema, under results[] of PaginatedResults[Client]",
        "as for APS301; and the undeclared-field check compares the items of the wrapped "
        "list (records() unwraps 'results') with the envelope's own fields (count, "
        "results), not with the item model",
    ),
    Verdict(
        "APS352",
        r"^fief  GET /admin/api/oauth-providers/",
        False,
        "schemas.oauth_provider.OAuthProvider declares client_id and client_secret as "
        "SecretStr: the response carries '**********', not the provider's secret; the "
        "'undeclared' fields are declared by OAuthProvider under results[]",
        "a masked placeholder under a sensitive key is reported as the secret; the "
        "undeclared-field check compares a paginated envelope's items with the envelope's "
        "fields",
    ),
    Verdict(
        "APS352",
        r"^fief  POST /admin/api/webhooks/(\{id\}/secret)?  ",
        False,
        "create_webhook and regenerate_webhook_secret return the webhook's signing secret "
        "to the admin who created or rotated it, once, so the receiving app can verify "
        "signatures; by purpose",
        "a secret generated for the caller and returned once is not a leak",
    ),
    Verdict(
        "APS352",
        r"^fief  GET /admin/api/",
        False,
        "list routes returning PaginatedResults[...] (email templates, permissions, roles, "
        "tenants, user fields, users, a user's permissions and roles, webhooks): every "
        "'undeclared' field is declared by the item model in the published schema "
        "(EmailTemplate, Permission, Role, Tenant, UserField, UserRead, UserPermission, "
        "UserRole, Webhook)",
        "the undeclared-field check takes the declared set from the envelope's response "
        "fields (count, results) but compares the list items records() unwraps from "
        "'results'; the item model is not used",
    ),
    # --- APS804 ---------------------------------------------------------------------------
    Verdict(
        "APS804",
        r"^fief  .*fief/services/posthog\.py",
        True,
        "POSTHOG_API_KEY = 'phc_...' is Fief's real PostHog project key written in the "
        "source and shipped to every install (telemetry, off only when TELEMETRY_ENABLED is "
        "false); a project key is write-only ingestion, public by PostHog's design (low "
        "impact, like prefect's Amplitude key)",
    ),
)
