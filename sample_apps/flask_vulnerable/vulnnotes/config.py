"""Default settings; ``create_app(config)`` may override any of them."""

from datetime import timedelta

SECRET_KEY = "vulnnotes-5b1e0c7d9a2f48e3b6c1d0a9e8f7a6b5"  # expect: APS804
JWT_ALGORITHM = "HS256"
TOKEN_TTL = timedelta(hours=1)
