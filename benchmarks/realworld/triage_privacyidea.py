"""Triage of privacyidea's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

VERDICTS = (
    # --- APS804 hard-coded secrets -------------------------------------------------------
    Verdict(
        "APS804",
        r"^privacyidea .*lib/tokens/yubicotoken\.py",
        True,
        "DEFAULT_API_KEY = '9iE9DRkPHQDJbAFFC31/dum5I54=' (with DEFAULT_CLIENT_ID 20771) is "
        "a real Yubico Cloud API key committed in the source and used to sign requests to "
        "and check answers from api.yubico.com whenever the admin has not configured "
        "yubico.secret; the code only logs a warning. A shared, public default credential "
        "the maintainers knowingly accept",
    ),
    Verdict(
        "APS804",
        r"^privacyidea .*lib/resolvers/SCIMIdResolver\.py",
        False,
        "getResolverDescriptor: {'Secret': 'password'} declares the *type* of the "
        "resolver's Secret config field for the UI (a password input); no secret value",
        "a dict literal mapping a secret-named key to a type name taken for a literal "
        "secret: values that are field-type words (password, string) are not secrets",
    ),
    # --- APS251 anonymous 200 ------------------------------------------------------------
    Verdict(
        "APS251",
        r"^privacyidea  GET /(app/v2/\{locale\}/|config)",
        False,
        "the WebUI login blueprint: the single-page app shell and its public /config "
        "(theme, logo, realms for the login dropdown when a policy asks for it, login "
        "text) are anonymous by design; its before_request only tries verify_auth_token "
        "inside try/except to decide whether to show the version number",
        "a before_request that calls a token verifier inside try/except that swallows the "
        "failure is an optional lookup, not a guard; the web UI shell is public by purpose",
    ),
    Verdict(
        "APS251",
        r"^privacyidea  GET /validate/polltransaction",
        False,
        "documented anonymous: answers only whether a challenge with this (random, "
        "unguessable) transaction id was accepted/declined/pending, so the calling "
        "client can follow up with /validate/check; api_key_required policy can require a "
        "client key",
        "the /validate endpoints are privacyIDEA's authentication service, public by "
        "purpose; not recognised as such",
    ),
    # --- APS201 no guard -----------------------------------------------------------------
    Verdict(
        "APS201",
        r"^privacyidea  \S+ /validate/",
        False,
        "the /validate endpoints ARE the authentication service: /check and /radiuscheck "
        "verify a user's PIN+OTP (the credential is the request), /initialize hands out a "
        "fresh passkey challenge, /polltransaction reports a challenge's status by its "
        "random transaction id, /offlinerefill requires the token's current refilltoken "
        "and the last PIN+OTP; documented anonymous, optionally restricted by the "
        "api_key_required / conditional-access policies",
        "routes that authenticate with the credential carried in the request (OTP, "
        "refill token) are public by purpose; the run had no public list and the checker "
        "has no notion of credential-in-body endpoints",
    ),
    Verdict(
        "APS201",
        r"^privacyidea  \S+ /ttype/\{ttype\}",
        False,
        "token-type dispatcher used by devices (privacyIDEA Authenticator push, TiQR, "
        "Yubico validation protocol): documented as not authenticated by the dispatcher; "
        "each token class's api_endpoint authenticates the request itself (signed push "
        "answers, TiQR OCRA response to a session, Yubico id/HMAC + OTP check)",
        "authentication done inside a plug-in class method called through a dynamic "
        "dispatch (get_token_class(ttype).api_endpoint) is invisible to the static guard "
        "search; device endpoints are public by purpose",
    ),
    # --- APS304 / APS101 -----------------------------------------------------------------
    Verdict(
        "APS304",
        r"^privacyidea  POST /token/load/\{filename\}  \S*lib/crypto\.py",
        False,
        "crypto.aes_decrypt_b64: `unpadder.update(padded_data)` is the PKCS7 unpadder of "
        "the cryptography library removing padding from decrypted PSKC data; nothing is "
        "assigned to an object (and /token/load is admin-only)",
        "a method named update on a non-mapping (cryptography PaddingContext) matched the "
        "dict/query .update pattern: the receiver's type is not checked",
    ),
    Verdict(
        "APS101",
        r"^privacyidea  DELETE /user/settings/\{key\}",
        False,
        "`key` names a setting inside the caller's own settings document: the row is "
        "selected by SettingsSubject.from_logged_in_user (the JWT identity), then "
        "`del current[key]`; no other principal's row is reachable",
        "a dict key subscript on a row already scoped to the caller taken for an object "
        "fetch by id: the owner scoping happens in the row query, before the subscript",
    ),
)
