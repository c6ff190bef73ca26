"""Application settings, read once at import from the environment."""

import os
import secrets
from datetime import timedelta

APP_NAME = "SafeShop"
APP_VERSION = "1.4.0"
DEBUG = os.environ.get("SAFESHOP_DEBUG") == "1"
# Without a configured key each process signs with its own random key (tokens die on restart).
SECRET_KEY = os.environ.get("SAFESHOP_SECRET_KEY") or secrets.token_urlsafe(32)  # ok: APS804
JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_TTL = timedelta(minutes=30)
CORS_ORIGINS = ["https://shop.example.com", "https://admin.shop.example.com"]
IMAGE_FETCH_TIMEOUT_SECONDS = 5.0
# Product images may only come from our own CDNs.
IMAGE_HOSTS = frozenset({"images.shop.example.com", "cdn.shop.example.com"})
