"""CI's oldest stack is what it claims: FastAPI 0.103 / Starlette 0.27, Flask 2.2 without
blinker, connexion 2.14. Run in that venv before its tests (.ci/run)."""

from importlib.metadata import version
from importlib.util import find_spec

WANTED = {"fastapi": "0.103.", "starlette": "0.27.", "flask": "2.2.", "connexion": "2.14."}

if find_spec("blinker") is not None:
    raise SystemExit("ci: blinker is installed: Flask 2.2 must be tested without it")
for name, prefix in WANTED.items():
    if not version(name).startswith(prefix):
        raise SystemExit(f"ci: {name} {version(name)} is not {prefix}*")
print("ci: oldest stack: " + ", ".join(f"{n} {version(n)}" for n in WANTED) + ", no blinker")
