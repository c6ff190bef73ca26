"""Which routes a url_value_preprocessor acts on: those with a URL value it reads by name,
or every route when it reads none by name (Flask calls it on each request of its scope)."""

from __future__ import annotations

from typing import Any

from pytest_apiposture.adapters._url_values import acts_on


def pops(endpoint: str, values: dict[str, Any] | None) -> None:
    if values:
        values.pop("project_id", None)


def subscripts(endpoint: str, values: dict[str, Any]) -> None:
    print(values["org"])


def checks_membership(endpoint: str, values: dict[str, Any] | None) -> None:
    if "lang" in (values or {}):
        return


def reads_no_name(endpoint: str, values: dict[str, Any] | None) -> None:
    if endpoint != "login":
        return


def reads_a_variable_key(endpoint: str, values: dict[str, Any]) -> None:
    key = endpoint.split(".")[0]
    values.get(key)


def test_a_preprocessor_acts_where_the_route_has_a_value_it_reads() -> None:
    assert [
        acts_on(pops, {"project_id", "bill_id"}),
        acts_on(pops, {"bill_id"}),
        acts_on(pops, set()),
        acts_on(subscripts, {"org"}),
        acts_on(subscripts, {"team"}),
        acts_on(checks_membership, {"lang"}),
        acts_on(checks_membership, set()),
        acts_on(reads_no_name, set()),  # no name read: every route of its scope
        acts_on(reads_a_variable_key, set()),
        acts_on(len, {"x"}),  # no source to read: every route
    ] == [True, False, False, True, False, True, False, True, True, True]
