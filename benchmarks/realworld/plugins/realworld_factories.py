"""App factories for real apps whose own entry point builds the app and then serves it.

Each function does what the app's ``main`` does up to (not including) starting its
server, so the gate can load the app by target (``realworld_factories:calibreweb()``).
"""

from __future__ import annotations

import sys
from typing import Any


def calibreweb() -> Any:
    """Calibre-Web 0.6: ``cps.main.main`` without ``web_server.start()``."""
    import calibreweb  # noqa: F401  (puts its directory on sys.path: the code imports ``cps``)

    argv, sys.argv = sys.argv, [sys.argv[0]]  # cli_param.init() parses sys.argv
    try:
        import cps.main as main_module
        from cps import updater_thread, web_server

        started = web_server.start
        web_server.start = lambda: True  # type: ignore[method-assign]
        updater_thread.start = lambda: None  # type: ignore[method-assign]  # no thread left
        real_exit = sys.exit
        try:
            sys.exit = lambda *_: None  # type: ignore[assignment]
            main_module.main()
        finally:
            sys.exit, web_server.start = real_exit, started  # type: ignore[method-assign]
        from cps import app

        return app
    finally:
        sys.argv = argv


def phoenix(authentication: bool = True) -> Any:
    """Arize Phoenix: what ``phoenix.session.session`` does to build its server app, on a
    SQLite database in ``PHOENIX_WORKING_DIR`` (created, not migrated: routes need none)."""
    import os

    from phoenix.db.engines import create_engine
    from phoenix.server.app import _db, create_app
    from phoenix.server.types import DbSessionFactory
    from pydantic import SecretStr

    url = "sqlite:///" + os.path.join(os.environ["PHOENIX_WORKING_DIR"], "phoenix.db")
    engine = create_engine(connection_str=url, migrate=False, log_migrations=False)
    factory = DbSessionFactory(db=_db(engine), dialect=engine.dialect.name)
    secret = SecretStr("realworld-benchmark-not-a-secret-0123456789") if authentication else None
    return create_app(db=factory, authentication_enabled=authentication, secret=secret)


def lnbits() -> Any:
    """LNbits: ``lnbits.__main__``'s ``create_app()``, run from the directory that holds the
    ``lnbits`` package, as ``uv run lnbits`` is from the repository root: the app resolves
    ``lnbits/static``, ``lnbits/templates`` and its extensions against the working directory
    (at build time and on each request, so the directory stays changed)."""
    import os

    import lnbits as package

    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(package.__file__))))
    from lnbits.app import create_app

    return create_app()


def pgadmin4() -> Any:
    """pgAdmin 4 in server mode: the Flask app of ``pgAdmin4.py`` (what ``pgAdmin4.wsgi``
    serves), imported from wherever ``pgadmin4`` is found first (the project's ``src/``).
    pgAdmin imports its code as top-level modules (``config``, ``setup``, ``pgadmin``) from
    its own directory, which ``config.py`` and ``pgAdmin4.py`` put first on ``sys.path`` by
    ``os.path.realpath`` (through links, to the installed copy); while the app is imported,
    a path under the directory as found resolves to itself, so its modules are the
    project's."""
    import importlib
    import importlib.util
    import os

    spec = importlib.util.find_spec("pgadmin4")
    assert spec is not None and spec.submodule_search_locations
    root = os.path.abspath(next(iter(spec.submodule_search_locations)))
    real_realpath = os.path.realpath

    def realpath(path: Any, *args: Any, **kwargs: Any) -> Any:
        full = os.path.abspath(path)
        if isinstance(full, str) and (full == root or full.startswith(root + os.sep)):
            return full
        return real_realpath(path, *args, **kwargs)

    sys.path.insert(0, root)
    os.path.realpath = realpath  # type: ignore[assignment]
    try:
        return importlib.import_module("pgAdmin4").app
    finally:
        os.path.realpath = real_realpath  # type: ignore[assignment]


def archivy() -> Any:
    """Archivy: what ``archivy run`` serves, up to (not including) ``app.run``: the app of
    ``archivy/__init__.py`` with the ``click_web`` routes that run the CLI's commands
    (``/plugins``, ``/cli/<command_path>``) added by ``create_click_web_app``."""
    import click
    from archivy import app
    from archivy.cli import cli
    from archivy.click_web import create_click_web_app

    return create_click_web_app(click, cli, app)
