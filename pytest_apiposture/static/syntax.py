"""AST helpers shared by the source index, classification and the rules, and the text
filters that decide which files need an AST at all.

Everything here is pure: it reads nodes and never parses or resolves. The walks are
hand-rolled for speed (the static pass visits every handler of a large project) and
visit nodes in the same order as the standard ones they replace (``walk`` is
``ast.walk``'s breadth-first order); they skip ``expr_context`` and operator nodes,
which no caller looks for. The per-class child extractors they use are ``node_children``.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from .node_children import CHILDREN, children_of

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
SCOPED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_NAME, _ATTRIBUTE, _CALL = ast.Name, ast.Attribute, ast.Call
_DEF, _ASYNC_DEF, _LAMBDA, _CLASS = ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef


# Between two tokens of a statement, in a text filter: whitespace, line continuations
# and (inside brackets) comments.
TOKEN_GAP = rb"(?:[\s\\]|#[^\n]*)*"
# Between a name (or a string key's text) and the ``=`` or ``:`` after it: also closing
# quotes, brackets and parentheses (``config[("DEBUG")] =``, ``(app.debug) =``).
NAME_END = rb"(?:['\"\])\s\\]|#[^\n]*)*"


class TextFilter:
    """Does lower-cased source text hold ``pattern``, which starts with one of ``words``?

    The pattern is tried only where a word occurs (``bytes.find`` is C-fast; a regex
    search tries every position and cost 0.24 s on Prefect's 7 MB). ``line_start``: the
    word must open its line (after blanks), as a decorator's ``@`` does."""

    def __init__(self, words: tuple[bytes, ...], pattern: bytes, *, line_start: bool = False):
        self.words = words
        self.pattern = re.compile(pattern)
        self.line_start = line_start

    def search(self, text: bytes) -> bool:
        match = self.pattern.match
        for word in self.words:
            at = text.find(word)
            while at != -1:
                opens_line = not text[text.rfind(b"\n", 0, at) + 1 : at].strip(b" \t\f")
                if (opens_line or not self.line_start) and match(text, at):
                    return True
                at = text.find(word, at + 1)
        return False


def filter_text(data: bytes) -> bytes | None:
    """A file's source as the rules' text filters read it: lower-cased, line ends as
    ``\\n``; non-ASCII text with identifiers as Python reads them (NFKC: a full-width
    ``debug`` is ``debug``) and the letters ``re.IGNORECASE`` takes for ASCII ones
    (dotless i, long s, dotted capital I) spelled in ASCII. None (every rule looks at the
    parsed file) when that text is unknown: not UTF-8, or a declared encoding other than
    UTF-8 (``+AGQ-ebug`` is ``debug`` in UTF-7)."""
    first = data.find(b"\n")  # PEP 263 puts a coding cookie in the first two lines
    second = -1 if first < 0 else data.find(b"\n", first + 1)
    head = data if second < 0 else data[:second]
    if b"coding" in head and _COOKIE.search(head) and not _UTF8_COOKIE.search(head):
        return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if data.isascii():
        return data.lower()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = unicodedata.normalize("NFKC", text)
    # letters re.IGNORECASE matches to ASCII ones that NFKC and str.lower() leave alone
    # (str.replace: str.translate with a table cost 0.6 s on MLflow's non-ASCII files)
    for letter, ascii_letter in _AS_ASCII:
        if letter in text:
            text = text.replace(letter, ascii_letter)
    return text.lower().encode("utf-8")


_AS_ASCII = (("\u0131", "i"), ("\u0130", "i"), ("\u017f", "s"))
# PEP 263: a comment in the first two lines declaring the source's encoding
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.MULTILINE)
_UTF8_COOKIE = re.compile(
    rb"^[ \t\f]*#.*?coding[:=][ \t]*(?:utf[-_]?8|ascii)\b", re.MULTILINE | re.IGNORECASE
)


_MISSING: Any = object()  # a node class the ast module did not define at import


# ``CHILDREN`` minus the scopes ``NodeIndex`` gives buckets of their own
_FILL_CHILDREN: Mapping[type, Callable[[Any], Any] | None] = MappingProxyType(
    {cls: f for cls, f in CHILDREN.items() if cls not in SCOPED}
)


def walk(node: ast.AST) -> list[ast.AST]:
    """``ast.walk(node)`` as a list, in the same (breadth-first) order."""
    out = [node]
    extend = out.extend
    extractors = CHILDREN
    for current in out:  # a list iterator sees the items appended while it runs
        children = extractors.get(current.__class__, _MISSING)
        if children is not None:
            if children is _MISSING:
                children = children_of(current.__class__)
                if children is None:
                    continue
            extend(children(current))
    return out


def dotted(node: ast.AST | None) -> str:
    """``a.b.c`` for a Name/Attribute chain, else ''."""
    current: Any = node
    cls = current.__class__
    if cls is _NAME:
        return str(current.id)
    if cls is not _ATTRIBUTE:
        return ""
    parts: list[str] = []
    while current.__class__ is _ATTRIBUTE:
        parts.append(current.attr)
        current = current.value
    if current.__class__ is not _NAME:
        return ""
    parts.append(current.id)
    parts.reverse()
    return ".".join(parts)


def unparse(node: ast.AST) -> str:
    """``ast.unparse(node)``; names, attributes, calls of them and int/bool/None constants
    (what the rules quote in messages) are spelled directly, the same text, much faster."""
    text = _spelled(node)
    return ast.unparse(node) if text is None else text


_PLAIN_CONSTANTS = (int, bool, type(None))


