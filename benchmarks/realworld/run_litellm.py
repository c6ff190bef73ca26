"""LiteLLM proxy (FastAPI, ~600 routes, API-key auth through one dependency).

    python benchmarks/realworld/run_litellm.py [--base DIR] [--venv DIR] [--skip-install]

Not used while the gate was developed (issue 15): measured once, after the changes, as an
app never seen before. ``litellm.proxy.proxy_server:app`` as imported, with no config
file: no master key is set, and LiteLLM's ``user_api_key_auth`` then lets callers
through (the proxy authenticates only once ``master_key`` is configured), so the auth of
most routes is decided by configuration. The model cost map is read from the package
(no download). Run with no ``public`` list.
"""

from __future__ import annotations

from _common import RunSpec, parse_args, run

SPEC = RunSpec(
    name="litellm",
    venv="litellm",
    requirement="litellm[proxy]",
    package="litellm",
    target="litellm.proxy.proxy_server:app",
    env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR", "HOME": "{state}"},
)

if __name__ == "__main__":
    run(SPEC, parse_args(__doc__.splitlines()[0]))
