"""flask-smorest keeps the schema on its Api object."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint

app = Flask(__name__)
app.config.update(API_TITLE="Pets", API_VERSION="1.0", OPENAPI_VERSION="3.0.3")
api = Api(app)

pets = Blueprint("pets", __name__, url_prefix="/pets")


class PetSchema(ma.Schema):
    id = ma.fields.Int()
    name = ma.fields.Str()


@pets.route("/<int:pet_id>")
class PetView(MethodView):
    @pets.response(200, PetSchema)
    def get(self, pet_id: int) -> dict[str, Any]:  # mark: PetView.get
        return {"id": pet_id, "name": "rex"}


api.register_blueprint(pets)
