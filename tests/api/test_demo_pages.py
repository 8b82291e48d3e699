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


SLIDER = re.compile(r'<input id="[^"]+" type="range" min="0" max="(\d+)"[^>]*data-scale="(\w+)" data-decimals="(\d+)" '
                    r'data-param="([\w-]+)"[^>]*>\s*<input type="number" min="([^"]+)" max="([^"]+)" step="([^"]+)"')


@pytest.mark.parametrize("widget", DEMOS)
def test_every_slider_carries_the_registrys_limits(client, widget):
    """The explorers' scripts read their limits from the page; the page renders the registry's."""
    from app.widgets import WIDGETS

    spec = WIDGETS[widget]
    page = client.get(f"/demo/{widget}").text
    found = {m[3]: m for m in SLIDER.findall(page)}
    assert set(found) == set(spec.sliders())
    for key, (positions, scale, decimals, _, low, high, step) in found.items():
        p = spec.param(key)
        assert (int(positions), scale, float(low), float(high), float(step)) == (p.positions, p.scale, p.low, p.high, p.step)
        assert int(decimals) == (0 if p.integer else p.decimals)


def test_the_live_run_form_opens_with_the_links_settings(client):
    page = client.get("/demo/live-run?alpha=0.3&T=2.5&steps=300&seed=7&student_hidden=16&omit_class=3").text
    assert re.search(r'name="alpha"[^>]*min="0" max="1" step="0.05"\s+value="0.3"', page)
    assert re.search(r'name="temperature"[^>]*value="2.5"', page)
    assert re.search(r'name="steps"[^>]*min="10" max="5000"[^>]*value="300"', page)
    assert re.search(r'name="seed"[^>]*value="7"', page)
    assert '<option value="16" selected>' in page and '<option value="3" selected>digit 3' in page
    bad = client.get("/demo/live-run?steps=50000&student_hidden=12").text
    assert re.search(r'name="steps"[^>]*value="2000"', bad) and '<option value="32" selected>' in bad
    assert bad.count('class="notice notice-warning"') == 2


def test_the_key_list_names_each_demos_own_keys(client):
    alpha = client.get("/demo/alpha").text
    assert "Lower or raise the temperature T" in alpha and "Lower or raise the alpha" in alpha
    reduction = client.get("/demo/reduction").text
    assert "Lower or raise the sequence length" in reduction and "Pick a preset" not in reduction
