"""spec.py: one normalised shape from Swagger 2.0 / OpenAPI 3.0 / 3.1, JSON or YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pytest_apiposture.openapi.spec import (
    Operation,
    Parameter,
    SecurityScheme,
    Spec,
    SpecError,
    load_spec,
    spec_from_dict,
    template_key,
    write_snapshot,
)

FIXTURES = Path(__file__).parent / "fixtures"
PET = frozenset({"name", "tag", "owner", "owner.name", "owner.pets", "id"})


def op(spec: Spec, method: str, path: str) -> Operation:
    found = spec.find(method, path)
    assert found is not None, (
        f"{method} {path} not in {[(o.method, o.path) for o in spec.operations]}"
    )
    return found


def test_openapi_30_yaml_refs_servers_and_security() -> None:
    spec = load_spec(FIXTURES / "petstore_30.yaml")
    assert (spec.version, spec.prefix, spec.servers, spec.tls_only) == (
        "3.0",
        "/v1",
        ("https://api.example.com/v1",),
        True,
    )
    assert spec.source == str(FIXTURES / "petstore_30.yaml")
    assert [(o.method, o.path) for o in spec.operations] == [
        ("GET", "/v1/pets"),
        ("POST", "/v1/pets"),
        ("GET", "/v1/pets/{petId}"),
        ("DELETE", "/v1/pets/{petId}"),
    ]
    # path-level parameter merged in; $ref chain Limit -> PageSize followed; header name lower case
    assert op(spec, "GET", "/v1/pets") == Operation(
        method="GET",
        raw_path="/pets",
        prefix="/v1",
        parameters=(
            Parameter("x-trace-id", "header", False, "string"),
            Parameter("limit", "query", False, "integer"),
        ),
        request_properties=None,
        responses={"200": frozenset("[]." + p for p in PET)},
        security=(frozenset({"bearerAuth"}),),
        deprecated=False,
        operation_id="listPets",
        line=10,
    )
    create = op(spec, "POST", "/v1/pets")
    # requestBodies $ref -> NewPet; recursion Owner.pets -> Pet -> NewPet stops at the cycle
    assert create.request_properties == frozenset(
        {"name", "tag", "owner", "owner.name", "owner.pets", "owner.pets[].id"}
    )
    assert create.responses == {"201": PET}  # YAML integer key 201 read as "201"
    assert (create.security, create.requires_auth, create.declares_security) == ((), False, False)
    show = op(spec, "GET", "/v1/pets/{anything}")
    assert show.parameters == (
        Parameter("petId", "path", True, "string"),
        Parameter("x-request-id", "header", True, "string"),
    )
    assert show.responses == {"200": PET}  # the JSON media type, not application/xml
    assert (show.deprecated, show.requires_auth, show.declares_security, show.line) == (
        True,
        False,
        True,
        31,
    )
    delete = op(spec, "DELETE", "/v1/pets/{petId}")
    assert (delete.security, delete.responses, delete.requires_auth) == (
        (frozenset({"apiKey"}),),
        {"204": frozenset()},
        True,
    )
    assert spec.security_schemes == {
        "bearerAuth": SecurityScheme("bearerAuth", "http", scheme="bearer", line=92),
        "apiKey": SecurityScheme("apiKey", "apiKey", location="query", key_name="api_key", line=93),
    }


def test_openapi_31_json_relative_server_and_null_unions() -> None:
    spec = load_spec(FIXTURES / "petstore_31.json")
    assert (spec.version, spec.prefix, spec.tls_only) == ("3.1", "/api", False)
    get = op(spec, "GET", "/api/pets/{pet_id}")
    assert get.parameters == (
        Parameter("id", "path", True, "integer"),
        Parameter("fields", "query", False, "string"),
    )
    # anyOf [Owner, null] still lists the owner's properties
    assert get.responses == {
        "200": frozenset({"id", "name", "owner", "owner.email", "owner.api_token"})
    }
    assert (get.security, get.line) == ((frozenset({"basicAuth"}),), 6)
    patch = op(spec, "PATCH", "/api/pets/{id}")
    assert (patch.request_properties, patch.responses) == (
        frozenset({"name"}),
        {"200": frozenset()},
    )
    assert spec.security_schemes == {
        "basicAuth": SecurityScheme("basicAuth", "http", scheme="basic", line=43)
    }


def test_swagger_20_yaml_base_path_body_and_form_data() -> None:
    spec = load_spec(FIXTURES / "petstore_20.yaml")
    assert (spec.version, spec.prefix, spec.servers, spec.tls_only) == (
        "2.0",
        "/v2",
        ("http", "https"),
        False,
    )
    listing = op(spec, "GET", "/v2/pets")
    assert listing.parameters == (Parameter("limit", "query", True, "integer"),)
    assert listing.responses == {"200": frozenset({"[].name", "[].id", "[].password"})}
    create = op(spec, "POST", "/v2/pets")
    assert (create.request_properties, create.responses["200"]) == (
        frozenset({"name"}),
        frozenset({"name", "id", "password"}),
    )
    assert create.security == (frozenset({"api_key"}),)
    photo = op(spec, "POST", "/v2/pets/{petId}/photo")
    assert photo.parameters == (
        Parameter("petId", "path", True, "integer"),
    )  # formData is the body
    assert photo.request_properties == frozenset({"file", "caption"})
    assert spec.security_schemes == {
        "basicAuth": SecurityScheme("basicAuth", "basic", line=7),
        "api_key": SecurityScheme(
            "api_key", "apiKey", location="header", key_name="X-API-Key", line=8
        ),
    }


@pytest.mark.parametrize("name", ["petstore_30.yaml", "petstore_31.json", "petstore_20.yaml"])
def test_json_and_yaml_spellings_give_the_same_operations(name: str, tmp_path: Path) -> None:
    original = load_spec(FIXTURES / name)
    doc = yaml.safe_load((FIXTURES / name).read_text())
    as_json, as_yaml = tmp_path / "spec.json", tmp_path / "spec.yml"
    as_json.write_text(json.dumps(doc, indent=2))
    as_yaml.write_text(yaml.safe_dump(doc))

    def shape(spec: Spec) -> object:
        ops = [
            (
                o.method,
                o.path,
                o.parameters,
                o.request_properties,
                dict(o.responses),
                o.security,
                o.deprecated,
            )
            for o in spec.operations
        ]
        return ops, {
            k: (s.type, s.scheme, s.location, s.key_name) for k, s in spec.security_schemes.items()
        }

    assert shape(load_spec(as_json)) == shape(original) == shape(load_spec(as_yaml))


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer"}, "integer"),
        ({"type": ["string", "null"]}, "string"),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, "integer"),  # FastAPI's Optional[int]
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, None),
        ({"oneOf": [{"$ref": "#/components/schemas/Color"}]}, "string"),
        ({"$ref": "#/components/schemas/Color"}, "string"),
        ({"anyOf": [{"type": "integer"}, {}]}, None),
        ({}, None),
    ],
)
def test_parameter_type(schema: dict[str, object], expected: str | None) -> None:
    doc = {
        "openapi": "3.1.0",
        "paths": {"/a": {"get": {"parameters": [{"name": "p", "in": "query", "schema": schema}]}}},
        "components": {"schemas": {"Color": {"type": "string", "enum": ["red"]}}},
    }
    assert spec_from_dict(doc, "inline").operations[0].parameters == (
        Parameter("p", "query", False, expected),
    )


def test_template_key_ignores_parameter_names() -> None:
    assert template_key("/users/{id}/posts/{post_id}") == template_key(
        "/users/{user_id}/posts/{pid}"
    )
    assert template_key("/users/{id}") != template_key("/users/{id}/")


def test_server_url_without_path_and_2_0_without_base_path() -> None:
    spec30 = spec_from_dict(
        {
            "openapi": "3.0.0",
            "servers": [{"url": "https://api.example.com"}],
            "paths": {"/a": {"get": {}}},
        },
        "inline",
    )
    spec20 = spec_from_dict(
        {"swagger": "2.0", "basePath": "/", "paths": {"/a": {"get": {}}}}, "inline"
    )
    assert [(s.prefix, s.operations[0].path, s.operations[0].line) for s in (spec30, spec20)] == [
        ("", "/a", 1),
        ("", "/a", 1),
    ]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "bad.json",
            '{"openapi": "3.0.0",\n "paths": {,}}',
            "bad.json:2: invalid JSON (Expecting property name "
            "enclosed in double quotes, column 12)",
        ),
        ("bad.yaml", "openapi: 3.0.0\npaths:\n  /a: [unclosed\n", "bad.yaml:4: invalid YAML ("),
        (
            "list.yaml",
            "- a\n- b\n",
            "list.yaml is not an OpenAPI document: the top level must be a mapping",
        ),
        (
            "nover.yaml",
            "paths: {}\n",
            "nover.yaml: no `openapi` or `swagger` version key; is this an OpenAPI document?",
        ),
        (
            "v4.yaml",
            "openapi: 4.0.0\n",
            "v4.yaml: unsupported `openapi: 4.0.0`; expected openapi 3.0.x or "
            "3.1.x, or swagger 2.0",
        ),
        (
            "v12.json",
            '{"swagger": "1.2"}',
            "v12.json: unsupported `swagger: 1.2`; expected openapi 3.0.x or 3.1.x, or swagger 2.0",
        ),
        ("v3.yaml", "openapi: 3\n", "v3.yaml: unsupported `openapi: 3`; expected"),
        (
            "ref.json",
            '{"openapi": "3.1.0", "paths": {"/a": {"get": {"responses": {"200": {"$ref": '
            '"#/components/responses/Nope"}}}}}}',
            "ref.json: $ref '#/components/responses/Nope' at "
            "paths./a.get.responses.200 does not resolve; fix the reference",
        ),
        (
            "ext.yaml",
            "openapi: 3.0.0\npaths:\n  /a:\n    $ref: 'paths.yaml#/a'\n",
            "ext.yaml: external $ref "
            "'paths.yaml#/a' at paths./a is not supported; bundle the spec into one file first",
        ),
        (
            "cycle.json",
            '{"openapi": "3.0.0", "paths": {"/a": {"get": {"parameters": [{"$ref": "#/x"}]}}}, '
            '"x": {"$ref": "#/y"}, "y": {"$ref": "#/x"}}',
            "cycle.json: $ref cycle #/x -> #/y -> #/x at paths./a.get.parameters[0]",
        ),
        (
            "slash.yaml",
            "openapi: 3.0.0\npaths:\n  users: {}\n",
            "slash.yaml: path key 'users' must start with '/'",
        ),
        (
            "param.yaml",
            "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      parameters: [{in: query}]\n",
            "param.yaml: paths./a.get.parameters[0] needs `name` and `in`",
        ),
    ],
)
def test_malformed_spec_is_one_line_error(
    tmp_path: Path, filename: str, content: str, message: str
) -> None:
    path = tmp_path / filename
    path.write_text(content)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.replace(str(tmp_path) + "/", "").startswith(message), text


def test_missing_and_unreadable_spec(tmp_path: Path) -> None:
    with pytest.raises(
        SpecError, match=r"spec file .*absent\.json does not exist; fix --apiposture-spec"
    ):
        load_spec(tmp_path / "absent.json")
    with pytest.raises(SpecError, match=r"cannot read spec file .*: Is a directory"):
        load_spec(tmp_path)


def test_write_snapshot_sorted_stable_and_reloadable(tmp_path: Path) -> None:
    schema = {
        "paths": {"/b": {"get": {"responses": {}}}, "/a": {"get": {"responses": {}}}},
        "openapi": "3.1.0",
        "info": {"version": "1", "title": "ü"},
    }
    target = tmp_path / "nested" / "openapi.json"
    write_snapshot(target, schema)
    text = target.read_text(encoding="utf-8")
    assert text == (
        '{\n  "info": {\n    "title": "ü",\n    "version": "1"\n  },\n  "openapi": "3.1.0",\n  "paths": {\n'
        '    "/a": {\n      "get": {\n        "responses": {}\n      }\n    },\n'
        '    "/b": {\n      "get": {\n        "responses": {}\n      }\n    }\n  }\n}\n'
    )
    write_snapshot(target, json.loads(text))
    assert target.read_text(encoding="utf-8") == text  # idempotent: a second update is a no-op diff
    assert [(o.method, o.path, o.line) for o in load_spec(target).operations] == [
        ("GET", "/a", 8),
        ("GET", "/b", 13),
    ]
    as_yaml = tmp_path / "openapi.yaml"
    write_snapshot(as_yaml, schema)
    assert as_yaml.read_text().startswith(
        "info:\n  title: ü\n  version: '1'\nopenapi: 3.1.0\npaths:\n  /a:\n"
    )
    assert [o.path for o in load_spec(as_yaml).operations] == ["/a", "/b"]
    assert sorted(p.name for p in tmp_path.rglob("*.tmp")) == []


def test_write_snapshot_error_is_spec_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SpecError, match=r"^cannot write spec snapshot .*file/openapi.json"):
        write_snapshot(blocker / "openapi.json", {"openapi": "3.1.0"})
