"""A connexion app whose spec names an operation function that does not exist."""

from __future__ import annotations

from pathlib import Path

import connexion

app = connexion.FlaskApp(__name__, specification_dir=str(Path(__file__).parent))
app.add_api("fl_fx_cx_broken_spec.yaml")
