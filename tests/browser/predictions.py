"""Helpers for lesson pages whose widgets ask for a prediction first (predict, then see)."""
from __future__ import annotations

from playwright.sync_api import expect


def skip_predictions(page, timeout: float = 30_000) -> None:
    """Reveal every widget's outputs without predicting, for tests about the widgets themselves."""
    for button in page.locator("[data-action=skip-prediction]").all():
        button.click()
    expect(page.locator("[data-widget][data-predicting]")).to_have_count(0, timeout=timeout)


# Progress as the page's own code reads it (static/js/lib/store.js, progress storage v2).
PROGRESS = "import('/static/js/lib/store.js').then(m => m.store)"


def stored_lesson(page, slug: str) -> dict:
    """{answers, predictions} of one lesson, as saved in this browser."""
    return page.evaluate(f"slug => {PROGRESS}.then(p => p.lesson(slug))", slug)


def give_learner_seed(page, seed: str) -> None:
    """Make this browser a learner with `seed` (16 hex digits), before any of the app's pages runs."""
    page.goto("/glossary")
    page.evaluate("""seed => {
        localStorage.clear();
        localStorage.setItem("brewslm-learn:progress", JSON.stringify({ version: 2, seed, lessons: {} }));
    }""", seed)
