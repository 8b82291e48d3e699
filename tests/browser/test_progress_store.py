"""Progress storage, version 2 (static/js/lib/store.js), in Chromium: the API the lessons use, the
migration of a saved version-1 blob, answers to retired questions, and storage that is broken, full,
blocked or from a newer version of the app."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.progress_helpers import (
    DATA, KEY, V1_KEY, answer, backups, catalogue, progress, put_storage, stored,
)

STORE = "/static/js/lib/store.js"


def call_store(page, body: str, arg=None):
    """Run `body` (an async function body with `store`, `lessonProgress` and `arg` in scope) in the page."""
    return page.evaluate(f"""async (arg) => {{ const {{ store, lessonProgress }} = await import("{STORE}");
        {body} }}""", arg)


def wait_for_quiz(page):
    expect(page.locator(".quiz-question").first).to_be_visible()


def test_the_api_the_lessons_use(page):
    page.goto("/lessons/kd-loss")
    wait_for_quiz(page)
    seed = call_store(page, "return store.seed;")
    assert re.fullmatch(r"[0-9a-f]{16}", seed)
    first = call_store(page, """
        const saved = store.saveAnswer("kd-loss", "kl-direction", [1], false);
        const one = store.lesson("kd-loss").answers["kl-direction"];
        await new Promise(r => setTimeout(r, 5));
        store.saveAnswer("kd-loss", "kl-direction", [0], true);
        const two = store.lesson("kd-loss").answers["kl-direction"];
        const predicted = store.savePrediction("kd-loss", "runner-up-20", { value: 3.1 });
        const revealed = store.savePrediction("kd-loss", "runner-up-20", { value: 3.1, truth: 3.31, off: 0.21 });
        return { saved, one, two, predicted, revealed, lesson: store.lesson("kd-loss"),
                 fresh: store.lesson("kd-quality-kept"),
                 counted: lessonProgress("kd-loss", ["kl-direction", "t-for-70-30"]) };""")
    assert first["saved"] is True and first["predicted"] is True and first["revealed"] is True
    assert first["one"]["tries"] == 1 and first["two"]["tries"] == 2
    assert first["two"]["value"] == [0] and first["two"]["correct"] is True
    assert first["two"]["at"] > first["one"]["at"] > 1_700_000_000_000
    assert first["lesson"]["predictions"]["runner-up-20"] == {
        "value": 3.1, "truth": 3.31, "off": 0.21, "at": first["lesson"]["predictions"]["runner-up-20"]["at"]}
    assert first["fresh"] == {"answers": {}, "predictions": {}}
    assert first["counted"] == {"answered": 1, "correct": 1, "total": 2}

    page.reload()
    wait_for_quiz(page)
    # The seed and the answers are the ones saved, not made again.
    assert call_store(page, "return store.seed;") == seed
    data = stored(page)
    assert data["version"] == 2 and data["seed"] == seed
    assert data["lessons"]["kd-loss"]["answers"]["kl-direction"] == first["two"]
    # Bad input from a caller is a programming error, said loudly, and nothing is saved.
    error = call_store(page, """try { store.saveAnswer("kd-loss", "kl-direction", [NaN], true); return null; }
        catch (err) { return err.message; }""")
    assert "kl-direction" in error
    assert stored(page) == data


def test_reset_a_lesson_and_undo_it_keeps_what_came_after(page):
    put_storage(page, {KEY: json.dumps(progress({"kd-loss": {"kl-direction": answer([0], True)},
                                                 "kd-quality-kept": {"hinton-gap": answer([1], False)}}))})
    page.goto("/lessons/kd-loss")
    wait_for_quiz(page)
    result = call_store(page, """
        store.resetLesson("kd-loss");
        const afterReset = store.lesson("kd-loss");
        const undoable = store.lastUndoable;
        store.saveAnswer("kd-loss", "t-for-70-30", 2.59, true);
        return { afterReset, undoable, undone: store.undo(), answers: store.lesson("kd-loss").answers,
                 other: store.lesson("kd-quality-kept").answers, left: store.lastUndoable };""")
    assert result["afterReset"]["answers"] == {}
    assert result["undoable"]["label"] == "the reset of “kd-loss”"
    assert result["undone"] is True
    assert set(result["answers"]) == {"kl-direction", "t-for-70-30"}   # the old answer back, the new one kept
    assert result["other"] == {"hinton-gap": answer([1], False)}
    assert result["left"] is None
    assert set(stored(page)["lessons"]["kd-loss"]["answers"]) == {"kl-direction", "t-for-70-30"}


def test_a_saved_version_1_blob_is_migrated_in_place(page):
    v1_text = (DATA / "progress-v1.json").read_text(encoding="utf-8").strip()
    v1 = json.loads(v1_text)
    put_storage(page, {V1_KEY: v1_text, "brewslm-learn:progress:v1:unreadable": "{broken once"})
    page.goto("/")
    asked = catalogue(page)
    data = stored(page)
    assert data["version"] == 2
    assert re.fullmatch(r"[0-9a-f]{16}", data["seed"])
    for slug, lesson in v1["lessons"].items():
        for qid, old in lesson["answers"].items():
            place = data["lessons"][slug]["answers"] if qid in asked.get(slug, []) else data["retired"][slug]
            # Value and correctness as they were; v1 kept no time (0 = unknown) and counted no tries.
            assert place[qid] == {**old, "at": 0, "tries": 1}
    assert stored(page, V1_KEY) is None
    kept = backups(page)
    assert [b["text"] for b in kept] == [v1_text, "{broken once"]   # the v1 text, and v1's own backup
    assert page.evaluate("() => localStorage.getItem('brewslm-learn:progress:v1:unreadable')") is None

    # The overview counts the migrated answers (those to questions still asked).
    correct = sum(a["correct"] for qid, a in v1["lessons"]["kd-loss"]["answers"].items() if qid in asked["kd-loss"])
    bar = page.locator('.lesson-card[data-slug="kd-loss"] [role=progressbar]')
    expect(bar).to_have_attribute("aria-valuenow", str(correct))

    page.reload()   # migrated once: a second load changes nothing
    assert stored(page) == data
    assert len(backups(page)) == 2


def test_answers_to_questions_no_longer_asked_are_kept_aside_and_never_counted(page):
    page.goto("/")
    qids = catalogue(page)["kd-loss"]
    answers = {qid: answer([0], True) for qid in qids}
    answers |= {"old-question": answer([2], True), "removed-in-4-3": answer(1.5, True)}
    put_storage(page, {KEY: json.dumps(progress({"kd-loss": answers, "lesson-gone": {"q": answer([0], True)}}))})
    page.goto("/")
    bar = page.locator('.lesson-card[data-slug="kd-loss"] [role=progressbar]')
    expect(bar).to_have_attribute("aria-valuenow", str(len(qids)))
    expect(bar).to_have_attribute("aria-valuetext", f"{len(qids)} of {len(qids)} correct")
    data = stored(page)
    assert set(data["lessons"]["kd-loss"]["answers"]) == set(qids)
    assert data["retired"] == {"kd-loss": {"old-question": answer([2], True), "removed-in-4-3": answer(1.5, True)},
                               "lesson-gone": {"q": answer([0], True)}}
    page.goto("/lessons/kd-loss")
    wait_for_quiz(page)
    counted = call_store(page, "return lessonProgress('kd-loss', arg);", qids)
    assert counted == {"answered": len(qids), "correct": len(qids), "total": len(qids)}


@pytest.mark.parametrize("blob", [
    "{not json",
    '"a string"',
    "null",
    '{"version": 2, "lessons": []}',
    '{"version": 2, "seed": "xyz", "lessons": {"kd-loss": {"answers": {"kl-direction": {"value": [99], "correct": "yes"}}}}}',
    '{"version": 2, "lessons": {"__proto__": {"answers": {}}, "kd-loss": {"answers": {"toString": {"value": 1}}}}}',
])
def test_broken_stored_progress_is_set_aside_and_the_page_works(page, blob):
    put_storage(page, {KEY: blob})
    page.goto("/lessons/kd-loss")
    wait_for_quiz(page)
    expect(page.locator(".notice-warning")).to_contain_text("could not be read")
    assert [b["text"] for b in backups(page)] == [blob]
    assert call_store(page, "return store.saveAnswer('kd-loss', 'kl-direction', [0], true);") is True
    page.reload()
    wait_for_quiz(page)
    expect(page.locator(".notice")).to_have_count(0)
    data = stored(page)
    assert data["version"] == 2 and data["lessons"]["kd-loss"]["answers"]["kl-direction"]["correct"] is True


def test_a_lesson_called_constructor_is_just_a_lesson_the_course_does_not_have(page):
    blob = {"version": 2, "lessons": {"constructor": {"answers": {"kl-direction": answer([0], True)}}}}
    put_storage(page, {KEY: json.dumps(blob)})
    page.goto("/")
    data = stored(page)
    assert data["retired"] == {"constructor": {"kl-direction": answer([0], True)}}
    assert re.fullmatch(r"[0-9a-f]{16}", data["seed"])   # a blob without a seed gets one, saved
    page.reload()
    assert stored(page)["seed"] == data["seed"]
    expect(page.locator(".notice")).to_have_count(0)


def test_a_second_corruption_does_not_overwrite_the_first_backup(page):
    put_storage(page, {KEY: "{first broken"})
    page.goto("/")
    page.evaluate(f"() => localStorage.setItem('{KEY}', '{{second broken')")
    page.goto("/")
    assert [b["text"] for b in backups(page)] == ["{second broken", "{first broken"]


def test_progress_from_a_newer_version_is_left_untouched(page):
    newer = json.dumps({"version": 3, "seed": "0123456789abcdef", "lessons": {}, "future": True})
    put_storage(page, {KEY: newer})
    page.goto("/lessons/kd-loss")
    wait_for_quiz(page)
    expect(page.locator("#notices")).to_contain_text("saved by a newer BrewSLM Learn")
    assert call_store(page, "return store.saveAnswer('kd-loss', 'kl-direction', [0], true);") is False
    assert page.evaluate(f"() => localStorage.getItem('{KEY}')") == newer


BLOCK_STORAGE = """Object.defineProperty(window, "localStorage", {
    get() { throw new DOMException("The operation is insecure.", "SecurityError"); } });"""


def test_blocked_storage_keeps_working_in_memory_and_says_so(page):
    page.context.add_init_script(BLOCK_STORAGE)
    page.goto("/lessons/kd-loss")
    wait_for_quiz(page)
    expect(page.locator("#notices")).to_contain_text("answers last only while this page is open")
    result = call_store(page, """const saved = store.saveAnswer("kd-loss", "kl-direction", [0], true);
        return { saved, kept: store.lesson("kd-loss").answers["kl-direction"].correct };""")
    assert result == {"saved": False, "kept": True}
    expect(page.locator(".notice")).to_have_count(1)   # said once, not again on every answer
    page.goto("/")
    expect(page.locator("#notices")).to_contain_text("answers last only while this page is open")


FILL_STORAGE = """(() => { const real = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (window.__storageFull) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      return real.call(this, key, value); }; })();"""


def test_a_write_that_fails_is_reported_when_it_fails(page):
    page.context.add_init_script(FILL_STORAGE)
    page.goto("/lessons/kd-loss")
    wait_for_quiz(page)
    expect(page.locator(".notice")).to_have_count(0)
    page.evaluate("() => { window.__storageFull = true; }")
    question = page.locator(".quiz-question").first
    question.locator("input").first.check()
    question.get_by_role("button", name="Check").click()
    expect(page.locator(".notice-error")).to_contain_text("Not saved: this browser's storage for the site is full")
    assert call_store(page, "return store.saveAnswer('kd-loss', 'kl-direction', [1], false);") is False
    expect(page.locator(".notice-error")).to_have_count(1)
    # Space again: the next save works and a later failure is reported anew.
    page.evaluate("() => { window.__storageFull = false; }")
    assert call_store(page, "return store.saveAnswer('kd-loss', 'kl-direction', [0], true);") is True
    page.evaluate("() => { window.__storageFull = true; document.querySelectorAll('.notice').forEach(n => n.remove()); }")
    assert call_store(page, "return store.saveAnswer('kd-loss', 'kl-direction', [1], false);") is False
    expect(page.locator(".notice-error")).to_have_count(1)
