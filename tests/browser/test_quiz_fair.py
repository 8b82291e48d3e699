"""Quizzes that can't be guessed, in Chromium: choices shuffled per learner (stable for one learner, on any
device with their seed), feedback that explains without giving the answer away, numbers in the formats
people type."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.predictions import give_learner_seed, stored_lesson

LESSONS = ["kd-teacher-capture", "kd-loss", "kd-quality-kept"]
ALICE, BOB = "0123456789abcdef", "fedcba9876543210"

DISPLAY_ORDERS = """() => Object.fromEntries([...document.querySelectorAll('.quiz-question')]
    .filter(q => q.querySelector('.choices'))
    .map(q => [q.dataset.qid, [...q.querySelectorAll('.choices input')].map(i => Number(i.value))]))"""


def open_quiz(page, slug: str = "kd-loss"):
    page.goto(f"/lessons/{slug}")
    expect(page.locator(".choices[data-order=shuffled]").first).to_be_attached()
    return page.locator("#check-yourself")


def orders(page) -> dict[str, list[int]]:
    return page.evaluate(DISPLAY_ORDERS)


def test_one_learner_always_sees_the_same_order_and_another_learner_another(page, browser, base_url):
    give_learner_seed(page, ALICE)
    open_quiz(page)
    alice = orders(page)
    assert all(sorted(o) == list(range(len(o))) for o in alice.values())
    page.reload()
    assert orders(page) == alice                                   # stable across reloads
    expected = page.evaluate("""([seed, ids]) => import('/static/js/lib/shuffle.js').then(m =>
        Object.fromEntries(ids.map(([id, n]) => [id, m.choiceOrder(seed, 'kd-loss', id, n)])))""",
                             [ALICE, [[qid, len(o)] for qid, o in alice.items()]])
    assert alice == expected                                       # the order is the seed's, nothing else

    # Another device holding the same seed (what an import of Alice's progress carries) sees her order.
    other = browser.new_context(base_url=base_url, service_workers="block")
    try:
        device = other.new_page()
        give_learner_seed(device, ALICE)
        open_quiz(device)
        assert orders(device) == alice
        give_learner_seed(device, BOB)
        open_quiz(device)
        bob = orders(device)
    finally:
        other.close()
    assert bob != alice
    assert sum(bob[q] != alice[q] for q in alice) >= 3


def test_the_order_survives_export_and_import_onto_another_device(page, browser, base_url):
    give_learner_seed(page, ALICE)
    quiz = open_quiz(page)
    alice = orders(page)
    q = quiz.locator('[data-qid="teacher-wrong"]')
    q.get_by_label("The alpha·CE term on the gold label").check()
    q.get_by_role("button", name="Check").click()
    exported = page.evaluate("() => import('/static/js/lib/store.js').then(m => m.store.exportJSON())")

    other = browser.new_context(base_url=base_url, service_workers="block")
    try:
        device = other.new_page()
        open_quiz(device)                              # a learner of its own: a fresh seed, its own order
        assert device.evaluate("() => import('/static/js/lib/store.js').then(m => m.store.seed)") != ALICE
        device.evaluate("""text => import('/static/js/lib/store.js').then(m => {
            m.store.applyImport(m.store.previewImport(text), "merge"); })""", exported)
        device.reload()
        expect(device.locator(".choices[data-order=shuffled]").first).to_be_attached()
        assert orders(device) == alice                 # the file carried the seed, so the order came along
        expect(device.locator('[data-qid="teacher-wrong"]')).to_have_class("quiz-question is-correct")
    finally:
        other.close()


def test_answers_are_stored_by_the_lessons_own_indices_not_the_shown_places(page):
    give_learner_seed(page, BOB)
    quiz = open_quiz(page)
    q = quiz.locator('[data-qid="kl-direction"]')
    q.get_by_label("KL(teacher_T ‖ student_T), the forward KL").check()
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-correct")
    answer = stored_lesson(page, "kd-loss")["answers"]["kl-direction"]
    assert answer["value"] == [2] and answer["correct"] is True    # its place in the lesson file


def test_a_learner_who_always_picks_the_first_choice_scores_badly(page):
    for slug in LESSONS:
        page.goto(f"/lessons/{slug}")
        result = page.evaluate("""async (slug) => {
            const { choiceOrder } = await import('/static/js/lib/shuffle.js');
            const { isCorrect } = await import('/static/js/lib/quiz-feedback.js');
            const questions = JSON.parse(document.getElementById('quiz-data').textContent);
            const scores = [];
            for (let s = 0; s < 2000; s++) {
              const seed = s.toString(16).padStart(16, '0');
              let right = 0;
              for (const q of questions) {
                if (q.type === 'numeric') continue;           // nothing to pick: a guess is wrong
                const first = choiceOrder(seed, slug, q.id, q.choices.length)[0];
                if (isCorrect(q, [first])) right += 1;
              }
              scores.push(right / questions.length);
            }
            return { mean: scores.reduce((a, b) => a + b) / scores.length,
                     passing: scores.filter(x => x >= 0.5).length / scores.length };
        }""", slug)
        assert result["mean"] < 0.3, (slug, result)
        assert result["passing"] < 0.08, (slug, result)


def test_picking_the_first_shown_choice_everywhere_in_the_page(page):
    give_learner_seed(page, ALICE)
    quiz = open_quiz(page)
    for item in quiz.locator(".quiz-question:not([data-type=numeric])").all():
        item.locator(".choices input").first.check()
        item.get_by_role("button", name="Check").click()
    text = quiz.locator(".quiz-progress .progress-text").inner_text()
    correct = int(text.split(" of ")[0]) if " of " in text else 0
    assert correct <= 3, text


def test_a_wrong_first_try_explains_only_the_choice_picked(page):
    quiz = open_quiz(page)
    q = quiz.locator('[data-qid="why-t-squared"]')
    q.get_by_label("To turn the KL divergence into a probability between 0 and 1.").check()
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-wrong")
    feedback = q.locator(".quiz-feedback")
    expect(feedback).to_contain_text("Not quite")
    shown = q.locator(".choice-explain:visible")
    expect(shown).to_have_count(1)
    expect(shown).to_contain_text("Not this one: KL is not a probability")
    expect(q.locator(".quiz-working")).to_be_hidden()
    expect(q).not_to_contain_text("The answer:")
    # The second wrong try explains every choice.
    q.get_by_label("Because KL(p ‖ q) is measured in squared units of the logits.").check()
    q.get_by_role("button", name="Check").click()
    expect(q.locator(".choice-explain:visible")).to_have_count(4)
    expect(q.locator(".choice-explain.is-right")).to_contain_text("The answer:")
    assert stored_lesson(page, "kd-loss")["answers"]["why-t-squared"]["tries"] == 2
    page.reload()                                                  # and after a reload, still every choice
    expect(page.locator('[data-qid="why-t-squared"] .choice-explain:visible')).to_have_count(4)


def test_a_partly_right_multi_answer_says_more_statements_are_true(page):
    quiz = open_quiz(page)
    q = quiz.locator('[data-qid="what-temperature-changes"]')
    q.get_by_label("lowers the probability of the top class.").check()
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-partial")             # incomplete, not marked wrong
    expect(q.locator(".quiz-feedback")).to_have_text("Everything you picked is true, but more statements are true. Try again.")
    expect(q.locator(".choice-explain:visible")).to_have_count(1)
    expect(q).not_to_contain_text("Right choice")
    # Once right: every statement explained, and the working.
    q.get_by_label("raises the entropy of the distribution.").check()
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-correct")
    expect(q.locator(".choice-explain:visible")).to_have_count(5)
    expect(q.locator(".quiz-working")).to_contain_text("probability-weighted mean logit")
    expect(q.locator(".choice-explain", has_text="every runner-up")).to_have_count(0)
    expect(q.locator('.choice-explain[data-choice="0"]')).to_contain_text("Not true: A class gains only while")


def test_the_corrected_key_of_raising_t(page):
    quiz = open_quiz(page)
    q = quiz.locator('[data-qid="what-temperature-changes"]')
    for label in ["raises the probability of every runner-up class.", "raises the entropy of the distribution.",
                  "lowers the probability of the top class."]:
        q.get_by_label(label).check()
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-wrong")
    expect(q.locator(".quiz-feedback")).to_contain_text("not everything you picked is true")
    expect(q.locator('.choice-explain[data-choice="0"]')).to_contain_text("15.8% at T = 4")


def test_a_wrong_number_is_told_which_way_it_is_off_and_the_working_waits(page):
    quiz = open_quiz(page)
    q = quiz.locator('[data-qid="t-for-70-30"]')
    q.locator("input").fill("1.5")
    q.get_by_role("button", name="Check").click()
    expect(q.locator(".quiz-feedback")).to_have_text("Not quite: 1.5 is too low. Try again, or press “Show me”.")
    expect(q).not_to_contain_text("ln 9")
    expect(q).not_to_contain_text("2.59")
    q.locator("input").fill("4")
    q.get_by_role("button", name="Check").click()
    expect(q.locator(".quiz-feedback")).to_have_text("Not quite. The answer is 2.59 (within 0.02).")
    expect(q.locator(".quiz-working")).to_contain_text("ln 9 / ln(7/3)")


@pytest.mark.parametrize("typed,verdict", [("2,59", "is-correct"), (" 2.590 ", "is-correct"), ("2.6", "is-correct"),
                                           ("2,61", "is-correct"), ("2.62", "is-wrong")])
def test_numbers_are_read_as_people_write_them(page, typed, verdict):
    q = open_quiz(page).locator('[data-qid="t-for-70-30"]')
    q.locator("input").fill(typed)
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class(f"quiz-question {verdict}")


@pytest.mark.parametrize("typed,reason", [
    ("2.5.9", "is not a number"),
    ("1,259", "could mean 1.259 or 1259"),
    ("2,5.9", "has both a comma and a point"),
    ("2.59%", "not a percentage"),
    ("", "Type a number first."),
])
def test_a_refused_number_says_why_and_costs_no_try(page, typed, reason):
    q = open_quiz(page).locator('[data-qid="t-for-70-30"]')
    q.locator("input").fill(typed)
    q.get_by_role("button", name="Check").click()
    expect(q.locator(".quiz-feedback")).to_contain_text(reason)
    expect(q).to_have_class("quiz-question")
    assert "t-for-70-30" not in stored_lesson(page, "kd-loss")["answers"]


@pytest.mark.parametrize("slug,qid,other_scale,reason,right", [
    ("kd-quality-kept", "hinton-gap", "0.911", "This answer is in percent", "91,1 %"),
    ("kd-teacher-capture", "coverage-at-3", "95", "a fraction between 0 and 1", "95%"),
])
def test_percent_and_fraction_answers_take_either_form(page, slug, qid, other_scale, reason, right):
    q = open_quiz(page, slug).locator(f'[data-qid="{qid}"]')
    q.locator("input").fill(other_scale)
    q.get_by_role("button", name="Check").click()
    expect(q.locator(".quiz-feedback")).to_contain_text(reason)     # refused with the reason, not marked wrong
    expect(q).to_have_class("quiz-question")
    q.locator("input").fill(right)
    q.get_by_role("button", name="Check").click()
    expect(q).to_have_class("quiz-question is-correct")


def test_show_me_explains_everything_without_an_answer(page):
    quiz = open_quiz(page)
    q = quiz.locator('[data-qid="alpha-extremes"]')
    q.get_by_role("button", name="Show me").click()
    expect(q.locator(".choice-explain:visible")).to_have_count(4)
    expect(q.locator(".quiz-feedback")).to_have_text("Every choice is explained below.")
    assert "alpha-extremes" not in stored_lesson(page, "kd-loss")["answers"]
