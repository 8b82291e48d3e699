"""The quiz shows what is saved: a reset clears it, and an undo (or another tab) brings the answers back
without a reload."""
from __future__ import annotations

from playwright.sync_api import expect


def test_a_reset_clears_the_quiz_and_its_undo_brings_the_answer_back(page):
    page.goto("/lessons/kd-loss")
    question = page.locator('.quiz-question[data-qid="t-for-70-30"]')
    field = question.locator('input[name="answer"]')
    field.fill("9")                                      # far off: the first try says which way
    question.get_by_role("button", name="Check").click()
    feedback = question.locator(".quiz-feedback")
    expect(feedback).not_to_be_empty()
    said = feedback.text_content()

    page.locator('[data-action="reset-quiz"]').click()
    page.get_by_role("dialog").get_by_role("button", name="Reset this lesson").click()
    expect(field).to_have_value("")
    expect(feedback).to_be_empty()

    page.locator("#notices").get_by_role("button", name="Undo").click()
    expect(field).to_have_value("9")                     # redrawn from the store, no reload
    expect(feedback).to_have_text(said)


def test_an_answer_saved_in_another_tab_shows_here(page):
    page.goto("/lessons/kd-loss")
    question = page.locator('.quiz-question[data-qid="t-for-70-30"]')
    other = page.context.new_page()
    other.goto("/lessons/kd-loss")
    other_question = other.locator('.quiz-question[data-qid="t-for-70-30"]')
    other_question.locator('input[name="answer"]').fill("9")
    other_question.get_by_role("button", name="Check").click()
    expect(other_question.locator(".quiz-feedback")).not_to_be_empty()
    expect(question.locator('input[name="answer"]')).to_have_value("9")
    expect(question.locator(".quiz-feedback")).to_have_text(other_question.locator(".quiz-feedback").text_content())
    other.close()
