"""Model classes in source: where a field is declared, what an object serialises to.

Used by the data-exposure and mass-assignment rules to go from a route's model
name (``UserOut``) or a returned expression (``user.to_dict()``) to the class and
the line of the field that matters.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..knowledge import REDACTION_CALL
from ..static.source import FunctionSource, ModuleSource, SourceIndex
from ..static.syntax import call_name, dotted, walk

T = TypeVar("T")
_GENERIC_NAMES = frozenset(
    {
        "list",
        "List",
        "dict",
        "Dict",
        "Optional",
        "Union",
        "Sequence",
        "set",
        "Set",
        "tuple",
        "Tuple",
        "Annotated",
        "Any",
        "None",
        "Page",
        "Iterable",
        "typing",
    }
)
_FIELD_HOOKS = frozenset({"field_validator", "validator", "field_serializer"})
_MASK = re.compile(r"^[*x#•.]+$|^<?(?:redacted|hidden|masked)>?$", re.IGNORECASE)
_ORM_COLUMN_CALLS = frozenset({"Column", "mapped_column", "relationship", "column_property"})
_ORM_BASES = re.compile(r"(?:^|\.)(?:Base|Model|DeclarativeBase|SQLModel|Document)$")


@dataclass(frozen=True)
class ClassRef:
    module: ModuleSource
    node: ast.ClassDef


@dataclass(frozen=True)
class Attribute:
    name: str
    module: ModuleSource
    line: int
    excluded: bool = False  # ``Field(exclude=True)``, or a validator that redacts it


def find_class(
    index: SourceIndex, handler: FunctionSource | None, name: str | None
) -> ClassRef | None:
    """The class a model name refers to, as seen from the handler's module."""
    if not name:
        return None
    candidates = [n for n in re.findall(r"[A-Za-z_][\w.]*", name) if n not in _GENERIC_NAMES]
    for candidate in reversed(candidates):
        short = candidate.rsplit(".", 1)[-1]
        if handler is not None:
            for dotted_name in _handler_names(handler, short):
                found = index.resolve(handler.module, dotted_name)
                if found is not None and isinstance(found.node, ast.ClassDef):
                    return ClassRef(found.module, found.node)
        for module in index.parsed_modules():  # defined somewhere already read
            node = module.classes().get(short)
            if node is not None:
                return ClassRef(module, node)
    return None


def _handler_names(handler: FunctionSource, short: str) -> list[str]:
    """Dotted names in the handler's signature and decorators that end with ``short``."""
    names = [short]
    suffix = f".{short}"
    for text in _signature_names(handler):
        if text.endswith(suffix) and text not in names:
            names.append(text)
    return names


def _signature_names(handler: FunctionSource) -> list[str]:
    """Every dotted attribute name of the handler's annotations, decorators and return annotation,
    first occurrences in walk order: once per function, shared by every model lookup."""
    known: list[str] | None = handler.derived.get("signature_names")
    if known is not None:
        return known
    node = handler.node
    exprs: list[ast.AST] = [a.annotation for a in _all_args(handler) if a.annotation is not None]
    if not isinstance(node, ast.Lambda):
        exprs += node.decorator_list
        if node.returns is not None:
            exprs.append(node.returns)
    texts: dict[str, None] = {}
    for expr in exprs:
        for sub in walk(expr):
            if sub.__class__ is ast.Attribute:  # a plain name has no ".", so never matches
                texts[dotted(sub)] = None
    known = handler.derived["signature_names"] = list(texts)
    return known


def _all_args(handler: FunctionSource) -> list[ast.arg]:
    args = handler.node.args
    return args.posonlyargs + args.args + args.kwonlyargs


def class_of_name(index: SourceIndex, module: ModuleSource, name: str) -> ClassRef | None:
    found = index.resolve(module, name)
    if found is not None and isinstance(found.node, ast.ClassDef):
        return ClassRef(found.module, found.node)
    return None


