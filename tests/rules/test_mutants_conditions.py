"""Whether a refusal depends on a setting (``static.conditions.setting_condition``), one
decision at a time (issue 19): the setting named exactly, or "" when the ``if`` is no
switch (the route is then judged by its guard, not left to the probe as ``conditional``)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from pytest_apiposture.static.conditions import setting_condition


def _if(source: str) -> ast.If:
    node = ast.parse(textwrap.dedent(source)).body[0]
    assert isinstance(node, ast.If)
    return node


@pytest.mark.parametrize(
    ("source", "body_refuses", "setting"),
    [
        # a credential handed in under a setting lets the caller through
        ("if config.anon:\n    authorization = Guest\n", False, "config.anon"),
        ("if config.anon:\n    api_key = DEFAULT_KEY\n", False, "config.anon"),
        # an assignment of anything else lets no one through
        ("if config.anon:\n    color = 'red'\n", False, ""),
        # an early return right in the body does
        ("if config.anon:\n    return view()\n", False, "config.anon"),
        # a setting compared with a constant is a switch ...
        ("if settings.MODE == 'server':\n    abort(401)\n", True, "settings.MODE"),
        # ... compared with something the request sends, a credential check
        ("if settings.API_KEY != sent_key:\n    abort(401)\n", True, ""),
        # a setting read by key from a configuration mapping; not from any mapping
        ("if config['ANON_BROWSE']:\n    return view()\n", False, "ANON_BROWSE"),
        ("if flags['AUTH_OFF']:\n    return view()\n", False, ""),
        # a setting read through a configuration call, by its first argument
        ("if os.getenv('AUTH_DISABLED'):\n    return view()\n", False, "AUTH_DISABLED"),
        ("if lookup('AUTH_DISABLED'):\n    return view()\n", False, ""),
        # a configuration call with no argument names no setting (and does not fail)
        ("if settings.auth_disabled():\n    return view()\n", False, ""),
        # an ``or`` refuses more, not less; a test on the request is an exemption
        ("if config.strict or not token:\n    abort(401)\n", True, ""),
        ("if request.endpoint in config.PUBLIC:\n    return view()\n", False, ""),
        # a module constant named like a setting
        ("if LOGIN_REQUIRED and not user:\n    abort(401)\n", True, "LOGIN_REQUIRED"),
        ("if not user:\n    abort(401)\n", True, ""),
    ],
)
def test_the_setting_an_if_switches_on(source: str, body_refuses: bool, setting: str) -> None:
    assert setting_condition(_if(source), body_refuses) == setting
