"""Demo query strings are validated like API input: good values kept as text, bad ones named and dropped."""
from __future__ import annotations

import pytest

from app.web.demo_params import DEMO_PARAMS, clean_demo_params


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


def test_a_demo_without_a_schema_passes_its_parameters_through():
    assert "no-such-demo" not in DEMO_PARAMS
    assert clean_demo_params("no-such-demo", {"alpha": "0.5"}) == ({"alpha": "0.5"}, [])


def test_the_live_run_form_is_checked_like_the_runs_api():
    query = {"alpha": "0.25", "T": "8", "student_hidden": "16", "steps": "300", "seed": "7", "omit_class": "3",
             "preset": "missing3"}
    assert clean_demo_params("live-run", query) == (query, [])
    clean, notices = clean_demo_params("live-run", {"student_hidden": "7", "steps": "300.5", "omit_class": "12", "T": "0.1"})
    assert clean == {}
    assert [n.split()[1].split("=")[0] for n in notices] == ["student_hidden", "steps", "omit_class", "T"]


def test_a_presenters_sequence_is_cleaned_step_by_step():
    from starlette.datastructures import QueryParams

    from app.web.demo_sequence import MAX_STEPS, clean_sequence

    query = QueryParams([("T", "3"), ("seq", "T=1&caption=Sharp:  the  teacher"), ("seq", "T=99&caption=Too hot"),
                         ("seq", "preset=digit&T=4&caption=" + "x" * 200), ("seq", "zzz=1")])
    steps, notices = clean_sequence("temperature", query)
    assert steps[0] == {"params": {"T": "1"}, "caption": "Sharp: the teacher"}
    assert steps[1] == {"params": {}, "caption": "Too hot"}
    assert steps[2]["params"] == {"preset": "digit", "T": "4"} and len(steps[2]["caption"]) == 160
    assert steps[3] == {"params": {}, "caption": ""}
    assert notices[0].startswith("Step 2: Ignored T='99'") and "cut to 160" in notices[1] and "Step 4" in notices[2]
    many, notices = clean_sequence("temperature", QueryParams([("seq", f"T={i + 1}") for i in range(MAX_STEPS + 3)]))
    assert len(many) == MAX_STEPS and f"at most {MAX_STEPS}" in notices[0]
    crowded, notices = clean_sequence("temperature", QueryParams([("seq", "&".join(f"T={i}" for i in range(40)))]))
    assert crowded == [] and "more than 16 settings" in notices[0]
