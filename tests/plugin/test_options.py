"""Option precedence: command line > ini > pyproject.toml, including turning a flag off."""

from __future__ import annotations

import pytest

from pytest_apiposture.plugin import settings_key


@pytest.fixture
def configured(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyprojecttoml(
        "[tool.apiposture]\napp = 'main:app'\nstatic_only = true\n\n"
        "[tool.pytest.ini_options]\napiposture_preview = true\n"
    )
    return pytester


def test_the_config_files_turn_flags_on(configured: pytest.Pytester) -> None:
    settings = configured.parseconfigure("--apiposture").stash[settings_key]
    assert (settings.static_only, settings.include_preview, settings.audit) == (True, True, True)


def test_no_flags_turn_off_what_the_config_files_turned_on(configured: pytest.Pytester) -> None:
    config = configured.parseconfigure(
        "--apiposture",
        "--apiposture-no-static-only",
        "--apiposture-no-preview",
        "--apiposture-no-audit",
    )
    settings = config.stash[settings_key]
    assert (settings.static_only, settings.include_preview, settings.audit) == (False, False, False)


def test_the_last_of_a_flag_and_its_no_form_wins(configured: pytest.Pytester) -> None:
    config = configured.parseconfigure(
        "--apiposture", "--apiposture-no-static-only", "--apiposture-static-only"
    )
    assert config.stash[settings_key].static_only is True
