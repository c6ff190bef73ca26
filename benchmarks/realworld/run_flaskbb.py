"""FlaskBB 3.0 (Flask, ~180 routes, a forum: Flask-Login sessions, Flask-Allows permissions).

    PYENV_VERSION=3.12.1 python3.12 benchmarks/realworld/run_flaskbb.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): kept unseen until its one measurement.
FlaskBB requires Python 3.12: the venv is made by the Python that runs this script.
``pip install flaskbb`` installs 3.0.0rc5 (its plugins' releases require FlaskBB 3.0
release candidates); the last stable release, 2.2.0, cannot be imported before Python
3.14 (``plugins/manager.py`` annotates with a name it imports only for type checking).
``flaskbb.app:create_app()`` is what FlaskBB's ``wsgi.py`` serves; the configuration file
comes from ``FLASKBB_SETTINGS`` (as ``flaskbb --config``), the instance folder is the
default (``instance/`` next to the package, under the project). FlaskBB authenticates
with Flask-Login sessions (``POST /auth/login``, remember-me cookie) and decides most
access with Flask-Allows requirements (``utils/requirements.py``): the blueprints'
class-based views carry ``decorators = [login_required, allows.requires(...)]`` with
``IsAdmin``, ``IsAtleastModerator`` or a per-request policy such as
``ForRequest(can_edit_post, request_post)`` (the post's author, or a moderator of its
forum: ownership checks), or check them inside the handler. Blueprint ``before_request``
hooks do the
rest: the forum's ``force_login_if_needed`` (a forum is readable by guests only when its
groups include the guest group, a setting in the database), the management blueprint's
``check_fresh_login`` (a re-authentication for admin pages). Public on purpose: the
forum index and the forums, topics and profiles guests may read, registration, login,
password reset and account activation. The two plugins FlaskBB depends on
(``conversations``: private messages, ``portal``) are enabled at installation and loaded
from their entry points; their code is outside the project, as in a deployment. Run
with no ``public`` list.

State, as FlaskBB's installation guide sets up a server: a configuration file like the
one ``flaskbb makeconfig`` writes (SQLite database, Whoosh search index, logs and
uploads in the state directory, a secret key, Redis off: FlaskBB's default), then
``flaskbb install --enable-plugins all`` (tables, default groups and settings, the admin
user, the welcome forum with its topic, the plugins enabled and migrated). Celery runs
tasks eagerly in the process (FlaskBB's testing configuration; the default needs a Redis
broker) and mail is suppressed (the machine has no mail server: each would be a
connection attempt). No identities: FlaskBB's credential is a session cookie.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _common import RunSpec, parse_args, run

SETTINGS = """\
import copy
import os

from flaskbb.configs.default import DefaultConfig

STATE = {state!r}
SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(STATE, "flaskbb.sqlite")
SECRET_KEY = "realworld-benchmark-not-a-secret-0123456789"
WTF_CSRF_SECRET_KEY = "realworld-benchmark-csrf-not-a-secret"
SESSION_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_HTTPONLY = True
WHOOSHEE_DIR = os.path.join(STATE, "whoosh_index")
AVATAR_UPLOAD_PATH = os.path.join(STATE, "uploads", "avatar")
ATTACHMENT_UPLOAD_PATH = os.path.join(STATE, "uploads", "attachments")
REDIS_ENABLED = False
RATELIMIT_STORAGE_URI = "memory://"
CACHE_TYPE = "SimpleCache"
CELERY_CONFIG = {{"task_always_eager": True, "result_backend": "cache", "cache_backend": "memory"}}
MAIL_SUPPRESS_SEND = True
LOG_PATH = os.path.join(STATE, "logs")
LOG_DEFAULT_CONF = copy.deepcopy(DefaultConfig.LOG_DEFAULT_CONF)
for _handler in LOG_DEFAULT_CONF["handlers"].values():
    if "filename" in _handler:
        _handler["filename"] = os.path.join(LOG_PATH, os.path.basename(_handler["filename"]))
"""


def install(state: Path, env: dict[str, str], python: Path) -> None:
    (state / "logs").mkdir()
    (state / "uploads" / "avatar").mkdir(parents=True)
    (state / "uploads" / "attachments").mkdir()
    (state / "flaskbb.cfg").write_text(SETTINGS.format(state=str(state)), encoding="utf-8")
    # the CLI's own instance folder in the state directory (not the venv's var/)
    flaskbb = [str(python.parent / "flaskbb"), "--instance", str(state / "instance")]
    admin = ["--username", "admin", "--email", "admin@example.org", "--password"]
    subprocess.run(
        [*flaskbb, "install", "--force", *admin, "realworld-pw-1", "--enable-plugins", "all"],
        env=env,
        cwd=state,
        check=True,
        stdout=subprocess.DEVNULL,
    )


SPEC = RunSpec(
    name="flaskbb",
    venv="flaskbb",
    requirement="flaskbb",
    package="flaskbb",
    target="flaskbb.app:create_app()",
    env={"HOME": "{state}", "FLASKBB_SETTINGS": "{state}/flaskbb.cfg"},
    requires_python=(3, 12),
    prepare=install,
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
