"""Widget templates render from the registry, and a lesson's bad widget parameter stops start-up."""
from __future__ import annotations

import pytest

from app.content.render import DirectiveError
from app.settings import Settings
from app.web.templating import make_templates, widget_renderer


@pytest.fixture(scope="module")
def render():
    settings = Settings()
    return widget_renderer(make_templates(settings.templates_dir, settings.static_dir))


def test_a_lesson_parameter_outside_the_registrys_limits_is_an_error(render):
    with pytest.raises(DirectiveError, match=r"widget temperature: Ignored T='99'.*between 0.1 and 20"):
        render("temperature", {"T": "99"}, "temperature-1")
    with pytest.raises(DirectiveError, match="no such setting"):
        render("alpha", {"temprature": "2"}, "alpha-1")


def test_titles_and_presets_come_from_the_registry(render):
    html = render("alpha", {"preset": "hot"}, "alpha-1")
    assert '<h3 id="alpha-1-title">Alpha explorer</h3>' in html
    assert 'data-preset-choice="wrong-teacher">Teacher is wrong</button>' in html
    assert 'data-min-count="2" data-max-count="32" data-bound="10000"' in html
