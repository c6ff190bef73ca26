"""Guard and handler code written to a module of its own and judged by the real classification
(``static.auth.classify``): the helpers of the ``test_mutants_*`` tests (issue 19)."""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE, Knowledge
from pytest_apiposture.model import Auth, Guard, GuardRole, Route
from pytest_apiposture.static.auth import classify
from pytest_apiposture.static.source import SourceIndex

_NAMES = itertools.count()


@dataclass(frozen=True)
class Code:
    """An imported module of test code and the root its source index reads it under."""

    module: ModuleType
    root: Path

    def __getattr__(self, name: str) -> Any:
        return getattr(self.module, name)


def load(folder: Path, source: str) -> Code:
    """Import ``source`` as a module of its own (a fresh name each time: no stale import)."""
    name = f"rxmut_{next(_NAMES)}"
    (folder / f"{name}.py").write_text(textwrap.dedent(source))
    sys.path.insert(0, str(folder))
    try:
        return Code(importlib.import_module(name), folder)
    finally:
        sys.path.remove(str(folder))


def guard(code: Code, name: str, **facts: Any) -> Guard:
    """A guard on the function ``name`` of ``code`` (a dependency parameter unless ``origin``)."""
    func = getattr(code.module, name)
    facts.setdefault("origin", "parameter")
    return Guard(name=name, func=func, chain=(func,), **facts)


def judged(
    code: Code,
    *guards: Guard,
    handler: str | None = None,
    method: str = "GET",
    path: str = "/x",
    public: bool = False,
    knowledge: Knowledge | None = None,
    qualname: str = "",
    **facts: Any,
) -> Route:
    """The route (``handler`` of ``code`` its endpoint; ``qualname`` its handler's name
    within the module, ``handler`` when not given) as classification leaves it."""
    endpoint = getattr(code.module, handler) if handler else None
    qualname = f"{code.module.__name__}:{qualname or handler or 'view'}"
    route = Route(method, path, "flask", qualname, guards=guards, endpoint=endpoint, **facts)
    (out,) = classify(
        [route],
        knowledge=knowledge or DEFAULT_KNOWLEDGE,
        index=SourceIndex(code.root),
        is_public=lambda _: public,
    )
    return out


def auth_of(code: Code, *guards: Guard, **kw: Any) -> Auth:
    return judged(code, *guards, **kw).auth


def role_of(code: Code, name: str, **facts: Any) -> GuardRole | None:
    """The role classification gives the guard ``name`` alone on a route."""
    return judged(code, guard(code, name, **facts)).guards[0].role
