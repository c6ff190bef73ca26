"""App loading: the target grammar, clear errors, discovery."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from pytest_apiposture.loading import LoadError, discover, load_app, parse_target


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # unique package names per test: sys.modules caches across tests
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("ldfx_")]:
        del sys.modules[name]


def test_parse_target_forms() -> None:
    assert str(parse_target("pkg.main:app")) == "pkg.main:app"
    assert parse_target("pkg.main:obj.app").attr == ("obj", "app")
    target = parse_target("pkg.app:create_app('test', debug=False, n=[1, 2])")
    assert target.call == (("test",), {"debug": False, "n": [1, 2]})
    assert str(target) == "pkg.app:create_app('test', debug=False, n=[1, 2])"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pkg.main", "must look like 'pkg.module:app'"),
        ("pkg main:app", "is not a dotted module name"),
        ("pkg:create_app(__import__('os').system('true'))", "factory arguments must be literals"),
        ("pkg:create_app(*args)", "factory arguments must be literals"),
        ("pkg:app[0]", "is not an attribute name or a call of one"),
        ("pkg:(", "cannot parse"),
    ],
)
def test_parse_target_rejects(text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_target(text)


def test_load_instance_and_factory(project: Path) -> None:
    write(
        project,
        {
            "ldfx_a/__init__.py": "",
            "ldfx_a/main.py": """
            from flask import Flask
            app = Flask(__name__)
            def create_app(name='x', debug=True):
                made = Flask(name)
                made.config['FLAG'] = debug
                return made
        """,
        },
    )
    assert load_app("ldfx_a.main:app", project).app.name == "ldfx_a.main"
    made = load_app("ldfx_a.main:create_app('made', debug=False)", project)
    assert (made.app.name, made.app.config["FLAG"]) == ("made", False)
    assert load_app("ldfx_a.main:create_app", project).app.name == "x"  # bare factory is called
    assert made.module_file == str(project / "ldfx_a" / "main.py")


@pytest.mark.parametrize(
    ("files", "target", "message"),
    [
        ({}, "ldfx_nope.main:app", "cannot import 'ldfx_nope.main': no module named 'ldfx_nope'"),
        (
            {"ldfx_b.py": "import ldfx_missing_dep\n"},
            "ldfx_b:app",
            "importing 'ldfx_b' failed: ModuleNotFoundError: No module named 'ldfx_missing_dep'",
        ),
        (
            {"ldfx_c.py": "raise RuntimeError('no DATABASE_URL')\n"},
            "ldfx_c:app",
            "importing 'ldfx_c' raised RuntimeError: no DATABASE_URL (at ",
        ),
        (
            {"ldfx_d.py": "app = 1\n"},
            "ldfx_d:application",
            "module 'ldfx_d' has no attribute 'application'",
        ),
        (
            {"ldfx_e.py": "def create_app(cfg):\n    raise ValueError('bad cfg ' + cfg)\n"},
            "ldfx_e:create_app('x')",
            "the app factory in \"ldfx_e:create_app('x')\" raised ValueError: bad cfg x",
        ),
    ],
)
def test_load_errors_are_one_line(
    project: Path, files: dict[str, str], target: str, message: str
) -> None:
    write(project, files)
    with pytest.raises(LoadError) as excinfo:
        load_app(target, project)
    text = str(excinfo.value)
    assert message in text
    assert "\n" not in text and "Traceback" not in text


def test_discover_single_app(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/api.py": "from fastapi import FastAPI\napi = FastAPI()\n",
            "tests/test_x.py": "from fastapi import FastAPI\nother = FastAPI()\n",  # tests are skipped
            ".venv/lib/site.py": "from flask import Flask\napp = Flask('x')\n",
            "broken.py": "def (:\n",  # unparsable files are skipped, not fatal
        },
    )
    assert discover(tmp_path) == "svc.api:api"


def test_discover_prefers_instances_over_factories(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "notes/__init__.py": "from .factory import create_app\napp = create_app()\n",
            "notes/factory.py": "from flask import Flask\ndef create_app():\n    return Flask('notes')\n",
        },
    )
    assert discover(tmp_path) == "notes:app"


def test_discover_several_says_how_to_pick(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "one.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "two.py": "from flask import Flask\napp = Flask(__name__)\n",
        },
    )
    with pytest.raises(
        LoadError,
        match=r"found several apps: one:app, two:app; pick one \(app = \.\.\. in \[tool\.apiposture\], --apiposture-app with pytest, --app with the apiposture command\)",
    ):
        discover(tmp_path)


def test_discover_none(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no FastAPI/Starlette/Flask app found"):
        discover(tmp_path)
