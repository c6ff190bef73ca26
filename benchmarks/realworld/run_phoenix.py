"""Arize Phoenix (FastAPI + Strawberry GraphQL, ~150 routes), with authentication enabled.

    python benchmarks/realworld/run_phoenix.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): measured once, after the changes, as an
app never seen before. ``realworld_factories:phoenix()`` builds the app the way
``phoenix.session`` does, with ``authentication_enabled=True`` and a throwaway secret
(a SQLite database in the state directory). Phoenix authenticates with its own JWT
bearer/cookie middleware-and-dependency stack; login, logout, password reset, OAuth2
callbacks and the UI's static files are public on purpose. Run with no ``public`` list.
"""

from __future__ import annotations

from _common import RunSpec, parse_args, run

SPEC = RunSpec(
    name="phoenix",
    venv="phoenix",
    requirement="arize-phoenix",
    package="phoenix",
    target="realworld_factories:phoenix()",
    env={"PHOENIX_WORKING_DIR": "{state}", "PHOENIX_TELEMETRY_ENABLED": "false"},
    # arize-phoenix-client's pytest plugin imports ``phoenix`` from site-packages at startup:
    # the gate would then read none of Phoenix's code (it is outside the project tree)
    pytest_args=("-p", "no:phoenix"),
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
