"""Load the app under test from a target string, or discover it under the rootdir.

Grammar: ``pkg.mod:app``, ``pkg.mod:obj.app``, ``pkg.mod:create_app`` (called with no
arguments when it is a factory) and ``pkg.mod:create_app('test', debug=False)``: the
call is parsed with ``ast`` and its arguments with ``ast.literal_eval``, never ``eval``.
Every failure is a ``LoadError`` whose message is one line saying what to do.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import describe_exception


class LoadError(Exception):
    """The app could not be loaded; the message says what to do."""


APP_CLASSES = frozenset(
    {"FastAPI", "Starlette", "Flask", "APIFlask", "FlaskApp", "AsyncApp", "App"}
)
FACTORY_NAMES = frozenset({"create_app", "make_app", "app_factory", "get_app"})
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "build",
        "dist",
        "site-packages",
        "__pycache__",
        "tests",
        "test",
        "docs",
        "benchmarks",
        ".mypy_cache",
    }
)
MAX_DISCOVERY_FILES = 2000


@dataclass(frozen=True)
class LoadedApp:
    target: str  # normalised target string
    app: Any
    module_file: str | None  # the file of the module named by the target


@dataclass(frozen=True)
class Target:
    module: str
    attr: tuple[str, ...]  # dotted attribute path
    call: tuple[tuple[Any, ...], dict[str, Any]] | None  # literal args, kwargs

    def __str__(self) -> str:
        text = f"{self.module}:{'.'.join(self.attr)}"
        if self.call is not None:
            args = [repr(a) for a in self.call[0]] + [f"{k}={v!r}" for k, v in self.call[1].items()]
            text += f"({', '.join(args)})"
        return text


def parse_target(text: str) -> Target:
    module, sep, rest = text.strip().partition(":")
    if not sep or not module or not rest:
        raise LoadError(
            f"app target {text!r} must look like 'pkg.module:app' or "
            "\"pkg.module:create_app('test')\""
        )
    if not all(part.isidentifier() for part in module.split(".")):
        raise LoadError(f"app target {text!r}: {module!r} is not a dotted module name")
    try:
        expr = ast.parse(rest.strip(), mode="eval").body
    except SyntaxError:
        raise LoadError(f"app target {text!r}: cannot parse {rest!r} after the colon") from None
    call: tuple[tuple[Any, ...], dict[str, Any]] | None = None
    if isinstance(expr, ast.Call):
        try:
            args = tuple(ast.literal_eval(a) for a in expr.args)
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in expr.keywords if kw.arg}
        except ValueError:
            raise LoadError(
                f"app target {text!r}: factory arguments must be literals (strings, numbers, "
                "True/False/None, lists, dicts)"
            ) from None
        if any(kw.arg is None for kw in expr.keywords) or any(
            isinstance(a, ast.Starred) for a in expr.args
        ):
            raise LoadError(f"app target {text!r}: *args/**kwargs are not supported")
        call = (args, kwargs)
        expr = expr.func
    attr = _dotted(expr)
    if attr is None:
        raise LoadError(f"app target {text!r}: {rest!r} is not an attribute name or a call of one")
    return Target(module, attr, call)


def _dotted(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else (*base, node.attr)
    return None


def ensure_importable(root: Path) -> None:
    """Put the rootdir (and a src/ layout) on sys.path, as pytest's ``pythonpath`` would."""
    for path in (root / "src", root):
        text = str(path)
        if path.is_dir() and text not in sys.path:
            sys.path.insert(0, text)


def load_app(text: str, root: Path) -> LoadedApp:
    target = parse_target(text)
    ensure_importable(root)
    module = _import(target.module)
    obj: Any = module
    for name in target.attr:
        if not hasattr(obj, name):
            raise LoadError(
                f"module {target.module!r} has no attribute {'.'.join(target.attr)!r}; "
                f"check the name after the colon in {text!r}"
            )
        obj = getattr(obj, name)
    if target.call is not None:
        if not callable(obj):
            raise LoadError(f"{text!r}: {'.'.join(target.attr)!r} is not callable")
        obj = _call_factory(obj, target.call[0], target.call[1], text)
    elif inspect.isfunction(obj) and not _is_app(obj):
        # "pkg:create_app" names a factory: call it with no arguments, as Flask does.
        obj = _call_factory(obj, (), {}, text)
    module_file = getattr(module, "__file__", None)
    return LoadedApp(str(target), obj, os.path.abspath(module_file) if module_file else None)


