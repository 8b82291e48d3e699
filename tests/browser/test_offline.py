"""A lesson opened once stays readable when the network is gone."""
from __future__ import annotations

from playwright.sync_api import expect


def test_a_visited_lesson_reloads_offline(browser, base_url):
    context = browser.new_context(base_url=base_url, service_workers="allow")
    try:
        page = context.new_page()
        page.goto("/lessons/kd-loss")
        page.evaluate("() => navigator.serviceWorker.ready")
        page.reload()  # now controlled by the worker, which caches the page and its assets
        page.locator("[data-widget=temperature]").scroll_into_view_if_needed()   # Plotly loads when a chart is near
        expect(page.locator("[data-widget=temperature] .main-svg").first).to_be_visible()
        context.set_offline(True)
        page.reload()
        expect(page.locator("h1")).to_have_text("Knowledge distillation II: the KD loss")
        expect(page.locator(".quiz-question")).to_have_count(7)
        # The explorer says plainly that it needs the server rather than showing stale numbers.
        expect(page.locator("[data-widget=temperature] [data-role=error]")).to_contain_text("Could not reach the server")
        page.goto("/glossary")
        expect(page.locator("h1")).to_have_text("You are offline")
    finally:
        context.close()
