"""``$ref`` chains inside one JSON document: OpenAPI 3, Swagger 2 and pydantic ``$defs``.

One walker for every caller. ``openapi.spec`` follows strictly (a ref it cannot follow is a
``SpecError`` naming the ref); the probes follow leniently (an app's own generated schema
is taken as it is: an unfollowable ref just ends the chain).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

Reason = Literal["external", "missing", "cycle"]


class RefError(Exception):
    """A ``$ref`` that cannot be followed, and why."""

    def __init__(self, reason: Reason, ref: str, chain: tuple[str, ...]) -> None:
        super().__init__(f"{reason} $ref '{ref}'")
        self.reason: Reason = reason
        self.ref = ref
        self.chain = chain  # the refs followed before this one


def ref_of(node: Any) -> str | None:
    """The ``$ref`` a node points through, None when it is not a reference."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return ref
    return None


def target(root: Any, ref: str, chain: tuple[str, ...] = ()) -> Any:
    """The node a local ``#/a/b~1c`` JSON pointer names in ``root`` (list items by index)."""
    if not ref.startswith("#"):
        raise RefError("external", ref, chain)
    pointer = ref[1:]
    if pointer and not pointer.startswith("/"):
        raise RefError("missing", ref, chain)
    node: Any = root
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise RefError("missing", ref, chain)
    return node


def ref_chain(root: Any, node: Any, *, strict: bool = True) -> Iterator[tuple[str, Any]]:
    """``(ref, target)`` for every ``$ref`` followed from ``node``, in order; the last target
    is where the chain ends (no hop at all when ``node`` is not a reference).

    An external, missing or circular ref raises ``RefError`` when ``strict``; otherwise the
    chain stops before it, so the last node seen is still a reference.
    """
    chain: list[str] = []
    while (ref := ref_of(node)) is not None:
        try:
            if ref in chain:
                raise RefError("cycle", ref, tuple(chain))
            node = target(root, ref, tuple(chain))
        except RefError:
            if strict:
                raise
            return
        chain.append(ref)
        yield ref, node


def follow(root: Any, node: Any, *, strict: bool = True) -> tuple[Any, tuple[str, ...]]:
    """The node at the end of ``node``'s ``$ref`` chain and the refs passed on the way."""
    hops = list(ref_chain(root, node, strict=strict))
    return (hops[-1][1] if hops else node), tuple(ref for ref, _ in hops)
