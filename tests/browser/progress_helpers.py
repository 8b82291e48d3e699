"""Helpers for tests of the progress a learner keeps in their browser (static/js/lib/store.js)."""
from __future__ import annotations

import json
from pathlib import Path

KEY = "brewslm-learn:progress"
V1_KEY = "brewslm-learn:progress:v1"
BACKUP_PREFIX = "brewslm-learn:backup:"
DATA = Path(__file__).parent / "data"


def put_storage(page, items: dict[str, str]) -> None:
    """Replace this origin's localStorage with `items`, from a page that runs none of our scripts."""
    page.goto("/healthz")
    page.evaluate("items => { localStorage.clear(); for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v); }",
                  items)


def stored(page, key: str = KEY):
    text = page.evaluate("key => localStorage.getItem(key)", key)
    return None if text is None else json.loads(text)


def backups(page) -> list[dict]:
    """Every backup kept, newest first."""
    found = page.evaluate("""prefix => Object.keys(localStorage).filter(k => k.startsWith(prefix))
        .map(k => JSON.parse(localStorage.getItem(k)))""", BACKUP_PREFIX)
    return sorted(found, key=lambda b: -b["at"])


def catalogue(page) -> dict[str, list[str]]:
    return json.loads(page.locator("#course-catalogue").text_content())


def answer(value, correct: bool, at: int = 1_764_489_600_000, tries: int = 1) -> dict:
    return {"value": value, "correct": correct, "at": at, "tries": tries}


def progress(lessons: dict, seed: str = "0123456789abcdef", **extra) -> dict:
    """A version-2 blob: lessons = {slug: {qid: answer}}."""
    return {"version": 2, "seed": seed, "lessons": {
        slug: {"answers": answers, "predictions": {}} for slug, answers in lessons.items()}, "retired": {}, **extra}
