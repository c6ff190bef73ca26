"""flasgger builds its schema from view docstrings."""

from __future__ import annotations

from flasgger import Swagger
from flask import Flask

app = Flask(__name__)
swagger = Swagger(app)


@app.get("/colors/<palette>")
def colors(palette: str) -> str:
    """Colors of a palette.
    ---
    parameters:
      - name: palette
        in: path
        type: string
        required: true
    responses:
      200:
        description: the colors
    """
    return palette
