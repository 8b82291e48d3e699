"""axe-core (the copy bundled with axe-playwright-python, injected from disk) on every lesson and demo page."""
from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
PAGES = ["/", "/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept", "/glossary",
         "/demo/temperature", "/demo/alpha", "/demo/t-squared", "/demo/reduction", "/demo/kl-direction",
         "/demo/live-run", "/demo/alpha?alpha=7&zzz=1"]


def serious_violations(page) -> list[str]:
    page.evaluate(AXE_JS)
    found = page.evaluate("""async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)""")
    return found


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_axe_violations(page, path):
    page.goto(path)
    # Judge the page as people see it: explorers drawn, no widget still busy (4.4 trains on first load).
    expect(page.locator("[aria-busy=true]")).to_have_count(0, timeout=90_000)
    # Charts draw after their first answer (each then carries data-drawn). One that stays empty (a widget
    # showing an error instead) is still judged as it is; the explorer tests check that charts draw.
    # Plotly loads when a chart comes near the viewport, so bring each near in turn, as a reader would.
    for chart in page.locator("[data-widget] .chart").all():
        chart.scroll_into_view_if_needed()
    try:
        expect(page.locator("[data-widget] .chart:not([data-drawn])")).to_have_count(0, timeout=15_000)
    except AssertionError:
        pass
    assert serious_violations(page) == []


def test_axe_really_reports_a_violation(page):
    # Guard against a check that cannot fail: an unlabeled input must be reported.
    page.goto("/glossary")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert any("label" in v for v in serious_violations(page))
