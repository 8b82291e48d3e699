"""Every lesson file loads, every quiz key is right, and every number the lessons state is computed."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import torch
import yaml

from app.content import LessonError, load_track
from app.content.loader import load_lesson, split_front_matter
from app.content.read_time import count_words, read_time
from app.kd.temperature import soften, temperature_for_ratio
from app.settings import Settings
from app.web.predictions import check_truth
from app.web.templating import known_widgets, make_templates, widget_renderer

SETTINGS = Settings()
TEMPLATES = make_templates(SETTINGS.templates_dir, SETTINGS.static_dir)
WIDGETS = known_widgets(SETTINGS.templates_dir)
RENDER = widget_renderer(TEMPLATES)


@pytest.fixture(scope="module")
def track():
    return load_track(SETTINGS.lessons_dir, RENDER, WIDGETS, check_truth=check_truth)


def test_track_lists_lessons_4_2_to_4_4_in_order(track):
    assert [e.id for e in track.entries] == ["4.2", "4.3", "4.4"]
    assert [e.slug for e in track.entries] == ["kd-teacher-capture", "kd-loss", "kd-quality-kept"]
    assert "kd-loss" in track.lessons


def test_every_manifest_file_exists_and_every_lesson_file_is_listed():
    manifest = yaml.safe_load((SETTINGS.lessons_dir / "track-4.yaml").read_text())
    listed = {e["file"] for e in manifest["lessons"] if e.get("file")}
    on_disk = {p.name for p in SETTINGS.lessons_dir.glob("*.md")}
    assert listed == on_disk


def test_every_quiz_has_exactly_the_right_keys(track):
    for lesson in track.lessons.values():
        assert len(lesson.meta.quiz) >= 5, lesson.slug
        for q in lesson.meta.quiz:
            if q.type == "single":
                assert sum(c.correct for c in q.choices) == 1, q.id
            elif q.type == "multi":
                assert sum(c.correct for c in q.choices) >= 1, q.id
            else:
                assert q.answer is not None and q.tolerance and q.explain, q.id
            assert all(c.explain.strip() for c in q.choices), q.id


def test_lesson_4_3_has_every_part_of_the_seed(track):
    lesson = track.lesson("kd-loss")
    meta = lesson.meta
    assert (meta.track, meta.lesson, meta.level) == (4, 3, "advanced")
    assert meta.prerequisites == ["kd-teacher-capture"]
    headings = [h for _, h in lesson.sections]
    for wanted in ["Term one: cross-entropy on the hard label", "Term two: KL divergence to the teacher",
                   "Temperature: softening the distribution", "Why the T² factor?", "In code",
                   "Where it lives in BrewSLM"]:
        assert wanted in headings
    assert any(h.startswith("Alpha") for h in headings)
    assert {t.term for t in meta.key_terms} >= {"KD loss", "KL divergence", "temperature (T)", "T² factor",
                                                "alpha", "kd_trainer"}
    html = lesson.body_html
    for phrase in ["kd_trainer", "training_mode=&quot;distillation&quot;", "recipe.kd.*", "teacher_capture.jsonl",
                   "KL(teacher_T ‖ student_T)", "batchmean", "token_mean"]:
        assert phrase in html, phrase
    assert "temperature" in lesson.widgets
    types = {q.type for q in meta.quiz}
    assert types == {"single", "multi", "numeric"} and len(meta.quiz) >= 6


def test_the_80_20_temperature_the_lesson_prints_is_what_softmax_gives(track):
    lesson = track.lesson("kd-loss")
    t = temperature_for_ratio(math.log(99), 4.0)
    assert "T = ln 99 / ln 4 ≈ 3.31" in lesson.body_html     # {{t-80-20}}, filled at load
    probs = soften(torch.tensor([math.log(99), 0.0], dtype=torch.float64), torch.tensor([1.0, t], dtype=torch.float64))
    assert probs[1].tolist() == pytest.approx([0.8, 0.2])
    numeric = next(q for q in lesson.meta.quiz if q.id == "t-for-70-30")
    want = temperature_for_ratio(math.log(9), 7 / 3)
    assert numeric.answer == round(want, 2) and abs(numeric.answer - want) <= numeric.tolerance


def test_read_time_is_computed_from_words_widgets_and_questions(track):
    lesson = track.lesson("kd-loss")
    rt = lesson.read_time
    assert (rt.widgets, rt.questions) == (6, len(lesson.meta.quiz))
    assert 1800 < rt.words < 2600
    assert rt.minutes == math.ceil(rt.words / 200 + 1.5 * rt.widgets + 0.5 * rt.questions)
    assert "words at 200 a minute" in rt.rule and "6 explorers at 1½ minutes" in rt.rule


def test_read_time_counts_words_not_markup():
    assert count_words("The `kd_loss` of lesson 4.3 isn't **bold**.\n::: widget temperature preset=peaky\n") == 8   # kd_loss: two
    assert read_time("word " * 400, [], widgets=2, questions=3).minutes == 2 + 3 + 2


def test_a_typed_read_time_is_refused(tmp_path: Path):
    path = _mutated(tmp_path, lambda m: m.update(read_time_min=11))
    with pytest.raises(LessonError, match="read_time_min is computed"):
        load_lesson(path, RENDER, WIDGETS)


def test_claims_are_filled_in_at_load_and_an_unknown_one_stops_it(tmp_path: Path, track):
    assert "{{" not in track.lesson("kd-loss").body_html
    assert "17.5%" in track.lesson("kd-loss").body_html           # {{next-token-runner-up-t1}}
    path = _mutated(tmp_path, lambda m: m.update(objective="It is {{no-such-claim}}."))
    with pytest.raises(LessonError, match="no-such-claim"):
        load_lesson(path, RENDER, WIDGETS)


def _mutated(tmp_path: Path, mutation, body_edit=lambda b: b) -> Path:
    source = (SETTINGS.lessons_dir / "4.3-kd-loss.md").read_text()
    meta, body = split_front_matter(source, Path("x"))
    mutation(meta)
    path = tmp_path / "lesson.md"
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body_edit(body))
    return path


@pytest.mark.parametrize("mutation,body_edit,message", [
    (lambda m: m["predictions"][0].update(truth="no_such_truth"), None, "not a server computation"),
    (lambda m: m["predictions"][0].update(truth="pull_change"), None, "reads the 't-squared' widget"),
    (lambda m: m["predictions"][1]["choices"].pop(), None, "choices must be exactly"),
    (lambda m: m["predictions"][0].update(args={"share": 1.5}), None, "args"),
    (lambda m: m["predictions"][0].pop("slider"), None, "needs `slider`"),
    (lambda m: None, lambda b: b.replace(" predict=runner-up-20", ""), "placed on exactly one widget"),
    (lambda m: None, lambda b: b.replace("predict=runner-up-20", "predict=nope"), "does not define"),
    (lambda m: None, lambda b: b.replace("preset=digit predict=pull-1-to-4", "predict=runner-up-20"),
     "is for widget 'temperature'"),
])
def test_a_bad_prediction_stops_loading_with_its_reason(tmp_path: Path, mutation, body_edit, message):
    path = _mutated(tmp_path, mutation, body_edit or (lambda b: b))
    with pytest.raises(LessonError, match=re.escape(str(path))) as info:
        load_lesson(path, RENDER, WIDGETS, check_truth)
    assert message in str(info.value)


def test_every_lesson_has_a_prediction_on_one_of_its_widgets(track):
    for lesson in track.lessons.values():
        assert lesson.meta.predictions, lesson.slug
        for p in lesson.meta.predictions:
            assert p.widget in lesson.widgets
            assert f'data-predict="{p.id}"' in lesson.body_html


def test_no_single_choice_position_holds_most_keys(track):
    """The files' own order must not give the key away either (the page shuffles it per learner)."""
    positions = [next(i for i, c in enumerate(q.choices) if c.correct)
                 for lesson in track.lessons.values() for q in lesson.meta.quiz if q.type == "single"]
    assert max(positions.count(i) for i in set(positions)) <= len(positions) / 2