def target_file(text: str, root: Path) -> str | None:
    """The source file a target names, found on disk without importing it (for naming
    the status item after the user's file when the import itself failed)."""
    try:
        parts = parse_target(text).module.split(".")
    except LoadError:
        return None
    for base in (root / "src", root):
        for candidate in (
            base.joinpath(*parts).with_suffix(".py"),
            base.joinpath(*parts, "__init__.py"),
        ):
            if candidate.is_file():
                return str(candidate)
    return None


# Every way to name the app: the same loader serves the pytest plugin and the command.
APP_SETTING = (
    "app = ... in [tool.apiposture], --apiposture-app with pytest, --app with the "
    "apiposture command"
)


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise LoadError(
                f"cannot import {module!r}: no module named {exc.name!r}; run from the "
                f"project root or fix the target ({APP_SETTING})"
            ) from None
        raise LoadError(
            f"importing {module!r} failed: {describe_exception(exc)}; install the missing dependency "
            "in the test environment"
        ) from None
    except Exception as exc:  # the app's own import-time code raised
        raise LoadError(
            f"importing {module!r} raised {describe_exception(exc)}; fix the app's import-time code"
        ) from None


def _call_factory(factory: Any, args: tuple[Any, ...], kwargs: dict[str, Any], text: str) -> Any:
    try:
        return factory(*args, **kwargs)
    except Exception as exc:
        raise LoadError(
            f"the app factory in {text!r} raised {describe_exception(exc)}; pass the arguments it needs "
            "(\"pkg.mod:create_app('test')\") or provide an apiposture_app fixture"
        ) from None


def _is_app(obj: Any) -> bool:
    return any(cls.__name__ in APP_CLASSES for cls in type(obj).__mro__)


# --- discovery -------------------------------------------------------------------------


def discover(root: Path) -> str:
    """Find the app the way ``flask``/``uvicorn`` users expect, without importing anything."""
    candidates = sorted(set(_candidates(root)))
    if not candidates:
        raise LoadError(
            f"no FastAPI/Starlette/Flask app found under {root}; name it as 'pkg.mod:app' "
            f"({APP_SETTING})"
        )
    instances = [c for c in candidates if not c.endswith("()")]
    chosen = instances or candidates
    if len(chosen) > 1:
        raise LoadError(f"found several apps: {', '.join(chosen)}; pick one ({APP_SETTING})")
    return chosen[0]


def _candidates(root: Path) -> Iterator[str]:
    for count, path in enumerate(_python_files(root)):
        if count >= MAX_DISCOVERY_FILES:
            return
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, OSError):
            continue  # the source index reports unparsable files; discovery just skips them
        module = _module_name(path, root)
        if module is None:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
                callee = _dotted(node.value.func)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if callee and callee[-1] in APP_CLASSES | FACTORY_NAMES:
                    for t in targets:
                        if isinstance(t, ast.Name):
                            yield f"{module}:{t.id}"
            elif isinstance(node, ast.FunctionDef) and node.name in FACTORY_NAMES:
                yield f"{module}:{node.name}()"


def _python_files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS and not d.startswith(".") and not d.endswith(".egg-info")
        )
        for name in sorted(filenames):
            if (
                name.endswith(".py")
                and not name.startswith(("test_", "conftest"))
                and name != "setup.py"
            ):
                yield Path(dirpath) / name


def _module_name(path: Path, root: Path) -> str | None:
    base = root / "src" if (root / "src").is_dir() and root / "src" in path.parents else root
    rel = path.relative_to(base).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    # every directory on the way must be a package (or a namespace package under root)
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)
