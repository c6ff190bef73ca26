"""Objects the app's own functions return: a record is no mapping the client keyed.

``wallet = await get_wallet(key.wallet_id)`` binds the app's object. Whatever the request
put into single fields of it (``wallet.name = name``), persisting it whole
(``db.update("wallets", wallet)``) writes the model's fields, not keys the client chose;
a bulk write of request data into it (``wallet.update(body)``, a ``setattr`` loop over
the body) is reported at that write.
"""

from __future__ import annotations

import ast
import re

from ..static.source import FunctionSource, SourceIndex
from ..static.syntax import call_name, dotted
from ._project import project_def

__all__ = ["app_records"]


def app_records(index: SourceIndex, fs: FunctionSource, seeds: frozenset[str]) -> set[str]:
    """Names that hold the app's own records in ``fs`` (``seeds``: the parameters handed
    request data), whatever single fields of them the request set."""
    return loaded_objects(index, fs) | field_set_objects(fs, seeds)


def loaded_objects(index: SourceIndex, fs: FunctionSource) -> set[str]:
    """Names only ever bound to what a project function returns that is no mapping
    (``wallet = await get_wallet(key.wallet_id)``): the app's own object, whose fields
    are the model's whatever the request put into single ones (``wallet.name = name``);
    persisting it whole (``db.update("wallets", wallet)``) writes no key the client chose."""
    return {
        name
        for name, values in fs.assignments.items()
        if all(_app_object(index, fs, v) for v in values)
    }


def field_set_objects(fs: FunctionSource, seeds: frozenset[str]) -> set[str]:
    """Names the function binds only by setting a named field of them
    (``wallet.lightning_address = local_part`` on a parameter it was handed a record in):
    one field the code names is set, the object is no mapping the client keyed."""
    bound = set(fs.assignments) | set(seeds)
    loops: list[ast.For | ast.AsyncFor | ast.comprehension] = [
        *fs.of(ast.For),
        *fs.of(ast.AsyncFor),
        *fs.of(ast.comprehension),
    ]
    for loop in loops:
        bound.update(n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name))
    out = set()
    stores: list[ast.Assign | ast.AugAssign | ast.AnnAssign] = [
        *fs.of(ast.Assign),
        *fs.of(ast.AugAssign),
        *fs.of(ast.AnnAssign),
    ]
    for node in stores:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                out.add(target.value.id)
    return out - bound


def _app_object(index: SourceIndex, fs: FunctionSource, value: ast.expr) -> bool:
    call = value.value if isinstance(value, ast.Await) else value
    if not isinstance(call, ast.Call):
        return False
    if {w.lower() for w in _WORDS.findall(call_name(call))} & _DATA_WORDS:
        return False
    callee = project_def(index, fs.module, dotted(call.func))
    return callee is not None and not any(
        _gives_mapping(callee, r.value) for r in callee.of(ast.Return) if r.value is not None
    )


def _gives_mapping(callee: FunctionSource, node: ast.expr) -> bool:
    """A returned dict, a copy or parse of one, or a parameter handed back as is (unless
    annotated with a class that is no mapping: ``wallet: Wallet``)."""
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Dict | ast.DictComp):
        return True
    if isinstance(node, ast.Call):
        return call_name(node) in _MAPPING_CALLS
    if not isinstance(node, ast.Name):
        return False
    if node.id not in callee.params:  # ``out = dict(payload); return out``
        return any(_gives_mapping(callee, v) for v in callee.assignments.get(node.id, []))
    annotation = callee.params[node.id][0].annotation
    spelled = dotted(annotation).rpartition(".")[2] if annotation is not None else ""
    return not spelled[:1].isupper() or spelled in _MAPPING_TYPES


# a function of these words hands request data on (``parse_body(request)``), no object
_DATA_WORDS = frozenset({"request", "body", "json", "payload", "form", "data", "params",
    "args", "kwargs", "input", "dict", "mapping", "fields", "values"})  # fmt: skip
_MAPPING_CALLS = frozenset({"dict", "model_dump", "loads", "get_json", "json", "copy",
    "to_dict", "asdict", "items"})  # fmt: skip
_MAPPING_TYPES = frozenset({"Dict", "Mapping", "MutableMapping", "Any", "Request", "Body",
    "JSONType", "QueryDict", "MultiDict", "ImmutableMultiDict", "TypedDict"})  # fmt: skip
_WORDS = re.compile(r"[a-z]+|[A-Z][a-z]*")
