"""pytest-apiposture: the test suite is the API security gate."""

from .model import Auth, Confidence, Finding, Guard, Kind, Location, Route, Severity

__version__ = "0.1.0"


def public(func):  # type: ignore[no-untyped-def]
    """Mark a view or endpoint as intentionally public (no auth finding).

    Works on FastAPI endpoints and Flask views; put it innermost (closest to ``def``).
    """
    func.__apiposture_public__ = True
    return func


__all__ = [
    "Auth",
    "Confidence",
    "Finding",
    "Guard",
    "Kind",
    "Location",
    "Route",
    "Severity",
    "public",
]
