"""Triage of ihatemoney's medium+ findings (measured once, untouched app), read from its code."""

from triage import Verdict

VERDICTS = (
    Verdict(
        "APS201",
        r"^ihatemoney  ",
        False,
        "routes are authenticated: the web blueprint's url_value_preprocessor pull_project "
        "(web.py) answers 303 to /authenticate for every {project_id} route unless the "
        "project is in the session, the session has the is_admin claim, or it is the "
        "invitation/feed route (which check their own signed token) or the demo project; "
        "admin pages carry @requires_admin (303 to /admin); the REST API resources have "
        "method_decorators = [need_auth] (api/common.py: basic auth project:code or a "
        "signed bearer token, else abort(401)). What remains open is public by purpose: "
        "login, project creation (ALLOW_PUBLIC_PROJECT_CREATION), password reminder, "
        "healthcheck, the currency list",
        "guards the tool does not read: a url_value_preprocessor that raises a redirect to "
        "the login form, Flask-RESTful method_decorators, and a decorator whose refusal is "
        "a 303 redirect; with none seen, the app-wide 'authenticates no route' conclusion "
        "follows",
    ),
    Verdict(
        "APS801",
        r"^ihatemoney  .*src/ihatemoney/run\.py",
        False,
        "app.run(host='0.0.0.0', debug=True) is in run.main(), called only under "
        "`if __name__ == '__main__'`: a developer's runner; the installed entry point is "
        "ihatemoney.manage:cli and production serves ihatemoney.wsgi / create_app() "
        "(DEBUG = False in default_settings)",
        "debug mode in a function reached only from the module's __main__ guard (a dev "
        "runner) is not production configuration",
    ),
    Verdict(
        "APS804",
        r"^ihatemoney  .*src/ihatemoney/default_settings\.py",
        True,
        "SECRET_KEY = 'tralala' is loaded first by load_configuration and kept when the "
        "settings file does not set it (or is absent); validate_configuration only warns. "
        "`ihatemoney generate-config` writes a random key, but the project's Docker image "
        "sets SECRET_KEY='tralala' too. The key signs the session that holds project "
        "access and the is_admin claim, and the invitation/feed/reset tokens: anyone can "
        "forge access to any project of such a server",
    ),
)
