"""axe-core (the copy bundled with axe-playwright-python, injected from disk) on every lesson and demo page."""
from __future__ import annotations

import re
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
PAGES = ["/", "/lessons/kd-loss", "/glossary", "/demo/temperature", "/demo/alpha", "/demo/t-squared",
         "/demo/reduction", "/demo/kl-direction", "/demo/alpha?alpha=7&zzz=1"]


def serious_violations(page) -> list[str]:
    page.evaluate(AXE_JS)
    found = page.evaluate("""async () => (await axe.run(document)).violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)""")
    return found


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_axe_violations(page, path):
    page.goto(path)
    for chart in page.locator("[data-widget] [data-role$=chart]").all():   # judge the page as people see it
        expect(chart).to_have_attribute("data-drawn", re.compile(".+"))
    assert serious_violations(page) == []


def test_axe_really_reports_a_violation(page):
    # Guard against a check that cannot fail: an unlabeled input must be reported.
    page.goto("/glossary")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert any("label" in v for v in serious_violations(page))
