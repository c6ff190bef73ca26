"""Write (or check) the committed ``openapi.json`` of the four sample apps.

    python sample_apps/make_specs.py          # rewrite all four
    python sample_apps/make_specs.py --check  # exit 1 if a committed spec differs

- fastapi_hardened: exactly ``app.openapi()`` (json, indent 2, sort_keys, newline). The
  generated schema depends on the FastAPI version: rerun after an upgrade.
- fastapi_vulnerable: ``app.openapi()`` made stale by the edits in ``stale_shop_spec``
  (each one is listed in fastapi_vulnerable/EXPECTED.md).
- flask_*: Flask generates no schema; ``notes_spec`` is the hand-maintained OpenAPI 3.0
  description, accurate for safenotes and made stale for vulnnotes by ``stale_notes_spec``.
"""

import copy
import json
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
JSON = dict[str, Any]
BEARER: list[JSON] = [{"bearerAuth": []}]
PUBLIC: list[JSON] = []


def dumps(spec: JSON) -> str:
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def generated_schema(app_dir: str, package: str) -> JSON:
    sys.path.insert(0, str(HERE / app_dir))
    schema: JSON = import_module(f"{package}.main").app.openapi()
    return copy.deepcopy(schema)


def stale_shop_spec(spec: JSON) -> JSON:
    paths = spec["paths"]
    # APS903 zombie: orders used to be deletable; the code now has POST /orders/{order_id}/cancel.
    zombie = copy.deepcopy(paths["/orders/{order_id}"]["get"])
    zombie.update(operationId="delete_order_orders__order_id__delete", summary="Delete Order")
    zombie["responses"] = {"204": {"description": "Successful Response"}, "422": zombie["responses"]["422"]}
    paths["/orders/{order_id}"]["delete"] = zombie
    # APS902 undocumented: GET /users/me/permissions is newer than the spec.
    del paths["/users/me/permissions"]
    del spec["components"]["schemas"]["Permissions"]
    # APS904 parameter: the spec predates the offset query parameter of GET /products.
    listing = paths["/products"]["get"]
    listing["parameters"] = [p for p in listing["parameters"] if p["name"] != "offset"]
    # APS905 schema: the spec's UserOut never listed hashed_password.
    user_out = spec["components"]["schemas"]["UserOut"]
    del user_out["properties"]["hashed_password"]
    user_out["required"].remove("hashed_password")
    # APS906 security: the spec says creating a product needs a token; the code does not.
    paths["/products"]["post"]["security"] = [{"OAuth2PasswordBearer": []}]
    # APS907 deprecated: brands were to be folded into categories, yet the route is served.
    paths["/catalogue/brands"]["get"]["deprecated"] = True
    return spec


def ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def array_of(name: str) -> JSON:
    return {"type": "array", "items": ref(name)}


def body(name: str) -> JSON:
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


def ok(schema: JSON, status: str = "200", description: str = "OK") -> JSON:
    return {status: {"description": description, "content": {"application/json": {"schema": schema}}}}


def no_content() -> JSON:
    return {"204": {"description": "Deleted"}}


def errors(*codes: str) -> JSON:
    text = {"400": "Invalid input", "401": "Missing or invalid token", "403": "Not allowed",
            "404": "Not found"}
    return {code: {"description": text[code], "content": {"application/json": {"schema": ref("Error")}}}
            for code in codes}


def path_param(name: str, type_: str = "integer") -> JSON:
    return {"name": name, "in": "path", "required": True, "schema": {"type": type_}}


def op(operation_id: str, summary: str, tag: str, responses: JSON, *, security: list[JSON] | None = None,
       request: JSON | None = None, parameters: list[JSON] | None = None) -> JSON:
    operation: JSON = {"operationId": operation_id, "summary": summary, "tags": [tag], "responses": responses}
    if security is not None:
        operation["security"] = security
    if request:
        operation["requestBody"] = request
    if parameters:
        operation["parameters"] = parameters
    return operation


def obj(props: JSON, required: list[str] | None = None) -> JSON:
    needed = sorted(props) if required is None else required
    return {"type": "object", "properties": props} | ({"required": needed} if needed else {})


def notes_schemas() -> JSON:
    integer, string, boolean = {"type": "integer"}, {"type": "string"}, {"type": "boolean"}
    nullable_id = {"type": "integer", "nullable": True}
    note = {"id": integer, "title": string, "body": string, "pinned": boolean, "owner_id": integer,
            "project_id": nullable_id}
    return {
        "Credentials": obj({"username": string, "password": string}),
        "Token": obj({"access_token": string, "token_type": string}),
        # No password_hash: true of safenotes; vulnnotes returns it anyway (runtime drift).
        "User": obj({"id": integer, "username": string, "email": string, "is_admin": boolean}),
        "UserSummary": obj({"id": integer, "username": string, "is_admin": boolean}),
        "Note": obj(note),
        "NoteCreate": obj({"title": {"type": "string", "maxLength": 200}, "body": string,
                           "pinned": boolean, "project_id": nullable_id}, ["title"]),
        "NoteUpdate": obj({"title": {"type": "string", "maxLength": 200}, "body": string,
                           "pinned": boolean}, []),
        "Project": obj({"id": integer, "name": string, "owner_id": nullable_id}),
        "ProjectCreate": obj({"name": {"type": "string", "maxLength": 120}}),
        "ProjectDetail": {"allOf": [ref("Project"), obj({"notes": array_of("Note")})]},
        "Count": obj({"count": integer}),
        "Error": obj({"error": string}),
        "Health": obj({"status": string}),
    }


