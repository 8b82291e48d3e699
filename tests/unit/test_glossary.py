"""The glossary (app/content/glossary.py) and its terms woven into lesson text (app/content/weave.py)."""
from __future__ import annotations

import re

import pytest

from app.content import LessonError, load_track
from app.content.glossary import Entry, build_entries, sort_key
from app.content.weave import build_glossary, weave_terms
from app.settings import Settings
from app.web.templating import known_widgets, make_templates, widget_renderer

SETTINGS = Settings()
GLOSSARY_FILE = SETTINGS.lessons_dir / "glossary.yaml"
# The terms the lessons lean on (issue #13): each must be in the glossary.
REQUIRED = ["cross-entropy", "softmax", "logit", "student", "teacher", "forward KL", "reverse KL", "batchmean",
            "top-k", "coverage", "perplexity", "temperature (T)", "T² factor", "KL divergence", "alpha"]


@pytest.fixture(scope="module")
def track():
    templates = make_templates(SETTINGS.templates_dir, SETTINGS.static_dir)
    return load_track(SETTINGS.lessons_dir, widget_renderer(templates), known_widgets(SETTINGS.templates_dir))


@pytest.fixture(scope="module")
def glossary(track):
    return build_glossary(track, GLOSSARY_FILE)


def entry(term: str, *forms: str) -> Entry:
    return Entry(term=term, definition="d", anchor="term-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-"),
                 lesson="kd-loss", section=None, forms=list(forms or [term]), sort_key=sort_key(term), key_term=False)


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="term" href="/glossary#([^"]+)"[^>]*>([^<]+)</a>', html)


def test_every_term_the_lessons_lean_on_is_in_the_glossary_with_where_it_is_taught(glossary, track):
    terms = {e.term: e for e in glossary.entries}
    for term in REQUIRED:
        assert term in terms, term
        found = terms[term]
        assert found.lesson in track.lessons and found.taught_where.startswith(f"Lesson {track.lessons[found.lesson].meta.id}")
        assert found.definition.strip()


def test_sorted_as_a_reader_expects(glossary):
    order = [e.term for e in glossary.entries]
    assert order.index("T² factor") == order.index("temperature (T)") + 1          # filed under temperature
    assert order.index("teacher_capture.jsonl") < order.index("temperature (T)") < order.index("top-k")
    assert order.index("KD loss") < order.index("kd_trainer") < order.index("KL divergence")   # case and "_" ignored
    keys = [e.sort_key for e in glossary.entries]
    assert keys == sorted(keys)


def test_sort_key_reads_symbols_like_a_reader():
    assert sort_key("T² factor") == "t2 factor"
    assert sort_key("kd_trainer") == "kd trainer"
    assert sort_key("Top-k") == sort_key("top k")
    assert sort_key("(k) top") == "k) top"


def test_first_use_in_each_section_is_linked_and_only_outside_code_links_headings_and_widgets():
    html = ("<p>The teacher and the teacher.</p><pre><code>teacher</code></pre>"
            '<h2 id="s1">The teacher</h2><p>A <a href="/x">teacher</a>, then Teachers, then teacher.</p>'
            '<figure class="widget-frame"><p>teacher</p></figure>'
            '<h2 id="s2">Two</h2><p><code>teacher</code> and the top-k capture, not top-k; top-k.</p>')
    woven = weave_terms(html, [entry("teacher"), entry("top-k"), entry("top-k capture")])
    assert links(woven.html) == [("term-teacher", "teacher"), ("term-teacher", "Teachers"),
                                 ("term-top-k-capture", "top-k capture"), ("term-top-k", "top-k")]
    assert "<pre><code>teacher</code></pre>" in woven.html and '<h2 id="s1">The teacher</h2>' in woven.html
    assert '<a href="/x">teacher</a>' in woven.html and "<figure class=\"widget-frame\"><p>teacher</p></figure>" in woven.html
    # The heading of s1 uses "teacher" first, but the intro before it already did.
    assert woven.first_section == {"term-teacher": None, "term-top-k-capture": "s2", "term-top-k": "s2"}


def test_weaving_keeps_every_character_of_the_html():
    html = '<p>A &amp; B &#8212; &quot;teacher&quot;<br>x<img src="a.png" alt="teacher"> y</p><!-- c -->'
    woven = weave_terms(html, [entry("teacher")])
    assert re.sub(r'<a class="term"[^>]*>([^<]*)</a>', r"\1", woven.html) == html
    assert links(woven.html) == [("term-teacher", "teacher")]


def test_a_term_in_a_word_or_a_different_case_is_not_matched():
    woven = weave_terms("<p>teachers-only, preteacher, KL and kl</p>", [entry("teacher"), entry("KL")])
    assert links(woven.html) == [("term-kl", "KL")]


def test_the_lessons_link_terms_and_each_term_page_has_its_definitions(glossary, track):
    for slug in track.lessons:
        used = {anchor for anchor, _ in links(glossary.woven_html[slug])}
        assert used, slug
        assert used == {e.anchor for e in glossary.used_in(slug)}


def bad_file(tmp_path, text: str):
    path = tmp_path / "glossary.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "message"), [
    ("terms:\n  - term: teacher\n    definition: d\n    taught: kd-loss\n", "“teacher” (in the glossary file) is already defined"),
    ("terms:\n  - term: x\n    definition: d\n    taught: no-such-lesson\n", "not a published lesson"),
    ("terms:\n  - term: x\n    definition: d\n    taught: kd-loss#no-such-section\n", "has no section “no-such-section”"),
    ("sort_as:\n  nothing: a\n", "sort_as: no glossary term “nothing”"),
    ("terms:\n  - term: x\n    definition: d\n    taught: kd-loss\n    colour: red\n", "terms.0.colour"),
    ("terms: [", "not valid YAML"),
])
def test_a_bad_glossary_file_names_its_problem(tmp_path, track, text, message):
    with pytest.raises(LessonError, match=re.escape(message)):
        build_entries(track, bad_file(tmp_path, text))
