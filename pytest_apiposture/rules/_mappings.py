"""Mappings that hold data, not objects: a merge into one is no attribute write (APS304)
and no lookup of an object by id (APS101).

A name the function only ever binds to a dict (a literal, ``dict(...)``, a copy, parsed
JSON, a pydantic dump) or rebinds to JSON parsed from itself (``old = json.loads(old)``),
an attribute of ``self`` its class binds only to dicts (``self.env = dict()``), a parameter annotated as a dict (also when rebound to a call
that is handed it: ``data = setup(data=data)``), a name it spreads into a call as
``**name`` (only a mapping can be spread), an element of such a mapping (nested JSON)
and an HTTP header mapping (``response.headers``, ``custom_headers``): their keys are
data the code passes on, not the columns of a stored object.
"""

from __future__ import annotations

import ast

from ..static.source import FunctionSource
from ..static.syntax import call_name, dotted

_DICT_TYPES = frozenset({"dict", "Dict", "MutableMapping", "Mapping"})
_DICT_CALLS = frozenset({"dict", "copy", "deepcopy", "defaultdict", "OrderedDict", "setdefault"})
# calls that return a plain dict: parsed JSON (``json.loads``, ``await request.json()``,
# ``request.get_json()``) and a pydantic model's dump
_PARSED_CALLS = frozenset({"loads", "json", "get_json", "model_dump", "to_dict"})


def is_header_mapping(node: ast.expr) -> bool:
    """``response.headers``, ``headers``, ``custom_headers``: HTTP headers, not an object."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return isinstance(name, str) and (name == "headers" or name.endswith("_headers"))


def is_data_mapping(fs: FunctionSource, node: ast.expr) -> bool:
    """``node`` holds a plain mapping of data in ``fs`` (see the module docstring)."""
    if is_header_mapping(node):
        return True
    if isinstance(node, ast.Subscript):  # ``data["metadata"]``: an element of a JSON mapping
        return is_data_mapping(fs, node.value)
    if isinstance(node, ast.Attribute):
        return _dict_attribute(fs, node)
    if not isinstance(node, ast.Name):
        return False
    if node.id in spread_names(fs):
        return True
    values = fs.assignments.get(node.id) or []
    param = fs.params.get(node.id)
    annotation = param[0].annotation if param else None
    if annotation is not None and _dict_annotation(annotation):
        # a dict parameter stays one through ``data = setup(data=data, ...)``: a call
        # handed the mapping itself returns it transformed
        return all(dict_value(v) or _transforms(v, node.id) for v in values)
    if any(dict_value(v) and _transforms(v, node.id) for v in values):
        return True  # ``old = json.loads(old)``: parsed from its own text, then merged
    return bool(values) and all(dict_value(v) for v in values)


def _dict_attribute(fs: FunctionSource, node: ast.Attribute) -> bool:
    """``self.env`` in a method of a class that binds ``self.env`` only to dicts
    (``self.env = dict()`` in ``__init__``): an attribute holding a plain mapping."""
    owner = node.value
    if not (isinstance(owner, ast.Name) and owner.id == "self"):
        return False
    cls = next(
        (
            c
            for c in fs.module.tree.body
            if isinstance(c, ast.ClassDef) and any(n is fs.node for n in c.body)
        ),
        None,
    )
    if cls is None:
        return False
    values = [
        sub.value
        for sub in ast.walk(cls)
        if isinstance(sub, ast.Assign)
        for target in sub.targets
        if isinstance(target, ast.Attribute)
        and target.attr == node.attr
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    ]
    return bool(values) and all(dict_value(v) for v in values)


def dict_value(value: ast.expr) -> bool:
    """A value that is a plain dict: ``{}``, ``dict(...)``, ``x.copy()``, ``saved or {}``,
    parsed JSON, a pydantic dump."""
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Dict | ast.DictComp):
        return True
    if isinstance(value, ast.Call):
        return call_name(value) in _DICT_CALLS | _PARSED_CALLS
    if isinstance(value, ast.BoolOp):
        return isinstance(value.values[-1], ast.Dict)  # saved or {}
    return False


def _transforms(value: ast.expr, name: str) -> bool:
    if isinstance(value, ast.Await):
        value = value.value
    return isinstance(value, ast.Call) and any(
        isinstance(a, ast.Name) and a.id == name
        for a in (*value.args, *(k.value for k in value.keywords))
    )


# factories of objects whose ``update`` feeds bytes in: cipher and padding contexts of the
# ``cryptography`` package, hash objects
_STREAM_FACTORIES = frozenset({"encryptor", "decryptor", "padder", "unpadder", "hasher"})
_STREAM_MODULES = ("hashlib.", "hmac.")


def is_accumulator(fs: FunctionSource, node: ast.expr) -> bool:
    """A name the function only ever binds to a set (``set()``, ``{a, b}``,
    ``set.union(...)``) or to a cipher, padding or hash context (``cipher.encryptor()``,
    ``hashlib.sha256()``): its ``update`` adds members or feeds bytes, it writes no
    attribute of a record (``ids.update(model.get("filter_ids", []))``,
    ``encryptor.update(plaintext)``)."""
    values = fs.assignments.get(node.id) if isinstance(node, ast.Name) else None
    return bool(values) and all(_accumulates(v) for v in values or ())


def _accumulates(value: ast.expr) -> bool:
    if isinstance(value, ast.Set | ast.SetComp):
        return True
    if isinstance(value, ast.IfExp):
        return _accumulates(value.body) and _accumulates(value.orelse)
    if not isinstance(value, ast.Call):
        return False
    name = dotted(value.func)
    return (
        name in ("set", "frozenset")
        or name.startswith(("set.", *_STREAM_MODULES))
        or call_name(value) in _STREAM_FACTORIES
    )


def spread_names(fs: FunctionSource) -> frozenset[str]:
    """Names the function spreads into a call as ``**name``."""
    known: frozenset[str] | None = fs.derived.get("spread_names")
    if known is None:
        known = fs.derived["spread_names"] = frozenset(
            k.value.id
            for call in fs.calls
            for k in call.keywords
            if k.arg is None and isinstance(k.value, ast.Name)
        )
    return known


def _dict_annotation(annotation: ast.expr) -> bool:
    # ``dict``, ``dict[str, Any]``, ``Final[dict[str, object]]``, ``Optional[Mapping]``
    for node in ast.walk(annotation):
        name = dotted(node) if isinstance(node, ast.Name | ast.Attribute) else ""
        if name and name.rsplit(".", 1)[-1] in _DICT_TYPES:
            return True
    return False
