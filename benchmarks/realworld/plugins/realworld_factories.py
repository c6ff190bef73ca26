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
