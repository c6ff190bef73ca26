"""Live callables -> the code behind them (unwrapping decorators, partials, instances)."""

from __future__ import annotations

import contextlib
import functools
import inspect
from types import FunctionType
from typing import Any


def code_owner(func: Any, *, unwrap: bool = True) -> Any:
    """The plain function whose ``__code__`` implements ``func`` (or None)."""
    if func.__class__ is FunctionType and not (unwrap and hasattr(func, "__wrapped__")):
        return func  # the common case, without the checks below
    current = func
    for _ in range(16):
        if unwrap and hasattr(current, "__wrapped__"):
            try:
                current = inspect.unwrap(current)
            except ValueError:  # a __wrapped__ cycle
                return None
        if isinstance(current, functools.partial):
            current = current.func
        elif inspect.ismethod(current):
            current = current.__func__
        elif inspect.isfunction(current):
            return current
        elif isinstance(current, type):
            init = current.__dict__.get("__init__") or getattr(current, "__init__", None)
            return init if inspect.isfunction(init) else current
        elif inspect.isfunction(_class_call(current)):
            current = _class_call(current)  # a callable instance (a dependency class)
        else:
            return current
    return None


def _class_call(obj: Any) -> Any:
    return next(
        (k.__dict__["__call__"] for k in type(obj).__mro__ if "__call__" in k.__dict__), None
    )


def code_place(func: Any, *, unwrap: bool = True) -> str:
    """``file:line:name`` of the code behind a callable, or its type for C callables."""
    code = getattr(code_owner(func, unwrap=unwrap), "__code__", None)
    if code is not None:
        return f"{code.co_filename}:{code.co_firstlineno}:{code.co_name}"
    return f"{type(func).__module__}.{type(func).__qualname__}"


def describe(func: Any) -> str:
    module = getattr(func, "__module__", None) or type(func).__module__
    name = getattr(func, "__qualname__", None) or type(func).__qualname__
    return f"{module}:{name}"


def lost_wraps(func: Any) -> bool:
    """A ``*args, **kwargs`` closure over another function: a wrapper that hides its view."""
    code = getattr(func, "__code__", None)
    if code is None or not getattr(func, "__closure__", None) or not code.co_flags & 0x0C:
        return False
    values = []
    for cell in func.__closure__:
        with contextlib.suppress(ValueError):  # an empty cell
            values.append(cell.cell_contents)
    return any(inspect.isfunction(v) and v is not func for v in values)


def marked_public(func: Any) -> bool:
    """``@apiposture.public`` on the callable or anything it wraps."""
    for _ in range(16):
        if func is None:
            return False
        if getattr(func, "__apiposture_public__", False):
            return True
        func = getattr(func, "__wrapped__", None)
    return False
