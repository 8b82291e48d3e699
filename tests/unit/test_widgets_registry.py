"""The widget registry is the one description of each widget: every place that shows a widget reads it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.widgets import WIDGETS
from app.widgets.params import Number, Numbers

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_every_described_widget_has_a_template_and_a_script(name):
    assert (ROOT / "templates" / "_partials" / "widgets" / f"{name}.html").is_file()
    assert (ROOT / "static" / "js" / "widgets" / f"{name}.js").is_file()


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_demo_keys_move_sliders_that_exist(name):
    spec = WIDGETS[name]
    for key in spec.keys:
        param = spec.all_params.get(key.param)
        stepped_field = isinstance(param, Number) and param.step and not param.positions   # the live lab's boxes
        assert key.param in spec.sliders() or stepped_field, f"{name}: key {key.keys} moves {key.param}, which is not a slider"
    assert len({k.keys for k in spec.keys}) == len(spec.keys)


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_limits_are_sane(name):
    for key, param in WIDGETS[name].all_params.items():
        if isinstance(param, Number):
            assert param.low < param.high, key
            assert param.default is None or param.low <= param.default <= param.high, key
            assert param.scale == "linear" or param.low > 0, f"{key}: a log slider needs a positive lower limit"
        if isinstance(param, Numbers):
            assert 1 <= param.min_len <= param.max_len, key


JS_LIMIT = re.compile(r"\b(min|max)\s*:\s*-?\d")


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_the_scripts_keep_no_copy_of_the_limits(name):
    """Limits reach the JavaScript only through what the templates render from the registry."""
    script = (ROOT / "static" / "js" / "widgets" / f"{name}.js").read_text(encoding="utf-8")
    assert not JS_LIMIT.search(script), f"{name}.js sets a min/max of its own"
    assert "T_MIN" not in script and "T_MAX" not in script


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_the_scripts_presets_are_the_registrys(name):
    """An explorer's preset data (logits) lives in its script; their names and order are the registry's."""
    script = (ROOT / "static" / "js" / "widgets" / f"{name}.js").read_text(encoding="utf-8")
    match = re.search(r"const PRESETS = \{(.*?)\n\};", script, re.S)
    names = re.findall(r"^  \"?([a-z0-9-]+)\"?:", match.group(1), re.M) if match else []
    assert names == [n for n, _ in WIDGETS[name].presets]
