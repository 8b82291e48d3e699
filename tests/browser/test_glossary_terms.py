"""Glossary terms in lesson text, in Chromium: the definition by hover, keyboard focus and tap; the link to
the glossary; the glossary page in reading order with where each term is taught."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect


def definition_of(page, term_link) -> str:
    return page.locator(f"#{term_link.get_attribute('aria-describedby')}").text_content().strip()


def test_hover_shows_the_definition_and_it_stays_while_the_pointer_moves_onto_it(page):
    page.goto("/lessons/kd-loss")
    term = page.locator('.lesson-body a.term[data-term="term-softmax"]').first
    card = page.locator(".term-card")
    expect(card).to_be_hidden()
    term.hover()
    expect(card).to_be_visible()
    expect(card.locator(".term-card-name")).to_have_text("softmax")
    expect(card.locator(".term-card-text")).to_have_text(definition_of(page, term))
    expect(card.locator(".term-card-where")).to_contain_text("Taught in Lesson 4.3")
    card.hover()                      # hoverable: moving onto the card keeps it
    page.wait_for_timeout(400)
    expect(card).to_be_visible()
    page.mouse.move(5, 5)
    expect(card).to_be_hidden()


def test_keyboard_focus_shows_the_definition_and_escape_hides_it(page):
    page.goto("/lessons/kd-loss")
    first_term = page.locator(".lesson-body a.term").first
    # Tab from the last control before the lesson text to its first term.
    page.locator(".toc a").last.focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('term')"):
            break
    expect(first_term).to_be_focused()
    card = page.locator(".term-card")
    expect(card).to_be_visible()
    expect(card).to_have_attribute("data-term", first_term.get_attribute("data-term"))
    # Screen readers hear the same definition through aria-describedby.
    described = page.evaluate("el => document.getElementById(el.getAttribute('aria-describedby')).textContent.trim()",
                              first_term.element_handle())
    expect(card.locator(".term-card-text")).to_have_text(described)
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(first_term).to_be_focused()
    anchor = first_term.get_attribute("data-term")
    origin = page.url.split("/lessons")[0]
    page.keyboard.press("Enter")      # the term is a link to its glossary entry
    expect(page).to_have_url(f"{origin}/glossary#{anchor}")


@pytest.fixture()
def touch_page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True, service_workers="block")
    problems: list[str] = []
    host = urlparse(base_url).netloc
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).netloc == host
                  else (problems.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    context.close()
    assert not problems, problems


def test_a_tap_shows_the_definition_and_a_second_tap_opens_the_glossary(touch_page):
    page = touch_page
    page.goto("/lessons/kd-teacher-capture")
    term = page.locator('.lesson-body a.term[data-term="term-coverage"]').first
    term.scroll_into_view_if_needed()
    term.tap()
    card = page.locator(".term-card")
    expect(card).to_be_visible()
    expect(card.locator(".term-card-name")).to_have_text("coverage")
    expect(card.locator(".term-card-where")).to_contain_text("Tap the term again for its glossary entry")
    assert "/lessons/kd-teacher-capture" in page.url          # the first tap did not navigate
    page.locator("h1").tap()                                   # a tap elsewhere closes it
    expect(card).to_be_hidden()
    term.tap()
    expect(card).to_be_visible()
    term.tap()
    expect(page).to_have_url(f"{page.url.split('/lessons')[0]}/glossary#term-coverage")
    expect(page.locator("#term-coverage dt")).to_have_text("coverage")


def test_each_section_links_a_term_once(page):
    page.goto("/lessons/kd-loss")
    per_section = page.evaluate("""() => {
        const seen = []; let section = "intro"; const counts = {};
        for (const el of document.querySelectorAll(".lesson-body h2, .lesson-body a.term")) {
          if (el.tagName === "H2") { section = el.id; continue; }
          const key = section + " " + el.dataset.term; counts[key] = (counts[key] || 0) + 1;
        }
        return counts; }""")
    assert per_section and max(per_section.values()) == 1
    assert any(key.startswith("temperature-softening-the-distribution ") for key in per_section)


def test_the_glossary_page_files_terms_where_a_reader_looks(page):
    page.goto("/glossary")
    terms = page.locator(".glossary-entry dt").all_inner_texts()
    assert terms.index("T² factor") == terms.index("temperature (T)") + 1
    assert terms.index("top-k") > terms.index("T² factor")
    entry = page.locator("#term-forward-kl")
    expect(entry).to_contain_text("KL(teacher ‖ student)")
    expect(entry.locator(".glossary-where")).to_contain_text("Taught in Lesson 4.3")
    entry.locator(".glossary-where a").first.click()
    expect(page.locator("h1")).to_have_text("Knowledge distillation II: the KD loss")
    page.goto("/glossary")
    page.get_by_role("link", name="T", exact=True).click()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#letter-t")
