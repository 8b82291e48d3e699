"""The overview as the learner's home, in Chromium: export, import with its preview (merge or replace),
refusals, reset with confirmation and undo, and per-lesson status with "Continue where you left off"."""
from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.progress_helpers import (
    DATA, KEY, answer, backups, catalogue, progress, put_storage, stored,
)

DAY = 86_400_000
T0 = 1_764_489_600_000


def learner_progress() -> dict:
    blob = progress({"kd-loss": {"kl-direction": answer([0], True, T0), "t-for-70-30": answer(2.5, False, T0 + 1, tries=2)},
                     "kd-teacher-capture": {"more-than-argmax": answer([0, 2], False, T0 + 2)}})
    blob["lessons"]["kd-loss"]["predictions"] = {"runner-up": {"value": 3.1, "truth": 3.31, "off": 0.21, "at": T0 + 3}}
    blob["lessons"]["kd-loss"]["read"] = {"at": T0 + 4, "section": "why-the-t²-factor"}
    blob["last"] = {"slug": "kd-loss", "section": "why-the-t²-factor", "at": T0 + 4}
    return blob


def open_overview(page, blob: dict | None = None):
    if blob is not None:
        put_storage(page, {KEY: json.dumps(blob)})
    page.goto("/")
    return page


def import_file(page, tmp_path, blob, name="progress.json"):
    path = tmp_path / name
    path.write_text(blob if isinstance(blob, str) else json.dumps(blob), encoding="utf-8")
    page.set_input_files("#import-progress", str(path))


def test_export_reset_import_gives_back_the_same_progress(page, tmp_path):
    original = learner_progress()
    open_overview(page, original)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["version"] == 2 and exported["seed"] == original["seed"]

    page.get_by_role("button", name="Reset all progress…").click()
    dialog = page.get_by_role("dialog", name="Reset all progress?")
    expect(dialog).to_contain_text("3 answers, 1 prediction")
    dialog.get_by_role("button", name="Reset all progress").click()
    expect(page.locator("#notices")).to_contain_text("All your progress in this browser was reset.")
    assert stored(page)["lessons"] == {}
    expect(page.locator('.lesson-card[data-slug="kd-loss"] .progress-text')).to_have_text("Not started")

    import_file(page, tmp_path, json.dumps(exported))
    preview = page.get_by_role("dialog", name="Load progress from a file")
    expect(preview).to_contain_text("holds 3 answers and 1 prediction")
    preview.get_by_role("button", name="Load").click()
    expect(page.locator("#notices")).to_contain_text("Loaded 3 saved answers")
    after = stored(page)
    assert after["lessons"] == original["lessons"]
    assert after["last"] == original["last"] and after["seed"] == original["seed"]


def test_merge_keeps_the_newer_answer_and_replace_takes_the_file(page, tmp_path):
    mine = progress({"kd-loss": {"kl-direction": answer([0], True, T0 + DAY),   # newer here
                                 "t-for-70-30": answer(2.5, False, T0)}})
    theirs = progress({"kd-loss": {"kl-direction": answer([1], False, T0),
                                   "t-for-70-30": answer(2.59, True, T0 + DAY),   # newer in the file
                                   "why-t-squared": answer([0], True, T0)}}, seed="fedcba9876543210")
    open_overview(page, mine)
    import_file(page, tmp_path, theirs)
    preview = page.get_by_role("dialog", name="Load progress from a file")
    row = preview.locator("tbody tr", has_text="Knowledge distillation II")
    expect(row.locator("td")).to_have_text(["1", "2 (1 newer in the file, 1 newer here)", "0", "0", "0"])
    expect(preview).to_contain_text("Quiz choices will appear in the order of the device the file came from")
    # Nothing has changed while the learner decides.
    assert stored(page) == mine
    preview.get_by_role("button", name="Load").click()
    expect(page.locator("#notices")).to_contain_text(
        "Loaded 3 saved answers (1 new answer, 1 newer answer from the file, 1 answer of yours kept because it is newer)")
    answers = stored(page)["lessons"]["kd-loss"]["answers"]
    assert answers == {"kl-direction": mine["lessons"]["kd-loss"]["answers"]["kl-direction"],
                       "t-for-70-30": theirs["lessons"]["kd-loss"]["answers"]["t-for-70-30"],
                       "why-t-squared": theirs["lessons"]["kd-loss"]["answers"]["why-t-squared"]}
    assert stored(page)["seed"] == theirs["seed"]

    import_file(page, tmp_path, theirs, name="again.json")
    preview.get_by_label("Replace").check()
    preview.get_by_role("button", name="Load").click()
    expect(page.locator(".notice-success").last).to_contain_text("in place of your progress here")
    assert stored(page)["lessons"] == theirs["lessons"]
    assert backups(page)[0]["reason"] == "Progress before it was replaced by an imported file"
    # Undo brings back the merged state.
    page.get_by_role("button", name="Undo the import").click()
    expect(page.locator(".notice-success").last).to_have_text("Undone: the import.×")
    assert stored(page)["lessons"]["kd-loss"]["answers"] == answers


