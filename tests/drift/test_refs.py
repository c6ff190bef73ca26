"""The one ``$ref`` walker: strict for committed specs, lenient for the probes."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_apiposture.openapi.refs import RefError, follow, ref_chain
from pytest_apiposture.probes.shape import resolve

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Pet": {"$ref": "#/components/schemas/Animal"},
            "Animal": {"type": "object", "properties": {"name": {"type": "string"}}},
            "a/b": {"type": "integer"},
            "Loop": {"$ref": "#/components/schemas/Pool"},
            "Pool": {"$ref": "#/components/schemas/Loop"},
            "Dangling": {"$ref": "#/components/schemas/Nope"},
        }
    },
    "$defs": {"Item": {"type": "string"}},
    "paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query"}]}}},
}
ANIMAL = DOC["components"]["schemas"]["Animal"]


def test_chain_lists_every_hop_in_order() -> None:
    hops = list(ref_chain(DOC, {"$ref": "#/components/schemas/Pet"}))
    assert hops == [
        ("#/components/schemas/Pet", {"$ref": "#/components/schemas/Animal"}),
        ("#/components/schemas/Animal", ANIMAL),
    ]
    assert follow(DOC, {"$ref": "#/components/schemas/Pet"}) == (
        ANIMAL,
        ("#/components/schemas/Pet", "#/components/schemas/Animal"),
    )


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("#/components/schemas/a~1b", {"type": "integer"}),  # ~1 is "/"
        ("#/$defs/Item", {"type": "string"}),  # pydantic
        ("#/paths/~1a/get/parameters/0", {"name": "q", "in": "query"}),  # list index
    ],
)
def test_json_pointer_escapes_and_indices(ref: str, expected: dict[str, Any]) -> None:
    assert follow(DOC, {"$ref": ref}) == (expected, (ref,))


def test_a_node_that_is_no_reference_is_its_own_end() -> None:
    assert follow(DOC, ANIMAL) == (ANIMAL, ())
    assert follow(DOC, None) == (None, ())
    assert follow(DOC, {"$ref": 3}) == ({"$ref": 3}, ())  # not a string: not a reference


@pytest.mark.parametrize(
    "ref, reason, chain",
    [
        ("other.yaml#/Pet", "external", ()),
        ("#/components/schemas/Nope", "missing", ()),
        ("#/components/schemas/Dangling", "missing", ("#/components/schemas/Dangling",)),
        ("#components", "missing", ()),
        ("#/paths/~1a/get/parameters/1", "missing", ()),
        (
            "#/components/schemas/Loop",
            "cycle",
            ("#/components/schemas/Loop", "#/components/schemas/Pool"),
        ),
    ],
)
def test_strict_raises_what_went_wrong(ref: str, reason: str, chain: tuple[str, ...]) -> None:
    with pytest.raises(RefError) as caught:
        follow(DOC, {"$ref": ref}, strict=True)
    assert (caught.value.reason, caught.value.chain) == (reason, chain)


@pytest.mark.parametrize(
    "ref, end, chain",
    [
        ("other.yaml#/Pet", {"$ref": "other.yaml#/Pet"}, ()),
        (
            "#/components/schemas/Dangling",
            {"$ref": "#/components/schemas/Nope"},
            ("#/components/schemas/Dangling",),
        ),
        (
            "#/components/schemas/Loop",
            {"$ref": "#/components/schemas/Loop"},
            ("#/components/schemas/Loop", "#/components/schemas/Pool"),
        ),
    ],
)
def test_lenient_stops_before_the_ref_it_cannot_follow(
    ref: str, end: dict[str, Any], chain: tuple[str, ...]
) -> None:
    assert follow(DOC, {"$ref": ref}, strict=False) == (end, chain)


def test_probe_resolve_gives_a_schema_or_nothing() -> None:
    assert resolve(DOC, {"$ref": "#/components/schemas/Pet"}) == ANIMAL
    assert resolve(DOC, ANIMAL) == ANIMAL
    assert resolve(DOC, [ANIMAL]) == {}
    for unfollowable in (
        "other.yaml#/Pet",
        "#/components/schemas/Dangling",
        "#/components/schemas/Loop",
    ):
        assert resolve(DOC, {"$ref": unfollowable}) == {}
