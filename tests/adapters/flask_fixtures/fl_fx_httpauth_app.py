"""Flask-HTTPAuth: the guard's scheme is the auth object's class."""

from __future__ import annotations

from flask import Flask
from flask_httpauth import HTTPBasicAuth, HTTPTokenAuth, MultiAuth

app = Flask(__name__, static_folder=None)
token_auth = HTTPTokenAuth(scheme="Bearer")
basic_auth = HTTPBasicAuth()
multi_auth = MultiAuth(basic_auth, token_auth)


@token_auth.verify_token
def verify_token(token: str) -> str | None:  # mark: verify_token
    return "alice" if token == "t1" else None


@app.get("/secret")
@token_auth.login_required
def secret() -> str:  # mark: secret
    return "s"


@app.get("/admin")
@token_auth.login_required(role=["admin", "ops"])
def admin() -> str:
    return "a"


@app.get("/maybe")
@token_auth.login_required(optional=True)
def maybe() -> str:
    return "m"


@app.get("/either")
@multi_auth.login_required
def either() -> str:
    return "e"
