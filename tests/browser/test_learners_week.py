"""A learner's week, replayed in one Chromium profile with the offline worker on: answers on Monday, an
export, newer answers on Tuesday, last week's export imported over them, a reset undone, the overview as
home, a reload on a train with no network, and a glossary term read by keyboard."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.progress_helpers import stored


def answer_first_choice(page, qid: str) -> None:
    question = page.locator(f'.quiz-question[data-qid="{qid}"]')
    question.locator("input").first.check()
    question.get_by_role("button", name="Check").click()


def test_a_learners_week(browser, base_url, tmp_path):
    context = browser.new_context(base_url=base_url, service_workers="allow", accept_downloads=True)
    try:
        page = context.new_page()
        # Monday: two answers in 4.3, then an export.
        page.goto("/lessons/kd-loss")
        page.evaluate("() => navigator.serviceWorker.ready")
        qids = page.locator(".quiz-question[data-type=single]").evaluate_all("qs => qs.map(q => q.dataset.qid)")
        first, second = qids[0], qids[1]
        answer_first_choice(page, first)
        answer_first_choice(page, second)
        monday = stored(page)["lessons"]["kd-loss"]["answers"]
        page.goto("/")
        with page.expect_download() as download:
            page.get_by_role("button", name="Export progress").click()
        export = tmp_path / "monday.json"
        download.value.save_as(export)

        # Tuesday: the second question answered again (a newer answer).
        time.sleep(0.01)
        page.goto("/lessons/kd-loss")
        question = page.locator(f'.quiz-question[data-qid="{second}"]')
        question.locator("input").nth(1).check()
        question.get_by_role("button", name="Check").click()
        tuesday = stored(page)["lessons"]["kd-loss"]["answers"][second]
        assert tuesday["at"] > monday[second]["at"] and tuesday["tries"] == 2

        # Monday's export imported over Tuesday's answers: the preview says so, and merge keeps Tuesday's.
        page.goto("/")
        page.set_input_files("#import-progress", str(export))
        preview = page.get_by_role("dialog", name="Load progress from a file")
        expect(preview.locator("tbody tr", has_text="Knowledge distillation II")).to_contain_text("1 newer here")
        preview.get_by_role("button", name="Load").click()
        expect(page.locator(".notice-success")).to_contain_text("answer of yours kept because it is newer")
        assert stored(page)["lessons"]["kd-loss"]["answers"][second] == tuesday

        # A reset, then second thoughts.
        card = page.locator('.lesson-card[data-slug="kd-loss"]')
        card.get_by_role("button", name="Reset this lesson…").click()
        page.get_by_role("dialog").get_by_role("button", name="Reset this lesson").click()
        expect(card.locator(".progress-text")).to_have_text("Not started")
        page.locator("#notices").get_by_role("button", name="Undo").last.click()
        correct = sum(a["correct"] for a in stored(page)["lessons"]["kd-loss"]["answers"].values())
        expect(card.locator('[role="progressbar"]')).to_have_attribute("aria-valuenow", str(correct))
        assert stored(page)["lessons"]["kd-loss"]["answers"][second] == tuesday
        expect(page.locator('[data-role="continue-label"]')).to_have_text("Continue where you left off")

        # On the train: no network. The overview, the lesson and its answers, styled.
        context.set_offline(True)
        page.reload()
        expect(card.locator('[data-role="read"]')).not_to_have_text("Not opened yet")
        page.locator('[data-role="continue-link"]').click()
        expect(page.locator("h1")).to_have_text("Knowledge distillation II: the KD loss")
        expect(page.locator(f'.quiz-question[data-qid="{second}"] input').nth(1)).to_be_checked()
        assert page.evaluate("() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"

        # A glossary term, by keyboard.
        term = page.locator(".lesson-body a.term").first
        term.focus()
        card_shown = page.locator(".term-card")
        expect(card_shown).to_be_visible()
        definition = page.locator(f"#{term.get_attribute('aria-describedby')}").text_content().strip()
        expect(card_shown.locator(".term-card-text")).to_have_text(definition)
        assert stored(page)["version"] == 2
    finally:
        context.close()