def _spelled(node: Any) -> str | None:
    cls = node.__class__
    if cls is _NAME:
        return str(node.id)
    if cls is _ATTRIBUTE:
        value = node.value
        if value.__class__ is ast.Constant:
            return None  # ``1 .real`` needs a space: ast.unparse knows
        text = _spelled(value)
        return None if text is None else f"{text}.{node.attr}"
    if cls is _CALL:
        func = _spelled(node.func)
        if func is None:
            return None
        parts: list[str] = []
        for arg in node.args:
            text = _spelled(arg)
            if text is None:
                return None
            parts.append(text)
        for keyword in node.keywords:
            text = _spelled(keyword.value)
            if text is None:
                return None
            parts.append(f"**{text}" if keyword.arg is None else f"{keyword.arg}={text}")
        return f"{func}({', '.join(parts)})"
    if cls is ast.Constant and node.value.__class__ in _PLAIN_CONSTANTS:
        return repr(node.value)
    return None


def words(node: ast.AST) -> str:
    """Names, attributes and strings in an expression, space separated."""
    out: list[str] = []
    for sub in walk(node):
        if isinstance(sub, ast.Name):
            out.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.append(sub.attr)
            if isinstance(sub.value, ast.Name):
                out.append(f"{sub.value.id}.{sub.attr}")
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.append(sub.value)
    return " ".join(out)


def call_name(call: ast.Call) -> str:
    """The last component of a call's callee: ``abort`` for ``flask.abort(401)``."""
    func = call.func
    cls = func.__class__
    if cls is _ATTRIBUTE:
        return func.attr  # type: ignore[attr-defined, no-any-return]
    return func.id if cls is _NAME else ""  # type: ignore[attr-defined]


def target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for elt in target.elts for n in target_names(elt)]
    return []


def top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module statements, looking inside ``if``/``try`` blocks (TYPE_CHECKING, fallbacks)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from top_level(stmt.body)
            yield from top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from top_level(stmt.body)
            for handler in stmt.handlers:
                yield from top_level(handler.body)
            yield from top_level(stmt.orelse)
        else:
            yield stmt


_TRY_STAR = getattr(ast, "TryStar", ast.Try)  # ``try: ... except* E:`` is Python 3.11+


def _try_statements(s: Any) -> list[ast.stmt]:
    return [*s.body, *s.orelse, *s.finalbody, *[x for h in s.handlers for x in h.body]]


# the statement lists of each compound statement, in ``child_statements`` order (the
# grammar types them ``stmt*``, so no filtering is needed)
STATEMENT_LISTS: Mapping[type, Callable[[Any], list[ast.stmt]]] = MappingProxyType(
    {
        ast.FunctionDef: lambda s: [*s.body],
        ast.AsyncFunctionDef: lambda s: [*s.body],
        ast.ClassDef: lambda s: [*s.body],
        ast.With: lambda s: [*s.body],
        ast.AsyncWith: lambda s: [*s.body],
        ast.If: lambda s: [*s.body, *s.orelse],
        ast.For: lambda s: [*s.body, *s.orelse],
        ast.AsyncFor: lambda s: [*s.body, *s.orelse],
        ast.While: lambda s: [*s.body, *s.orelse],
        ast.Try: _try_statements,
        _TRY_STAR: _try_statements,
        ast.Match: lambda s: [x for case in s.cases for x in case.body],
    }
)


def child_statements(stmt: ast.stmt) -> list[ast.stmt]:
    """The statements directly nested in a compound statement (if/for/with/try/match/def)."""
    lists = STATEMENT_LISTS.get(stmt.__class__)
    return [] if lists is None else lists(stmt)  # a simple statement nests none


class NodeIndex:
    """The nodes of each scope, from one traversal per subtree.

    ``heads[id(def)]`` holds a def's decorators, arguments and annotations,
    ``bodies[id(def)]`` its body; a nested def or class is one node of its parent's bucket
    and has buckets of its own. The order is the traversal's (last sibling first), which
    the rules' first-match logic relies on.
    """

    def __init__(self) -> None:
        self.module: list[ast.AST] = []
        self.heads: dict[int, list[ast.AST]] = {}
        self.bodies: dict[int, list[ast.AST]] = {}

    def add(self, nodes: list[ast.stmt] | list[ast.AST], into: list[ast.AST]) -> None:
        self._fill(list(nodes), into)

    def _fill(self, stack: list[ast.AST], bucket: list[ast.AST]) -> None:
        """Pop ``stack`` into ``bucket`` (last first), children pushed in field order; a
        nested scope fills its own buckets before its siblings are popped."""
        pop, extend, append = stack.pop, stack.extend, bucket.append
        extractors = _FILL_CHILDREN
        while stack:
            node = pop()
            append(node)
            children = extractors.get(node.__class__, _MISSING)
            if children is None:
                continue  # a leaf (Name, Constant, ...)
            if children is not _MISSING:
                extend(children(node))
                continue
            cls = node.__class__
            if cls is _DEF or cls is _ASYNC_DEF:
                head = self.heads[id(node)] = []
                body = self.bodies[id(node)] = []
                self._fill(list(node.body), body)  # type: ignore[attr-defined]
                items: list[ast.AST] = [*node.decorator_list, node.args]  # type: ignore[attr-defined]
                if node.returns is not None:  # type: ignore[attr-defined]
                    items.append(node.returns)  # type: ignore[attr-defined]
                self._fill(items, head)
            elif cls is _LAMBDA:
                head = self.heads.setdefault(id(node), [])
                body = self.bodies.setdefault(id(node), [])
                self._fill([node.body], body)  # type: ignore[attr-defined]
                self._fill([node.args], head)  # type: ignore[attr-defined]
            elif cls is _CLASS:
                body = self.bodies[id(node)] = []
                self._fill(CHILDREN[_CLASS](node), body)  # type: ignore[misc]
            else:  # a node class made after import
                found = children_of(cls)
                if found is not None:
                    extend(found(node))
