"""Third-party libraries' guards and views, by name: their code lies outside the project
and is not read, and their names say nothing a hint could match. ``Knowledge`` takes these
tables as its defaults (``library_authorization_guards``, ``library_public_handlers``,
``library_authorizing_handlers``).
"""

from __future__ import annotations

# Library decorators that reject anonymous callers and check a permission, by the dotted
# name of the function that builds them (``Guard.name`` of a decorator guard). Their code
# lies outside the project, so it is not read, and their names say nothing a hint could
# match. Flask-AppBuilder (Superset, Airflow 2): ``@protect()`` answers 401 without a user
# and 403 without the method's permission; ``@has_access`` / ``@has_access_api`` redirect
# to the login page or answer 401/403 likewise. Flask-Allows (and its fork flask-allows2,
# FlaskBB): ``allows.requires(Requirement, ...)`` and the standalone ``requires(...)``
# run the requirements against the current identity (the anonymous one too) and answer
# 403 or the ``on_fail`` response when one fails; the wrapper is ``requires.<locals>.
# decorator.<locals>.allower``, so the guard is named after the method that builds it.
LIBRARY_AUTHORIZATION_GUARDS: frozenset[str] = frozenset(
    {
        "flask_appbuilder.security.decorators.protect",
        "flask_appbuilder.security.decorators.has_access",
        "flask_appbuilder.security.decorators.has_access_api",
        *(
            f"{package}.{builder}"
            for package in ("flask_allows", "flask_allows2")
            for builder in ("allows.Allows.requires", "views.requires")
        ),
    }
)

# Library views, by handler (``Route.handler``), that are public by design (a login page,
# an OAuth callback, a language switch) or check a permission in their own code, which is
# not read (it lies outside the project). Flask-AppBuilder mounts these on every app. Not
# ``PublicFormView``'s methods: a user's own form inherits them under FAB's name.
_FAB = "flask_appbuilder"
LIBRARY_PUBLIC_HANDLERS: frozenset[str] = frozenset(
    f"{_FAB}.{name}"
    for name in (
        "security.views:AuthView.login",
        "security.views:AuthView.logout",
        "security.views:AuthDBView.login",
        "security.views:AuthLDAPView.login",
        "security.views:AuthOAuthView.login",
        "security.views:AuthOAuthView.oauth_authorized",
        "security.views:AuthSAMLView.login",
        "security.views:AuthSAMLView.logout",
        "security.views:AuthSAMLView.acs",
        "security.views:AuthSAMLView.slo",
        "security.views:AuthSAMLView.metadata",
        "security.views:AuthRemoteUserView.login",
        "security.api:SecurityApi.login",
        "security.registerviews:BaseRegisterUser.activation",
        "views:UtilView.back",
        "babel.views:LocaleView.index",
        # FAB 4 only (AUTH_OID, still used by Airflow 2)
        "security.views:AuthOIDView.login",
        "security.registerviews:RegisterUserOIDView.form_oid_post",
    )
)
# ``ModelView.action``: ``if self.appbuilder.sm.has_access(permission, ...)`` before acting
LIBRARY_AUTHORIZING_HANDLERS: frozenset[str] = frozenset(
    {f"{_FAB}.views:ModelView.action", f"{_FAB}.views:ModelView.action_post"}
)
