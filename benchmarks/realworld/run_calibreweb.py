"""Calibre-Web 0.6 (Flask, ~250 routes, Flask-Login sessions, anonymous browsing by setting).

    python benchmarks/realworld/run_calibreweb.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): a measure of how the auth verdicts hold
on an app never seen before. ``realworld_factories:calibreweb()`` does what ``cps.main``
does up to starting the server (a settings database under the state directory). Routes
are guarded by ``@login_required`` (its own ``cw_login``), ``@user_login_required`` and
``@login_required_if_no_ano`` (anonymous browsing when ``config_anonbrowse`` is set),
``@admin_required`` and friends. Run with no ``public`` list: what the gate infers alone.
"""

from __future__ import annotations

from _common import RunSpec, parse_args, run

SPEC = RunSpec(
    name="calibreweb",
    venv="calibreweb",
    requirement="calibreweb",
    package="calibreweb",
    target="realworld_factories:calibreweb()",
    env={"CALIBRE_DBPATH": "{state}"},
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