def test_an_old_version_1_export_does_not_overwrite_newer_answers(page, tmp_path):
    mine = progress({"kd-loss": {"kl-direction": answer([1], False, T0)}})
    open_overview(page, mine)
    import_file(page, tmp_path, (DATA / "progress-v1.json").read_text(encoding="utf-8"))
    preview = page.get_by_role("dialog", name="Load progress from a file")
    expect(preview.locator("tbody tr", has_text="Knowledge distillation II").locator("td").nth(1)).to_have_text(
        "1 (1 newer here)")
    preview.get_by_role("button", name="Load").click()
    expect(page.locator(".notice-success")).to_contain_text("Loaded")
    answers = stored(page)["lessons"]["kd-loss"]["answers"]
    assert answers["kl-direction"] == answer([1], False, T0)          # mine: dated, so newer than v1's unknown time
    # v1's answer to a question 4.3 no longer asks is kept aside, not counted
    assert "t-for-80-20" not in answers
    assert stored(page)["retired"]["kd-loss"]["t-for-80-20"] == {"value": 2.5, "correct": False, "at": 0, "tries": 1}


def test_a_file_from_a_newer_version_is_refused_with_its_message(page, tmp_path):
    mine = learner_progress()
    open_overview(page, mine)
    import_file(page, tmp_path, {"version": 3, "lessons": {}, "seed": "0123456789abcdef"})
    expect(page.locator(".notice-error")).to_contain_text("made by a newer BrewSLM Learn (progress version 3)")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert stored(page) == mine


def test_a_bad_file_is_checked_whole_before_anything_changes(page, tmp_path):
    mine = learner_progress()
    open_overview(page, mine)
    bad = {"version": 2, "seed": "0123456789abcdef", "lessons": {
        "kd-quality-kept": {"answers": {"hinton-gap": answer([1], True, T0 + DAY)}},
        "constructor": {"answers": {"x": answer([0], True, T0)}},
        "kd-loss": {"answers": {"kl-direction": {"value": [0], "correct": "yes", "at": 1, "tries": 1}}}}}
    import_file(page, tmp_path, bad)
    preview = page.get_by_role("dialog", name="Load progress from a file")
    expect(preview).to_contain_text("Left out because they could not be read: 1 entry: kd-loss: answer kl-direction: "
                                    "it does not say whether it was correct")
    expect(preview).to_contain_text("1 answer to questions this course no longer asks will be kept aside")
    expect(preview.locator("tbody tr", has_text="constructor (not in this course)")).to_have_count(1)
    preview.get_by_role("button", name="Cancel").click()
    assert stored(page) == mine
    import_file(page, tmp_path, bad, name="again.json")
    preview.get_by_role("button", name="Load").click()
    expect(page.locator(".notice-success")).to_contain_text("Loaded 1 saved answer (1 new answer)")
    after = stored(page)
    assert after["lessons"]["kd-quality-kept"]["answers"]["hinton-gap"] == answer([1], True, T0 + DAY)
    assert after["lessons"]["kd-loss"]["answers"] == mine["lessons"]["kd-loss"]["answers"]
    assert after["retired"] == {"constructor": {"x": answer([0], True, T0)}}


