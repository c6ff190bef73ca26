"""Default settings; ``create_app(config)`` may override any of them."""

import os
import secrets
from datetime import timedelta

# Without a configured key each process signs with its own random key (tokens die on restart).
SECRET_KEY = os.environ.get("SAFENOTES_SECRET_KEY") or secrets.token_urlsafe(32)  # ok: APS804
DEBUG = os.environ.get("SAFENOTES_DEBUG") == "1"
CORS_ORIGINS = ["https://notes.example.com"]
JWT_ALGORITHM = "HS256"
TOKEN_TTL = timedelta(hours=1)
# How long after expiry a token may still be exchanged for a fresh one.
REFRESH_GRACE = timedelta(days=7)
