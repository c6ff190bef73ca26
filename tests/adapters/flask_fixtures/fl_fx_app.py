"""A Flask app with every route shape the adapter must enumerate."""

from __future__ import annotations

from typing import Any

from fl_fx_guards import (
    async_token_required,
    audit_log,
    audit_with_hook,
    login_required,
    roles_required,
    token_required,
)
from flask import Blueprint, Flask, g
from flask.views import MethodView, View

app = Flask(__name__)


@app.before_request
def load_user() -> None:  # mark: load_user
    g.user = None


@app.route("/items/<int:item_id>")
@token_required
def get_item(item_id: int) -> str:  # mark: get_item
    return str(item_id)


@app.route("/files/<path:file_path>", methods=["GET", "DELETE"])
def file_view(file_path: str) -> str:  # mark: file_view
    return file_path


@app.get("/things/<uuid:thing_id>/<string(length=2):lang>")
def thing(thing_id: Any, lang: str) -> str:  # mark: thing
    return f"{thing_id}{lang}"


@app.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str:  # mark: profile
    return "me"


@app.delete("/admin/users/<int:user_id>")
@login_required
@roles_required("admin")
def delete_user(user_id: int) -> str:  # mark: delete_user
    return "gone"


@app.get("/lossy")
@token_required
@audit_log
@login_required
def lossy() -> str:  # mark: lossy
    return "hidden"


@app.get("/opaque")
@audit_with_hook
def opaque() -> str:  # mark: opaque
    return "opaque"


@app.get("/async")
@async_token_required
async def async_view() -> str:  # mark: async_view
    return "async"


@app.route("/preflight", methods=["GET", "OPTIONS"])
def preflight() -> str:  # mark: preflight
    return ""


def plain_health() -> str:  # mark: plain_health
    return "ok"


app.add_url_rule("/health", "health", plain_health)
app.add_url_rule("/lambda", "lam", lambda: "lambda")  # mark: lambda


def make_report_view(kind: str) -> Any:
    def report() -> str:  # mark: report
        return kind

    return report


for kind in ("daily", "weekly"):
    app.add_url_rule(f"/reports/{kind}", f"report_{kind}", make_report_view(kind), methods=["GET"])


class NoteAPI(MethodView):
    decorators = [token_required, audit_log]  # mark: NoteAPI.decorators

    def get(self, note_id: int) -> str:  # mark: NoteAPI.get
        return "note"

    @login_required
    def delete(self, note_id: int) -> str:  # mark: NoteAPI.delete
        return "deleted"


app.add_url_rule("/notes/<int:note_id>", view_func=NoteAPI.as_view("note"))


class ExportView(View):
    methods = ["GET", "POST"]

    def dispatch_request(self) -> str:  # mark: ExportView.dispatch_request
        return "export"


app.add_url_rule("/export", view_func=ExportView.as_view("export"))

parent = Blueprint("parent", __name__)
child = Blueprint("child", __name__)


@parent.before_request
def parent_guard() -> None:  # mark: parent_guard
    pass


@child.before_request
def child_guard() -> None:  # mark: child_guard
    pass


@parent.get("/ping")
def parent_ping() -> str:  # mark: parent_ping
    return "pong"


@child.route("/records/<int:record_id>", methods=["GET", "PUT"])
@token_required
def record(record_id: int) -> str:  # mark: record
    return str(record_id)


parent.register_blueprint(child, url_prefix="/child")
app.register_blueprint(parent, url_prefix="/api")