def test_files_with_nothing_usable_are_refused_not_loaded(page, tmp_path):
    open_overview(page, learner_progress())
    import_file(page, tmp_path, {"version": 2, "lessons": {"kd-loss": {"answers": {"kl-direction": {"value": "x"}}}}})
    expect(page.locator(".notice-error")).to_contain_text("Nothing in that file could be used: 1 entry")
    import_file(page, tmp_path, "{not json", name="b.json")
    expect(page.locator(".notice-error").last).to_contain_text("That file is not JSON")
    import_file(page, tmp_path, {"hello": "world"}, name="c.json")
    expect(page.locator(".notice-error").last).to_contain_text("it is not progress saved by BrewSLM Learn")
    expect(page.locator(".notice-success")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_an_import_that_cannot_be_saved_says_so(page, tmp_path):
    page.context.add_init_script("""(() => { const real = Storage.prototype.setItem;
        Storage.prototype.setItem = function (key, value) {
          if (window.__storageFull && key === "brewslm-learn:progress") throw new DOMException("full", "QuotaExceededError");
          return real.call(this, key, value); }; })();""")
    mine = learner_progress()
    open_overview(page, mine)
    page.evaluate("() => { window.__storageFull = true; }")
    import_file(page, tmp_path, progress({"kd-quality-kept": {"hinton-gap": answer([1], True)}}))
    page.get_by_role("dialog", name="Load progress from a file").get_by_role("button", name="Load").click()
    expect(page.locator(".notice-error")).to_contain_text("Not saved: this browser's storage for the site is full")
    expect(page.locator(".notice-warning")).to_contain_text("could not be saved in this browser")
    expect(page.locator(".notice-success")).to_have_count(0)
    assert stored(page) == mine
    # The page still shows what was loaded, for this visit.
    expect(page.locator('.lesson-card[data-slug="kd-quality-kept"] .progress-text')).to_contain_text("1 of")


def test_reset_a_lesson_asks_first_and_can_be_undone_later_in_the_visit(page):
    original = learner_progress()
    open_overview(page, original)
    card = page.locator('.lesson-card[data-slug="kd-loss"]')
    card.get_by_role("button", name="Reset this lesson…").click()
    dialog = page.get_by_role("dialog", name="Reset “4.3 Knowledge distillation II: the KD loss”?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(card.get_by_role("button", name="Reset this lesson…")).to_be_focused()
    assert stored(page) == original

    card.get_by_role("button", name="Reset this lesson…").click()
    dialog.get_by_role("button", name="Reset this lesson").click()
    expect(card.locator('[data-role="read"]')).to_have_text("Not opened yet")
    data = stored(page)
    assert "kd-loss" not in data["lessons"] and "last" not in data
    assert data["lessons"]["kd-teacher-capture"] == original["lessons"]["kd-teacher-capture"]

    # Later in the visit, after another page, the undo is still there.
    page.goto("/glossary")
    page.goto("/")
    page.get_by_role("button", name="Undo the reset of “4.3 Knowledge distillation II: the KD loss”").click()
    expect(page.locator("#notices")).to_contain_text("Undone: the reset of “4.3")
    assert stored(page)["lessons"] == original["lessons"]
    expect(page.locator("#undo-step")).to_be_hidden()


def test_the_overview_shows_each_lesson_the_track_and_where_to_continue(page):
    open_overview(page, learner_progress())
    asked = catalogue(page)
    loss = page.locator('.lesson-card[data-slug="kd-loss"]')
    expect(loss.locator('[data-role="read"]')).to_contain_text("Up to “Why the T² factor?”")
    expect(loss.locator(".progress-text")).to_have_text(f"1 of {len(asked['kd-loss'])} correct")
    expect(loss.locator('[data-role="predictions"]')).to_have_text("1 made")
    capture = page.locator('.lesson-card[data-slug="kd-teacher-capture"]')
    expect(capture.locator('[data-role="read"]')).to_have_text("Not opened yet")
    expect(capture.locator(".progress-text")).to_have_text(f"0 of {len(asked['kd-teacher-capture'])} correct")
    total = sum(len(q) for q in asked.values())
    expect(page.locator('[data-role="track-summary"]')).to_have_text(
        f"0 of 3 lessons read · 1 of {total} questions correct · 1 prediction made")
    expect(page.locator('[data-role="continue-label"]')).to_have_text("Continue where you left off")
    page.locator('[data-role="continue-link"]').click()
    expect(page).to_have_url(f"{page.url.split('/lessons')[0]}/lessons/kd-loss#why-the-t%C2%B2-factor")
    expect(page.locator("h1")).to_have_text("Knowledge distillation II: the KD loss")


def test_reading_a_lesson_is_remembered_for_the_overview(page):
    open_overview(page)
    expect(page.locator('[data-role="continue-label"]')).to_have_text("Start the track")
    page.goto("/lessons/kd-loss")
    outline = page.locator(".toc a").evaluate_all("links => links.map(a => decodeURIComponent(a.hash.slice(1)))")
    page.locator("#check-yourself").scroll_into_view_if_needed()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))))")
    page.locator("#why-the-t²-factor").evaluate("el => el.scrollIntoView({ block: 'start' })")
    # saved a moment after the page settles; leaving the page saves at once
    page.goto("/")
    data = stored(page)
    assert data["last"]["slug"] == "kd-loss" and data["last"]["section"] == "why-the-t²-factor"
    assert outline.index(data["lessons"]["kd-loss"]["read"]["section"]) >= outline.index("check-yourself")
    expect(page.locator('.lesson-card[data-slug="kd-loss"] [data-role="read"]')).to_have_text("Read to the end")
    expect(page.locator('[data-role="continue-link"]')).to_contain_text("Why the T² factor?")