def notes_spec(title: str) -> JSON:
    note_id, project_id, user_id = path_param("note_id"), path_param("project_id"), path_param("user_id")
    paths = {
        "/health": {"get": op("health", "Liveness check", "ops", ok(ref("Health")), security=PUBLIC)},
        "/api/auth/token": {"post": op("api.login", "Exchange credentials for a token", "auth",
                                       ok(ref("Token")) | errors("401"), security=PUBLIC,
                                       request=body("Credentials"))},
        "/api/auth/refresh": {"post": op("api.refresh_token",
                                         "Exchange a (recently expired) token for a fresh one", "auth",
                                         ok(ref("Token")) | errors("401"), security=PUBLIC)},
        "/api/users/me": {"get": op("api.read_me", "The caller's account", "users",
                                    ok(ref("User")) | errors("401"))},
        "/api/notes": {
            "get": op("api.list_notes", "The caller's notes", "notes", ok(array_of("Note")) | errors("401")),
            "post": op("api.create_note", "Create a note", "notes",
                       ok(ref("Note"), "201", "Created") | errors("400", "401", "404"),
                       request=body("NoteCreate")),
        },
        "/api/notes/{note_id}": {
            "get": op("api.note.get", "Read one of the caller's notes", "notes",
                      ok(ref("Note")) | errors("401", "404"), parameters=[note_id]),
            "put": op("api.note.put", "Update one of the caller's notes", "notes",
                      ok(ref("Note")) | errors("401", "404"), parameters=[note_id],
                      request=body("NoteUpdate")),
            "delete": op("api.note.delete", "Delete one of the caller's notes", "notes",
                         no_content() | errors("401", "404"), parameters=[note_id]),
        },
        "/api/notes/count": {"get": op("api.count_notes", "How many notes the caller has", "notes",
                                       ok(ref("Count")) | errors("401"))},
        "/api/projects/count": {"get": op("api.count_projects", "How many projects the caller has",
                                          "projects", ok(ref("Count")) | errors("401"))},
        "/api/projects": {
            "get": op("api.list_projects", "The caller's projects", "projects",
                      ok(array_of("Project")) | errors("401")),
            "post": op("api.create_project", "Create a project", "projects",
                       ok(ref("Project"), "201", "Created") | errors("400", "401"),
                       request=body("ProjectCreate")),
        },
        "/api/projects/{project_id}": {"get": op(
            "api.read_project", "One of the caller's projects with its notes", "projects",
            ok(ref("ProjectDetail")) | errors("401", "404"), parameters=[project_id])},
        "/api/admin/users": {"get": op("api.admin.list_users", "All accounts (admin)", "admin",
                                       ok(array_of("UserSummary")) | errors("401", "403"))},
        "/api/admin/users/{user_id}": {"delete": op(
            "api.admin.delete_user", "Delete an account (admin)", "admin",
            no_content() | errors("401", "403", "404"), parameters=[user_id])},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "2.1.0"},
        "security": BEARER,
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": notes_schemas(),
        },
    }


def stale_notes_spec(spec: JSON) -> JSON:
    paths = spec["paths"]
    # APS903 zombie: full-text search was removed in 2.0 but is still documented.
    paths["/api/notes/search"] = {"get": op(
        "api.search_notes", "Search the caller's notes", "notes", ok(array_of("Note")) | errors("401"),
        parameters=[{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}])}
    # APS902 undocumented: the refresh endpoint was added after the spec was written.
    del paths["/api/auth/refresh"]
    # APS904 parameter: the spec still types project_id as a string; the route converts to int.
    paths["/api/projects/{project_id}"]["get"]["parameters"] = [path_param("project_id", "string")]
    # APS906 security: POST /api/projects inherits the global bearer requirement here, but the
    # code has no token_required on it; nothing to edit, the spec states the intent.
    # APS907 deprecated: the count endpoints were to be replaced by an X-Total-Count header.
    paths["/api/notes/count"]["get"]["deprecated"] = True
    return spec


def expected_specs() -> dict[str, str]:
    return {
        "fastapi_hardened": dumps(generated_schema("fastapi_hardened", "safeshop")),
        "fastapi_vulnerable": dumps(stale_shop_spec(generated_schema("fastapi_vulnerable", "vulnshop"))),
        "flask_hardened": dumps(notes_spec("SafeNotes")),
        "flask_vulnerable": dumps(stale_notes_spec(notes_spec("VulnNotes"))),
    }


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print("usage: make_specs.py [--check]")
        return 2
    stale = []
    for app_dir, text in expected_specs().items():
        target = HERE / app_dir / "openapi.json"
        if check:
            if not target.is_file() or target.read_text() != text:
                stale.append(app_dir)
        else:
            target.write_text(text)
    for app_dir in stale:
        print(f"{app_dir}/openapi.json differs from what make_specs.py writes; rerun it without --check")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
