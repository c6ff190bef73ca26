"""A spec-first connexion 3 FlaskApp: routes exist only once the middleware stack is built."""

from __future__ import annotations

from pathlib import Path

import connexion

app = connexion.FlaskApp(__name__, specification_dir=str(Path(__file__).parent))
app.add_api("fl_fx_cx_spec.yaml", pythonic_params=True)
