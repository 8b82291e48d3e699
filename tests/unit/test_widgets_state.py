"""A widget's state against its description (app/widgets): demo query strings are validated like API
input (good values kept as text, bad ones named and dropped); a class session's JSON state is strict."""
from __future__ import annotations

import pytest

from app.widgets import WIDGETS, StateError, clean_query, validate_state


def clean_demo_params(widget, query):
    return clean_query(WIDGETS[widget], query)


def test_good_values_are_kept_in_the_widgets_format():
    clean, notices = clean_demo_params("temperature", {"T": "3.30", "logits": "4.6, 0", "preset": "peaky"})
    assert clean == {"T": "3.3", "logits": "4.6,0", "preset": "peaky"} and notices == []


@pytest.mark.parametrize("widget,key,value,why", [
    ("temperature", "T", "abc", "not a number"),
    ("temperature", "T", "0", "between 0.1 and 20"),
    ("temperature", "T", "nan", "between"),
    ("temperature", "T", "inf", "between"),
    ("temperature", "logits", "", "1 to 64"),
    ("temperature", "logits", "1,x", "comma-separated numbers"),
    ("temperature", "logits", "1,1e9", "between"),
    ("temperature", "preset", "<script>", "one of"),
    ("alpha", "alpha", "1.5", "between 0 and 1"),
    ("alpha", "label", "1.5", "whole number"),
    ("t-squared", "T", "51", "between 0.5 and 50"),
    ("reduction", "seq_len", "49", "between 1 and 48"),
    ("kl-direction", "left_weight", "1", "between 0.05 and 0.95"),
])
def test_a_bad_value_is_dropped_with_a_reason(widget, key, value, why):
    clean, notices = clean_demo_params(widget, {key: value})
    assert key not in clean
    assert len(notices) == 1 and why in notices[0] and key in notices[0]


def test_unknown_settings_are_named():
    clean, notices = clean_demo_params("alpha", {"beta": "1"})
    assert clean == {} and "beta" in notices[0] and "alpha" in notices[0]


def test_values_that_disagree_with_each_other_are_dropped():
    clean, notices = clean_demo_params("alpha", {"student": "1,2,3", "teacher": "1,2", "label": "4"})
    assert clean == {"student": "1,2,3"}
    assert any("teacher" in n for n in notices) and any("label=4" in n for n in notices)
    clean, notices = clean_demo_params("reduction", {"seq_len": "4", "prompt_len": "5"})
    assert clean == {"seq_len": "4"} and "prompt_len" in notices[0]


def test_a_label_outside_the_presets_classes_is_dropped():
    assert clean_demo_params("alpha", {"label": "4"}) == ({"label": "4"}, [])
    clean, notices = clean_demo_params("alpha", {"label": "5"})
    assert clean == {} and "only 5 classes" in notices[0]


def test_the_live_run_form_is_described_like_the_explorers():
    clean, notices = clean_demo_params("live-run", {"alpha": "0.5", "T": "4", "student_hidden": "16", "steps": "300",
                                                    "seed": "7", "omit_class": "3", "preset": "missing3"})
    assert clean == {"alpha": "0.5", "T": "4", "student_hidden": "16", "steps": "300", "seed": "7",
                     "omit_class": "3", "preset": "missing3"} and notices == []
    clean, notices = clean_demo_params("live-run", {"student_hidden": "12", "steps": "5001", "omit_class": "10"})
    assert clean == {} and len(notices) == 3


def test_a_json_state_is_checked_strictly_and_keeps_full_precision():
    spec = WIDGETS["temperature"]
    assert validate_state(spec, {"T": 3.3123456789, "logits": [4.595, 0], "preset": "peaky"}) == \
        {"T": 3.3123456789, "logits": [4.595, 0.0], "preset": "peaky"}
    assert validate_state(WIDGETS["live-run"], {"student_hidden": 32, "omit_class": None}) == {"student_hidden": "32"}


@pytest.mark.parametrize("widget,state,named", [
    ("temperature", {"T": "3"}, "T"),                 # JSON numbers only, not text
    ("temperature", {"T": True}, "T"),
    ("temperature", {"T": 25}, "T"),
    ("temperature", {"logits": [1, "x"]}, "logits"),
    ("temperature", {"logits": list(range(65))}, "logits"),
    ("temperature", {"colour": "red"}, "colour"),
    ("alpha", {"student": [1, 2, 3], "teacher": [1, 2]}, "teacher"),
    ("alpha", {"label": 5}, "label"),
    ("reduction", {"seq_len": 4, "prompt_len": 5}, "prompt_len"),
    ("reduction", {"seq_len": 4.5}, "seq_len"),
])
def test_a_bad_json_state_is_refused_naming_the_parameter(widget, state, named):
    with pytest.raises(StateError) as refused:
        validate_state(WIDGETS[widget], state)
    assert [key for key, _ in refused.value.problems] == [named]
    assert str(refused.value).startswith(named)


def test_a_state_that_is_not_an_object_is_refused():
    with pytest.raises(StateError, match="object"):
        validate_state(WIDGETS["alpha"], [1, 2])
