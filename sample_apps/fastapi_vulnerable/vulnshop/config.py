"""Application settings, read once at import."""

from datetime import timedelta

APP_NAME = "VulnShop"
APP_VERSION = "1.4.0"
SECRET_KEY = "vulnshop-7f3a9c2e51d84b06e1c94a2f0b37d5a8"  # expect: APS804
JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_TTL = timedelta(minutes=30)
IMAGE_FETCH_TIMEOUT_SECONDS = 5.0