def per_class(fn: Callable[..., T]) -> Callable[..., T]:
    """Compute a class fact once per run (recorded as a dependency like any lookup)."""

    @functools.wraps(fn)
    def once(index: SourceIndex, cls: ClassRef, *args: Any) -> T:
        key = (fn.__name__, cls.module.path, cls.node.lineno, *args)
        return index.memo(key, lambda: fn(index, cls, *args))

    return once


@per_class
def bases(index: SourceIndex, cls: ClassRef) -> list[ClassRef]:
    """The class and its project base classes, nearest first (cycle-safe)."""
    out: list[ClassRef] = []
    todo = [cls]
    while todo and len(out) < 16:
        current = todo.pop(0)
        if any(c.node is current.node for c in out):
            continue
        out.append(current)
        for base in current.node.bases:
            name = dotted(base)
            found = class_of_name(index, current.module, name) if name else None
            if found is not None:
                todo.append(found)
    return out


@per_class
def base_names(index: SourceIndex, cls: ClassRef) -> set[str]:
    return {dotted(b) for c in bases(index, cls) for b in c.node.bases} - {""}


def field_line(index: SourceIndex, cls: ClassRef, field: str) -> Attribute | None:
    """Where ``field`` is declared in the class or one of its bases."""
    classes = bases(index, cls)
    for current in classes:
        for stmt in current.node.body:
            value: ast.expr | None = None
            if isinstance(stmt, ast.AnnAssign) and dotted(stmt.target) == field:
                value = stmt.value
            elif not (
                isinstance(stmt, ast.Assign) and any(dotted(t) == field for t in stmt.targets)
            ):
                continue
            else:
                value = stmt.value
            hidden = is_excluded_field(value) or any(_redacts(c.node, field) for c in classes)
            return Attribute(field, current.module, stmt.lineno, hidden)
    return None


def _redacts(cls: ast.ClassDef, field: str) -> bool:
    """A ``field_validator``/``field_serializer`` for ``field`` whose every answer is
    redacted: ``return redact(v)``, ``return "***"`` (``None`` passes through)."""
    for stmt in cls.body:
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not any(_targets_field(d, field) for d in stmt.decorator_list):
            continue
        answers = [r.value for r in walk(stmt) if isinstance(r, ast.Return) and r.value is not None]
        if answers and all(_redacted(a) for a in answers):
            return True
    return False


def _targets_field(decorator: ast.expr, field: str) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and call_name(decorator) in _FIELD_HOOKS
        and any(isinstance(a, ast.Constant) and a.value in (field, "*") for a in decorator.args)
    )


def _redacted(answer: ast.expr) -> bool:
    if isinstance(answer, ast.Constant):
        return answer.value is None or (
            isinstance(answer.value, str) and _MASK.match(answer.value) is not None
        )
    calls = [n for n in walk(answer) if isinstance(n, ast.Call)]
    return any(REDACTION_CALL.search(call_name(c)) for c in calls)


def is_excluded_field(stmt_value: ast.expr | None) -> bool:
    """``Field(exclude=True)`` never reaches the response."""
    if not isinstance(stmt_value, ast.Call):
        return False
    return any(
        k.arg == "exclude" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in stmt_value.keywords
    )


@per_class
def attributes(index: SourceIndex, cls: ClassRef) -> list[Attribute]:
    """Declared attributes: class-level fields/columns and ``self.x = ...`` in ``__init__``."""
    out: dict[str, Attribute] = {}
    for current in reversed(bases(index, cls)):
        for stmt in current.node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if not is_excluded_field(stmt.value):
                    out[stmt.target.id] = Attribute(stmt.target.id, current.module, stmt.lineno)
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                if call_name(stmt.value) in _ORM_COLUMN_CALLS:
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            out[target.id] = Attribute(target.id, current.module, stmt.lineno)
            elif isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
                for sub in walk(stmt):
                    if isinstance(sub, ast.Assign | ast.AnnAssign):
                        targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                        for target in targets:
                            if (
                                dotted(target).startswith("self.")
                                and dotted(target).count(".") == 1
                            ):
                                name = dotted(target)[5:]
                                out.setdefault(name, Attribute(name, current.module, sub.lineno))
    return [a for a in out.values() if not a.name.startswith("__")]


