"""APS302: a handler returns a whole object (ORM row, ``__dict__``, ``to_dict()``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from ..model import Confidence, Finding, Kind, Route, Severity
from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name, dotted
from ._dataflow import class_of
from ._models import ClassRef, attributes, is_orm_class, serialised_attributes
from ._returns import Returned, returned_values
from .base import Rule, RuleContext

_SERIALISERS = frozenset({"to_dict", "as_dict", "serialize", "serialise", "to_json"})
# the only expressions _class can type (a literal, a comprehension, ... has no class here)
_TYPED_SHAPES = frozenset({ast.Name, ast.Attribute, ast.Call, ast.Await})
_MENTIONS_WHOLE_OBJECT = re.compile(r"__dict__|vars\(|\.(?:to_dict|as_dict|seriali[sz]e|to_json)\(")


class RawObjectResponse(Rule):
    """
    ## What it does
    Flags a handler without a response model that returns a whole object: an ORM row
    (FastAPI serialises every column), ``obj.__dict__``, ``vars(obj)`` or
    ``obj.to_dict()`` (directly or through ``jsonify``). It follows ``to_dict`` to the
    class and reports only when the result includes a sensitive attribute
    (``password_hash``, ``api_key``, ...).

    ## Why is this bad?
    Whatever the object holds today, and whatever column is added tomorrow, goes to
    the client: password hashes, tokens, internal flags (excessive data exposure, OWASP
    API3:2023).

    ## Example
    ```python
    @app.get("/users/<int:user_id>")
    def get_user(user_id):
        return jsonify(db.session.get(User, user_id).to_dict())  # to_dict: self.__dict__
    ```

    ## Use instead
    ```python
    @app.get("/users/{user_id}", response_model=UserOut)
    def get_user(user_id: int, db: Session = Depends(get_db)):
        return db.get(User, user_id)
    ```
    or return an explicit dict: ``{"id": user.id, "email": user.email}``.

    ## Known problems
    The object's class is found only when the handler makes it visible (a query on
    ``User``, an annotation, a constructor call, a project function that returns one);
    otherwise nothing is reported. An object nested in a returned dict or list literal
    (``{"user": user}``) counts as returned; settings and the environment nested so are
    APS306's.

    ## References
    - OWASP API3:2023 Broken Object Property Level Authorization
    - CWE-213: Exposure of Sensitive Information Due to Incompatible Policies
    """

    code = "APS302"
    name = "raw-object-response"
    kind = Kind.DATA_EXPOSURE
    owasp = "API3:2023"
    severity = Severity.HIGH
    confidence = Confidence.LIKELY
    cwe = 213
    message = "{route} returns {what}, including {fields}"
    remediation = (
        "Declare a response model without the sensitive attributes "
        "(`response_model=UserOut`) or return an explicit dict of the fields clients need; "
        "never `__dict__`, `vars()` or a `to_dict()` over every column."
    )

    def applies(self, route: Route) -> bool:
        return super().applies(route) and route.response_model is None

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        handler, route = ctx.handler, ctx.route
        if handler is None or route is None:
            return
        if not route.serializes_objects and not _MENTIONS_WHOLE_OBJECT.search(handler.text):
            return  # the framework sends only what the handler serialises itself
        lines: set[int] = set()
        for returned in returned_values(handler):
            if returned.line in lines:
                continue  # one finding a line: {"user": user, "owner": owner}
            exposed = exposure(ctx.index, handler, returned, route)
            if exposed is None:
                continue
            what, names = exposed
            fields = [n for n in names if ctx.knowledge.is_sensitive_field(n)]
            if fields:
                message = self.message.replace("{what}", what).replace(
                    "{fields}", ", ".join(f"`{f}`" for f in sorted(set(fields)))
                )
                lines.add(returned.line)
                yield self.finding(
                    ctx,
                    file=handler.path,
                    line=returned.line,
                    symbol=handler.qualname,
                    message=message,
                )


def exposure(
    index: SourceIndex, handler: FunctionSource, returned: Returned, route: Route
) -> tuple[str, list[str]] | None:
    """(description, attribute names) a returned expression sends, when it is a whole object."""
    node = returned.node
    if isinstance(node, ast.Call) and call_name(node) == "dict" and node.args:
        node = node.args[0]
    if (
        isinstance(node, ast.Call)
        and call_name(node) == "copy"
        and isinstance(node.func, ast.Attribute)
    ):
        node = node.func.value
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        cls = _class(index, handler, node.value, returned, route)
        return (f"`{dotted(node) or '__dict__'}`", _all(index, cls)) if cls else None
    if isinstance(node, ast.Call) and dotted(node.func) == "vars" and node.args:
        cls = _class(index, handler, node.args[0], returned, route)
        return ("`vars(...)`", _all(index, cls)) if cls else None
    if (
        isinstance(node, ast.Call)
        and call_name(node) in _SERIALISERS
        and not node.args
        and not node.keywords  # ``to_dict(only=...)`` picks what it sends
    ):
        assert isinstance(node.func, ast.Attribute)
        cls = _class(index, handler, node.func.value, returned, route)
        if cls is None:
            return None
        names = serialised_attributes(index, cls, call_name(node))
        return (f"`{cls.node.name}.{call_name(node)}()`", names) if names else None
    if route.serializes_objects and node.__class__ in _TYPED_SHAPES:
        cls = _class(index, handler, node, returned, route)
        if cls is not None and is_orm_class(index, cls):
            return (f"the ORM object `{cls.node.name}`", _all(index, cls))
    return None


def _class(
    index: SourceIndex, handler: FunctionSource, node: ast.AST, returned: Returned, route: Route
) -> ClassRef | None:
    if isinstance(node, ast.Name):
        for name, iterable in returned.bindings:
            if name == node.id:
                return class_of(index, handler, iterable)
    name = dotted(node)
    if name.startswith("g."):  # Flask's g: set by a guard (``g.user = user``)
        return _set_by_guard(index, route, name)
    return class_of(index, handler, node)


def _set_by_guard(index: SourceIndex, route: Route, name: str) -> ClassRef | None:
    for guard in route.guards:
        for func in (guard.func, *guard.chain):
            source = index.function(func, unwrap=False) if func is not None else None
            if source is None or source.is_lambda:
                continue
            for sub in source.all_nodes:
                if isinstance(sub, ast.Assign) and any(dotted(t) == name for t in sub.targets):
                    found = class_of(index, source, sub.value)
                    if found is not None:
                        return found
    return None


def _all(index: SourceIndex, cls: ClassRef | None) -> list[str]:
    return [a.name for a in attributes(index, cls)] if cls is not None else []
