"""axe-core (the copy bundled with axe-playwright-python, injected from disk) on every page and in the
states a learner reaches (dialogs open, a glossary card shown, API operations expanded): no violation of
any impact. And a visible focus ring on every control a keyboard reaches."""
from __future__ import annotations

import json
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect

from tests.browser.progress_helpers import KEY, answer, progress, put_storage

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
PAGES = ["/", "/lessons/kd-teacher-capture", "/lessons/kd-loss", "/lessons/kd-quality-kept", "/glossary", "/offline",
         "/demo/temperature", "/demo/alpha", "/demo/t-squared", "/demo/reduction", "/demo/kl-direction",
         "/demo/live-run", "/demo/alpha?alpha=7&zzz=1", "/no-such-page", "/docs"]


def violations(page) -> list[str]:
    page.evaluate(AXE_JS)
    return page.evaluate("""async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
        .map(v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)""")


def settle(page, path: str) -> None:
    """Judge the page as people see it: explorers drawn, no widget busy (4.4 trains on first load)."""
    if path == "/docs":
        expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
        return
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


@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations_of_any_impact(page, path, allow_console_errors):
    page.goto(path)
    settle(page, path)
    assert violations(page) == []


def test_no_axe_violations_in_the_overview_with_progress_and_its_dialogs(page, tmp_path):
    blob = progress({"kd-loss": {"kl-direction": answer([0], True)}})
    blob["last"] = {"slug": "kd-loss", "section": "in-code", "at": 1_764_489_600_000}
    blob["lessons"]["kd-loss"]["read"] = {"section": "in-code", "at": 1_764_489_600_000}
    put_storage(page, {KEY: json.dumps(blob), "brewslm-learn:backup:1": json.dumps({"at": 1, "reason": "r", "text": "{}"})})
    page.goto("/")
    page.locator("[data-role=backups] summary").click()
    assert violations(page) == []
    page.get_by_role("button", name="Reset all progress…").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert violations(page) == []
    page.keyboard.press("Escape")
    file = tmp_path / "p.json"
    file.write_text(json.dumps(progress({"kd-loss": {"t-for-70-30": answer(3.31, True)}}, seed="fedcba9876543210")))
    page.set_input_files("#import-progress", str(file))
    expect(page.get_by_role("dialog", name="Load progress from a file")).to_be_visible()
    assert violations(page) == []


def test_no_axe_violations_with_a_glossary_card_shown(page):
    page.goto("/lessons/kd-loss")
    page.locator(".lesson-body a.term").first.focus()
    expect(page.locator(".term-card")).to_be_visible()
    assert violations(page) == []


def test_no_axe_violations_in_the_api_docs_while_trying_an_operation(page):
    page.goto("/docs")
    operation = page.locator(".opblock", has_text="/api/kd/soften")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table")).to_contain_text("200")
    page.locator(".opblock", has_text="/api/runs/{run_id}/events").locator(".opblock-summary-control").click()
    assert violations(page) == []


def test_axe_really_reports_a_violation(page):
    # Guard against a check that cannot fail: an unlabeled input must be reported.
    page.goto("/glossary")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert any("label" in v for v in violations(page))


UNRINGED = """() => {
    const controls = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
      .filter(el => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0
                    && getComputedStyle(el).visibility !== 'hidden');
    const missing = [];
    for (const el of controls) {
      el.focus();
      if (document.activeElement !== el) continue;
      const s = getComputedStyle(el);
      const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
      if (!ring) missing.push(el.outerHTML.slice(0, 100));
    }
    return { checked: controls.length, missing };
}"""


@pytest.mark.parametrize("path", ["/", "/lessons/kd-loss", "/glossary", "/demo/alpha", "/offline"])
def test_every_control_shows_a_focus_ring(page, path):
    page.goto(path)
    settle(page, path)
    page.keyboard.press("Tab")            # keyboard use: programmatic focus is then :focus-visible too
    result = page.evaluate(UNRINGED)
    assert result["checked"] > 5 and result["missing"] == []


def test_import_progress_has_a_focus_ring_from_the_keyboard(page):
    page.goto("/")
    page.get_by_role("button", name="Export progress").focus()
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Import progress…")
    expect(button).to_be_focused()
    style = button.evaluate("el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }")
    assert style[0] == "solid" and float(style[1].removesuffix("px")) >= 3