@per_class
def is_orm_class(index: SourceIndex, cls: ClassRef) -> bool:
    for current in bases(index, cls):
        for stmt in current.node.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in targets):
                return True
            value = getattr(stmt, "value", None)
            if isinstance(value, ast.Call) and call_name(value) in _ORM_COLUMN_CALLS:
                return True
            annotation = getattr(stmt, "annotation", None)
            if annotation is not None and "Mapped" in dotted(
                getattr(annotation, "value", annotation)
            ):
                return True
        if any(k.arg == "table" for k in current.node.keywords):  # SQLModel, table=True
            return True
    return any(_ORM_BASES.search(name) for name in base_names(index, cls))


@per_class
def is_settings_class(index: SourceIndex, cls: ClassRef) -> bool:
    return any(name.rsplit(".", 1)[-1] == "BaseSettings" for name in base_names(index, cls))


def method(
    cls: ClassRef, index: SourceIndex, name: str
) -> tuple[ModuleSource, ast.FunctionDef] | None:
    for current in bases(index, cls):
        for stmt in current.node.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
                return current.module, stmt
    return None


@per_class
def serialised_attributes(index: SourceIndex, cls: ClassRef, serialiser: str) -> list[str] | None:
    """Attribute names ``obj.<serialiser>()`` puts in its result; None when unknown.

    ``return self.__dict__`` / ``vars(self)`` / a comprehension over ``__table__.columns``
    means every attribute; a dict literal means its keys (and ``self.x`` values).
    """
    found = method(cls, index, serialiser)
    if found is None:
        return None
    _, node = found
    names: list[str] = []
    for sub in walk(node):
        if not isinstance(sub, ast.Return) or sub.value is None:
            continue
        value = sub.value
        if exposes_everything(value):
            return [a.name for a in attributes(index, cls)]
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    names.append(key.value)
                text = dotted(item)
                if text.startswith("self."):
                    names.append(text[5:])
    return names


def exposes_everything(value: ast.AST) -> bool:
    """``self.__dict__``, ``vars(self)``, ``dict(self.__dict__)``, ``__table__.columns`` loops."""
    for sub in walk(value):
        if isinstance(sub, ast.Attribute) and sub.attr in {"__dict__", "__table__", "__mapper__"}:
            return True
        if isinstance(sub, ast.Call) and dotted(sub.func) == "vars":
            return True
    return False


def extra_allow_line(index: SourceIndex, cls: ClassRef) -> tuple[str, int] | None:
    """(file, line) of the ``extra="allow"`` setting in the class or its bases."""
    for current in bases(index, cls):
        if any(k.arg == "extra" and _is_allow(k.value) for k in current.node.keywords):
            return current.module.path, current.node.lineno
        for stmt in current.node.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
                for sub in stmt.body:
                    if (
                        isinstance(sub, ast.Assign)
                        and any(dotted(t) == "extra" for t in sub.targets)
                        and _is_allow(sub.value)
                    ):
                        return current.module.path, sub.lineno
            targets = (
                stmt.targets
                if isinstance(stmt, ast.Assign)
                else ([stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
            )
            value = getattr(stmt, "value", None)
            is_config = any(dotted(t) == "model_config" for t in targets)
            if is_config and value is not None and _config_allows(value):
                return current.module.path, stmt.lineno
    return None


def _config_allows(value: ast.expr) -> bool:
    if isinstance(value, ast.Call) and call_name(value) in {
        "ConfigDict",
        "SettingsConfigDict",
        "dict",
    }:
        return any(k.arg == "extra" and _is_allow(k.value) for k in value.keywords)
    if isinstance(value, ast.Dict):
        return any(
            isinstance(k, ast.Constant) and k.value == "extra" and _is_allow(v)
            for k, v in zip(value.keys, value.values, strict=True)
        )
    return False


def _is_allow(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant):
        return value.value == "allow"
    return dotted(value).endswith("Extra.allow")
