"""Triage of lnbits's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

_PUBLIC_UTILS = (
    "public utilities with no stored data: exchange rates and the currency list (used by "
    "public pay pages), sat/fiat conversion, QR-code rendering of the given string, "
    "bolt11 decoding and the fee reserve of a given invoice"
)

VERDICTS = (
    # --- APS201 / APS251: true ones -----------------------------------------------------
    Verdict(
        "APS201",
        r"^lnbits  \S+ /api/v1/ws/",
        True,
        "anyone can push any text to any websocket channel (websocket_manager.send(item_id, "
        "data)); LNbits itself broadcasts payment status on the channel named by the "
        "payment hash, which is public in the invoice, so an anonymous caller can send "
        "{'pending': false} to a pay page or extension waiting for payment (the "
        "pay-to-enable dialog shows 'Invoice Paid!'): spoofed notifications",
    ),
    Verdict(
        "APS251",
        r"^lnbits  \S+ /api/v1/ws/",
        True,
        "anonymous broadcast into any websocket channel, payment-hash channels included "
        "(see APS201)",
    ),
    Verdict(
        "APS201",
        r"^lnbits  POST /api/v1/payments/\{payment_request\}/pay-with-nfc",
        True,
        "public for the point-of-sale NFC flow, but perform_withdraw(lud17) first GETs the "
        "caller-supplied LNURL (only the later callback passes check_callback_url): any "
        "anonymous caller makes the server fetch an https URL of its choice (or "
        "http://localhost): blind SSRF open to everyone",
    ),
    Verdict(
        "APS201",
        r"^lnbits  GET /api/v1/extension/\{ext_id\}/details",
        True,
        "an admin-UI helper (its sibling /{ext_id}/releases is check_admin) with no guard: "
        "each anonymous call fetches every extension manifest and the GitHub releases "
        "(uncached), an outbound-request amplifier and GitHub rate-limit drain; low impact, "
        "the data itself is public",
    ),
    # --- APS201 / APS251: public by purpose ---------------------------------------------
    Verdict(
        "APS201",
        r"^lnbits  POST /api/v1/account",
        False,
        "anonymous account + wallet creation is LNbits' sign-up, refused by "
        "create_user_account when lnbits_allow_new_accounts is off or an allow-list is set",
        "sign-up is public by purpose and gated by a setting (conditional); the path "
        "/account is not a known public name",
    ),
    Verdict(
        "APS251",
        r"^lnbits  POST /api/v1/account",
        False,
        "sign-up, public by purpose, switched off by lnbits_allow_new_accounts",
        "public by purpose; the run declares no public list",
    ),
    Verdict(
        "APS201",
        r"^lnbits  GET /api/v1/auth/\{provider\}/token",
        False,
        "the SSO provider's OAuth callback ('Handle OAuth callback'): verify_and_process "
        "checks the provider's answer (state, code exchange) and logs the user in; "
        "anonymous by protocol (static run of issue 15c; the probe run refuted it)",
        "an OAuth callback whose last segment is 'token' on a GET: the token segment counts "
        "for POSTs only, and no protocol segment (oauth, sso) is in the path",
    ),
    Verdict(
        "APS201",
        r"^lnbits  PUT /api/v1/auth/reset",
        False,
        "password reset authenticated by the reset key: decrypt_internal_message of an "
        "admin-issued key carrying the user id and its time, checked for expiry",
        "a token-in-body check is the guard; reset is public by purpose",
    ),
    Verdict(
        "APS201",
        r"^lnbits  GET /api/v1/lnurl/wallet/\{username\}/cb",
        False,
        "the LNURL-pay callback of a Lightning Address (LUD-06/16): wallets of payers call "
        "it anonymously to get an invoice",
        "protocol callback, public by purpose",
    ),
    Verdict(
        "APS251",
        r"^lnbits  GET /api/v1/lnurl/wallet/\{username\}/cb",
        False,
        "LNURL-pay callback, public by protocol",
        "protocol callback, public by purpose",
    ),
    Verdict(
        "APS201",
        r"^lnbits  GET /api/v1/payments/\{payment_hash\}",
        False,
        "public payment status by design: without a key only paid/failed (and the preimage "
        "once paid, which the payer holds anyway); details only when X-Api-Key's wallet "
        "owns the payment",
        "the handler reads an optional key and gates the sensitive part on ownership "
        "(an optional credential with a scoped response)",
    ),
    Verdict(
        "APS201",
        r"^lnbits  \S+ /api/v1/(rate/|currencies|conversion|qrcode|payments/decode|payments/fee-reserve)",
        False,
        _PUBLIC_UTILS,
        "a route computing from its input alone exposes nothing; not in the known public names",
    ),
    Verdict(
        "APS251",
        r"^lnbits  \S+ /api/v1/(rate/|currencies|conversion|qrcode)",
        False,
        _PUBLIC_UTILS,
        "a route computing from its input alone exposes nothing",
    ),
    Verdict(
        "APS201",
        r"^lnbits  GET /first_install",
        False,
        "the first-install page, refused by check_first_install (400) once the super user "
        "exists; before that there is nobody to authenticate",
        "a state guard on a set-up page; public by purpose",
    ),
    Verdict(
        "APS201",
        r"^lnbits  GET /(lnurlwallet|uuidv4/|t/)",
        False,
        "/lnurlwallet claims an LNURL-withdraw into a new wallet (documented sign-up path, "
        "gated by lnbits_allow_new_accounts, callback URL checked); /uuidv4/{hex} only "
        "redirects to /wallet?usr= (which authenticates); /t/{id} is the short-link redirect",
        "public by purpose (redirects, sign-up)",
    ),
    Verdict(
        "APS201",
        r"^lnbits  GET /manifest/",
        False,
        "the PWA manifest of /wallet?usr=: browsers fetch it without credentials, so it is "
        "keyed by the secret user id itself; it returns the site title, icons and the "
        "user's wallet ids and names (no keys)",
        "a capability in the path (the secret user id) is the access control",
    ),
    # --- APS901: hidden UI routes -------------------------------------------------------
    Verdict(
        "APS901",
        r"^lnbits  ",
        False,
        "include_in_schema=False UI helpers (PWA manifest, uuid redirect, LNURL-withdraw "
        "sign-up) that are public by purpose; 'no authentication' repeats APS201",
        "shadow severity follows the auth class; public-by-purpose UI routes should be low",
    ),
    # --- APS101 -------------------------------------------------------------------------
    Verdict(
        "APS101",
        r"^lnbits  PUT /api/v1/assets/",
        False,
        "get_user_asset_info(account_id.id, asset_id): SELECT ... WHERE id = :asset_id AND "
        "user_id = :user_id (admins use get_asset_info); 404 otherwise, then the loaded row "
        "is updated",
        "the owner filter is in raw SQL in a called crud function",
    ),
    Verdict(
        "APS101",
        r"^lnbits  \S+ /api/v1/extension/",
        False,
        "ext_id names an extension; the row is get_user_extension(account_id.id, ext_id) or "
        "UserExtension(user=account_id.id, ...) and update_user_extension writes WHERE "
        "extension = :extension AND user = :user",
        "the object is the caller's own (user id from the auth dependency) and the owner "
        "filter is in raw SQL; ext_id is a name, not another user's object",
    ),
    # --- APS304 -------------------------------------------------------------------------
    Verdict(
        "APS304",
        r"^lnbits  POST /api/v1/callback/",
        False,
        "signed provider webhook (check_revolut_signature / stripe / square / paypal); "
        "check_fiat_status loads the payment from the DB, asks the provider's API for the "
        "status and sets payment.status before db.update",
        "db.update(table, model) of a loaded model with one field set is not request data "
        "copied in bulk",
    ),
    Verdict(
        "APS304",
        r"^lnbits  ",
        False,
        "PATCH /wallet assigns name, icon, color, pinned, currency one by one to the caller's "
        "wallet (require_admin_key); the /users routes are check_admin and set currency or "
        "the lightning address; db.update('wallets', wallet) persists that loaded model",
        "db.update(table, model) persisting a model edited field by field is not a bulk copy "
        "of request data",
    ),
    # --- the rest -----------------------------------------------------------------------
    Verdict(
        "APS401",
        r"^lnbits  ",
        False,
        "admin-only (check_admin) and get_wasm_invocation_history clamps max(1, min(limit, 500))",
        "the clamp is in the called crud function",
    ),
    Verdict(
        "APS501",
        r"^lnbits  GET /api/v1/auth/\{provider\}",
        False,
        "the SSO login redirect: public by purpose; an optional user_id (account linking) "
        "must equal the authenticated user's id",
        "a login entry point has no role; sibling-based inference misfires on auth routes",
    ),
    Verdict(
        "APS701",
        r"^lnbits  GET /api/v1/extension/reviews/",
        False,
        "the host is settings.lnbits_extensions_reviews_url (admin setting); the caller "
        "supplies only the ext_id path segment and query string",
        "a caller-controlled path/query after a fixed origin does not control scheme or host",
    ),
    Verdict(
        "APS701",
        r"^lnbits  GET /api/v1/extension/\{ext_id\}/details",
        False,
        "details_link must equal a release's details_link from the configured manifests "
        "(else 404); description_md comes from that fetched release document",
        "an allow-list match against trusted data before the fetch is not followed",
    ),
    Verdict(
        "APS906",
        r"^lnbits  ",
        False,
        "dependencies=[Depends(check_extension_builder)] -> check_user_exists -> "
        "_check_account_exists raises 401 without a token or user id",
        "the guard's refusal is in a nested dependency; the route does enforce authentication",
    ),
)
