"""The demo pages over HTTP: every one renders, a bad query value never breaks a page."""
from __future__ import annotations

import html
import json
import re

import pytest

DEMOS = ["temperature", "alpha", "t-squared", "reduction", "kl-direction"]


def widget_params(page: str) -> dict:
    match = re.search(r"data-params='([^']*)'", page)
    assert match, "the widget carries its parameters"
    return json.loads(html.unescape(match.group(1)))


@pytest.mark.parametrize("widget", DEMOS)
def test_each_demo_renders_in_presenter_mode(client, widget):
    r = client.get(f"/demo/{widget}")
    assert r.status_code == 200
    assert 'class="demo-mode"' in r.text and f'data-widget="{widget}"' in r.text
    assert "Copy link" in r.text and 'data-role="keys-dialog"' in r.text
    assert "Open in demo mode" not in r.text


def test_valid_query_values_reach_the_widget(client):
    page = client.get("/demo/temperature", params={"T": "3.3", "logits": "4.6,0"}).text
    assert widget_params(page) == {"T": "3.3", "logits": "4.6,0"}
    assert 'data-role="param-notices"' not in page


@pytest.mark.parametrize("query", ["T=abc", "T=1e999", "alpha=-1", "student=1,2&teacher=1,2,3", "label=99",
                                   "preset=%3Cscript%3Ealert(1)%3C/script%3E", "zzz=1"])
def test_bad_query_values_fall_back_with_a_visible_notice(client, query):
    r = client.get(f"/demo/alpha?{query}")
    assert r.status_code == 200
    assert 'data-role="param-notices"' in r.text and "Ignored" in r.text
    assert "<script>alert" not in r.text
    params = widget_params(r.text)
    assert all(value in {"1,2"} for value in params.values())   # only the good half of a bad pair survives


def test_unknown_demo_is_a_friendly_404(client):
    r = client.get("/demo/nope")
    assert r.status_code == 404 and "There is no demo" in r.text
