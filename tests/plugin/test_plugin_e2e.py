"""The plugin end to end, in a subprocess per run (a fresh import of the app each time)."""

from __future__ import annotations

import json
import textwrap

import pytest
from e2e_helpers import SHOP, failed_ids, write_project

STATIC = ("--apiposture", "--apiposture-static-only", "-p", "no:cacheprovider", "-rf")


def test_disabled_plugin_collects_nothing(shop: pytest.Pytester) -> None:
    shop.makepyfile(test_plain="def test_ok():\n    assert True\n")
    result = shop.runpytest_subprocess("-q")
    result.assert_outcomes(passed=1)
    assert "apiposture" not in result.stdout.str()


def test_missing_auth_fails_exactly_the_open_write(shop: pytest.Pytester) -> None:
    result = shop.runpytest_subprocess(*STATIC, "-m", "apiposture", "-k", "APS201 or status")
    assert failed_ids(result) == {"e2e_shop/main.py::POST /items"}
    result.stdout.fnmatch_lines(
        [
            "apiposture: app=e2e_shop.main:app framework=fastapi routes=* rules=* mode=static",
        ]
    )
    # what, where (file:line of the handler) and how to fix, without a traceback
    out = result.stdout.str()
    line = (
        textwrap.dedent(SHOP["e2e_shop/main.py"])
        .splitlines()
        .index("def create_item(item: ItemIn) -> dict[str, str]:")
        + 1
    )
    assert f"handled by e2e_shop.main:create_item at e2e_shop/main.py:{line}" in out
    assert "fix:" in out
    assert "Traceback" not in out


def test_node_id_selection_runs_one_item(shop: pytest.Pytester) -> None:
    result = shop.runpytest_subprocess(*STATIC, "e2e_shop/main.py::POST /items")
    result.assert_outcomes(failed=1)
    assert failed_ids(result) == {"e2e_shop/main.py::POST /items"}


def test_last_failed_reruns_only_failures(shop: pytest.Pytester) -> None:
    args = ("--apiposture", "--apiposture-static-only", "-rf", "-k", "APS201")
    first = shop.runpytest_subprocess(*args)
    again = shop.runpytest_subprocess(*args, "--lf")
    assert failed_ids(again) == failed_ids(first) == {"e2e_shop/main.py::POST /items"}
    again.assert_outcomes(failed=1, deselected=again.parseoutcomes().get("deselected", 0))
    assert again.parseoutcomes().get("passed", 0) == 0


def test_xdist_gives_the_same_results(shop: pytest.Pytester) -> None:
    serial = shop.runpytest_subprocess(*STATIC)
    parallel = shop.runpytest_subprocess(*STATIC, "-n", "2")
    assert failed_ids(parallel) == failed_ids(serial)
    assert parallel.parseoutcomes()["passed"] == serial.parseoutcomes()["passed"]


@pytest.mark.parametrize(
    ("target", "files", "message"),
    [
        ("nope.main:app", {}, "cannot import 'nope.main': no module named 'nope'"),
        (
            "e2e_bad1:app",
            {"e2e_bad1.py": "app = 42\n"},
            "builtins.int is not a FastAPI, Starlette or Flask application",
        ),
        (
            "e2e_bad2:create_app('x')",
            {"e2e_bad2.py": "def create_app(name):\n    raise KeyError(name)\n"},
            "the app factory in \"e2e_bad2:create_app('x')\" raised KeyError: 'x'",
        ),
        (
            "e2e_bad3:app",
            {"e2e_bad3.py": "import os\napp = os.environ['E2E_NOT_SET']\n"},
            "importing 'e2e_bad3' raised KeyError: 'E2E_NOT_SET'",
        ),
    ],
)
def test_bad_app_is_a_failing_status_item(
    pytester: pytest.Pytester, target: str, files: dict[str, str], message: str
) -> None:
    write_project(pytester, files)
    result = pytester.runpytest_subprocess(*STATIC, f"--apiposture-app={target}")
    assert result.ret == 1
    # anchored at the app's module when it was imported, else at the config file
    assert {node.split("::", 1)[1] for node in failed_ids(result)} == {"apiposture-status"}
    out = result.stdout.str()
    assert message in out
    assert "Traceback" not in out
    assert "apiposture-status" in out


def test_bad_option_is_a_usage_error(shop: pytest.Pytester) -> None:
    result = shop.runpytest_subprocess("--apiposture", "--apiposture-identity=alice")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*identity 'alice' must look like NAME=*"])


def test_json_report_lists_endpoints_and_findings(shop: pytest.Pytester) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    shop.runpytest_subprocess(*STATIC, "--apiposture-json=out/report.json")
    report = json.loads((shop.path / "out" / "report.json").read_text())
    schema = json.loads(files("pytest_apiposture").joinpath("data/report.schema.json").read_text())
    jsonschema.validate(report, schema)
    endpoints = {(e["method"], e["path"]): e for e in report["endpoints"]}
    assert endpoints["GET", "/orders"]["auth"] == "authenticated"
    assert endpoints["GET", "/orders"]["guards"] == ["e2e_shop.deps.get_current_user"]
    assert endpoints["POST", "/items"]["auth"] == "none"
    assert endpoints["GET", "/health"]["auth"] == "public"
    assert ("APS201", "POST", "/items") in {
        (f["code"], f["method"], f["path"]) for f in report["findings"]
    }


@pytest.mark.parametrize(
    ("files", "where"),
    [
        (
            {"e2e_env.py": "import os\n\napp = os.environ['E2E_NOT_SET']\n"},
            "(at e2e_env.py:3 in <module>)",
        ),
        ({"e2e_env.py": "x = 1\napp = (\n"}, "(at e2e_env.py:2)"),
    ],
    ids=["raised-in-frozen-os", "syntax-error"],
)
def test_an_import_error_points_at_the_users_file_and_names_the_status_after_it(
    pytester: pytest.Pytester, files: dict[str, str], where: str
) -> None:
    write_project(pytester, files)
    result = pytester.runpytest_subprocess(*STATIC, "--apiposture-app=e2e_env:app")
    assert failed_ids(result) == {"e2e_env.py::apiposture-status"}
    assert where in result.stdout.str()
    assert "<frozen" not in result.stdout.str()


def test_without_a_config_file_the_status_is_not_named_after_one(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*STATIC, "--apiposture-app=nope.main:app")
    assert failed_ids(result) == {"apiposture::apiposture-status"}
    assert "pyproject.toml" not in result.stdout.str()
