"""A presenter's saved sequence of views in a demo link (app/web/demo_sequence.py), cleaned step by step."""
from __future__ import annotations

from starlette.datastructures import QueryParams

from app.web.demo_sequence import MAX_STEPS, clean_sequence
from app.widgets import WIDGETS

TEMPERATURE = WIDGETS["temperature"]


def test_each_step_is_cleaned_like_the_link_and_keeps_its_caption():
    query = QueryParams([("T", "3"), ("seq", "T=1&caption=Sharp:  the  teacher"), ("seq", "T=99&caption=Too hot"),
                         ("seq", "preset=digit&T=4&caption=" + "x" * 200), ("seq", "zzz=1")])
    steps, notices = clean_sequence(TEMPERATURE, query)
    assert steps[0] == {"params": {"T": "1"}, "caption": "Sharp: the teacher"}
    assert steps[1] == {"params": {}, "caption": "Too hot"}
    assert steps[2]["params"] == {"preset": "digit", "T": "4"} and len(steps[2]["caption"]) == 160
    assert steps[3] == {"params": {}, "caption": ""}
    assert notices[0].startswith("Step 2: Ignored T='99'")
    assert "cut to 160" in notices[1] and notices[2].startswith("Step 4: Ignored “zzz”")


def test_a_sequence_is_bounded():
    many, notices = clean_sequence(TEMPERATURE, QueryParams([("seq", f"T={i + 1}") for i in range(MAX_STEPS + 3)]))
    assert len(many) == MAX_STEPS and f"at most {MAX_STEPS}" in notices[0]
    crowded, notices = clean_sequence(TEMPERATURE, QueryParams([("seq", "&".join(f"T={i}" for i in range(40)))]))
    assert crowded == [] and "more than 16 settings" in notices[0]


def test_the_live_labs_form_can_be_a_step():
    steps, notices = clean_sequence(WIDGETS["live-run"], QueryParams([("seq", "alpha=1&T=8&omit_class=3&caption=SFT")]))
    assert steps == [{"params": {"alpha": "1", "T": "8", "omit_class": "3"}, "caption": "SFT"}] and notices == []