def test_raw_html_in_lesson_markdown_is_escaped(tmp_path: Path):
    source = (SETTINGS.lessons_dir / "4.3-kd-loss.md").read_text()
    meta, _ = split_front_matter(source, Path("x"))
    meta.pop("predictions")      # their widgets are not in this body
    body = "## Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n"
    path = tmp_path / "lesson.md"
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body)
    html = load_lesson(path, RENDER, WIDGETS).body_html
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("mutation,message", [
    (lambda m: m.pop("title"), "title"),
    (lambda m: m["quiz"][0]["choices"][1].update(correct=True), "exactly one correct"),
    (lambda m: m["quiz"].append(dict(m["quiz"][0])), "unique"),
    (lambda m: m.update(level="expert"), "level"),
    (lambda m: m["quiz"][1].pop("tolerance"), "tolerance"),
    (lambda m: m["quiz"][0]["choices"][0].pop("explain"), "explain"),
])
def test_a_bad_lesson_file_stops_loading_with_its_reason(tmp_path: Path, mutation, message):
    source = (SETTINGS.lessons_dir / "4.3-kd-loss.md").read_text()
    meta, body = split_front_matter(source, Path("x"))
    mutation(meta)
    path = tmp_path / "bad.md"
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body)
    with pytest.raises(LessonError, match=re.escape(str(path))) as info:
        load_lesson(path, RENDER, WIDGETS)
    assert message in str(info.value)


def test_an_unknown_widget_is_a_load_error(tmp_path: Path):
    source = (SETTINGS.lessons_dir / "4.3-kd-loss.md").read_text()
    path = tmp_path / "w.md"
    path.write_text(source + "\n::: widget no-such-thing\n:::\n")
    with pytest.raises(LessonError, match="unknown widget 'no-such-thing'"):
        load_lesson(path, RENDER, WIDGETS)


def test_quiz_text_has_no_markdown_since_it_is_shown_as_plain_text(track):
    for lesson in track.lessons.values():
        for q in lesson.meta.quiz:
            texts = [q.prompt, q.explain or ""] + [t for c in q.choices for t in (c.text, c.explain)]
            for text in texts:
                assert not re.search(r"`|\*\*|\]\(", text), (lesson.slug, q.id, text)
