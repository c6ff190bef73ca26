"""One line for an exception the app raised: what, and where in the user's own code.

Import errors, factory errors, startup failures and a handler's 500 are all reported
this way, so a user reads the same shape wherever the app went wrong.
"""

from __future__ import annotations

import builtins
import os
import traceback

# frames of installed packages and the standard library are not where the user looks
_LIBRARY_PARTS = (
    os.sep + "site-packages" + os.sep,
    os.sep + "lib" + os.sep + "python",
    "<frozen ",  # os.environ[...] raises inside <frozen os>: the caller is the user's line
)


def inner_exceptions(exc: BaseException) -> tuple[BaseException, ...]:
    """The members of an exception group (Python 3.11+), else ()."""
    group = getattr(builtins, "BaseExceptionGroup", None)
    if group is not None and isinstance(exc, group):
        return tuple(getattr(exc, "exceptions", ()))
    return ()


def describe_exception(exc: BaseException) -> str:
    """``ZeroDivisionError: division by zero (at app/views.py:12 in total)``.

    The first member of an exception group, the first line of the message, and the
    innermost frame outside installed packages (relative to the working directory
    when it is under it).
    """
    while inner_exceptions(exc):
        exc = inner_exceptions(exc)[0]
    lines = str(exc).splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines and lines[0] else type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        # the error is in the file that was being compiled, not in any frame
        return f"{text} (at {_display(exc.filename)}:{exc.lineno})"
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not any(part in f.filename for part in _LIBRARY_PARTS)]
    if own:
        frame = own[-1]
        text += f" (at {_display(frame.filename)}:{frame.lineno} in {frame.name})"
    return text


def _display(filename: str) -> str:
    relative = os.path.relpath(filename) if os.path.isabs(filename) else filename
    return relative if not relative.startswith("..") else filename
