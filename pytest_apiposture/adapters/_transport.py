"""How each framework's app is called in-process: a ``Transport``, never a test client.

ASGI apps (FastAPI, Starlette, connexion) are their own callables. A Flask app is a WSGI
callable, with two things only Flask knows: the environ its own test client would build
(SERVER_NAME, APPLICATION_ROOT, the preferred scheme, the client's ``environ_base``),
and the exception behind a 500 that Flask answered itself, which a ``teardown_request``
function receives (public API since Flask 0.7, no blinker needed, unlike the
``got_request_exception`` signal on Flask < 2.3).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from .base import ErrorReport, Transport, template_environ


def asgi_transport(app: Any) -> Transport:
    return Transport("asgi", app)


def flask_transport(flask_app: Any) -> Transport:
    """The Flask app as WSGI, with Flask's environ and its handled exceptions reported.

    An app whose ``test_client_class`` changes how requests are built or sent (extra
    headers, an environ of its own) is called through that class, as it expects.
    """
    report = _reporter(flask_app)
    if _custom_client(flask_app):
        return Transport("wsgi", _ThroughTestClient(flask_app), None, report)
    return Transport("wsgi", flask_app, lambda base: _flask_environ(flask_app, base), report)


def _custom_client(flask_app: Any) -> bool:
    from flask.testing import FlaskClient
    from werkzeug.test import Client

    kind = flask_app.test_client_class or FlaskClient
    names = ("open", "_request_from_builder_args", "_copy_environ")
    if any(getattr(kind, n, None) is not getattr(FlaskClient, n, None) for n in names):
        return True
    return bool(kind.run_wsgi_app is not Client.run_wsgi_app)


def _flask_environ(flask_app: Any, base: str | None) -> dict[str, Any]:
    """What FlaskClient.open puts in every environ (as its ``_copy_environ`` does, minus
    the context preservation of ``with client:``)."""
    from flask.testing import EnvironBuilder

    client = flask_app.test_client()  # only for its environ_base (REMOTE_ADDR, agent)
    return template_environ(
        EnvironBuilder(flask_app, "/", base_url=base, environ_base={**client.environ_base})
    )


def _reporter(flask_app: Any) -> Any:
    @contextlib.contextmanager
    def report_errors(report: ErrorReport) -> Iterator[None]:
        def teardown(exc: BaseException | None) -> None:
            if exc is not None:
                report(exc)

        # Appended directly: ``app.teardown_request`` refuses once the app has served a
        # request. Teardown functions run last-registered first, so ours runs before any
        # of the app's that could raise.
        funcs = flask_app.teardown_request_funcs.setdefault(None, [])
        funcs.append(teardown)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):
                funcs.remove(teardown)

    return report_errors


class _ThroughTestClient:
    """A WSGI app that replays each environ through the Flask app's own test client class.

    Host: only a Host the request names, or one other than Werkzeug's default
    ``localhost`` (the ``host`` setting), is passed on; otherwise the client derives it
    from the app's config (SERVER_NAME), as it does for the app's own tests.
    """

    def __init__(self, flask_app: Any) -> None:
        self.client = flask_app.test_client(use_cookies=False)  # headers carry identities

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        url = environ["REQUEST_URI"].encode("latin1").decode()
        path, _, query = url.partition("?")
        headers = {  # a dict, as subclasses adding headers to ``open`` expect
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and (key != "HTTP_HOST" or value != "localhost")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").title()] = environ[key]
        response = self.client.open(
            path,
            method=environ["REQUEST_METHOD"],
            query_string=query,
            headers=headers,
            data=environ["wsgi.input"].read(),
            buffered=False,
            follow_redirects=False,
        )
        start_response(response.status, response.headers.to_wsgi_list())
        return _closing(response)


def _closing(response: Any) -> Iterator[bytes]:
    try:
        yield from response.response
    finally:
        response.close()
