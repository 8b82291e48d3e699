"""Lessons 4.2 and 4.4: every number they state is computed here, and every claim about a run is run."""
from __future__ import annotations

import math

import pytest
import torch

from app.content import load_track
from app.kd.topk import mass_kept, retemper
from app.settings import Settings
from app.training.tinylm import evaluation, task
from app.training.tinylm.kd_trainer import StudentTrainer
from app.training.tinylm.models import STUDENT, TEACHER, build, n_params
from app.training.tinylm.experiment import live_metrics
from app.training.tinylm.teacher import TEACHER_RECIPE
from app.web.templating import known_widgets, make_templates, widget_renderer

SETTINGS = Settings()


@pytest.fixture(scope="module")
def track():
    templates = make_templates(SETTINGS.templates_dir, SETTINGS.static_dir)
    return load_track(SETTINGS.lessons_dir, widget_renderer(templates), known_widgets(SETTINGS.templates_dir))


def _quiz(lesson, qid):
    return next(q for q in lesson.meta.quiz if q.id == qid)


def test_both_lessons_load_with_their_widgets_and_links(track):
    l42, l44 = track.lesson("kd-teacher-capture"), track.lesson("kd-quality-kept")
    assert (l42.meta.id, l42.meta.title) == ("4.2", "Knowledge distillation I: the teacher and capturing its logits")
    assert (l44.meta.id, l44.meta.title) == ("4.4", "Knowledge distillation III: how much did the student keep?")
    assert l42.widgets == ["teacher-capture"] and l44.widgets == ["quality-kept"]
    for lesson in (l42, l44):
        assert len(lesson.meta.quiz) >= 5 and len(lesson.meta.key_terms) >= 5
        assert {q.type for q in lesson.meta.quiz} >= {"single", "multi", "numeric"}
        for slug in lesson.meta.prerequisites:
            assert slug in track.lessons            # every prerequisite link resolves
    assert l44.meta.prerequisites == ["kd-teacher-capture", "kd-loss"]


def test_lesson_4_2_numbers(track):
    html = " ".join(track.lesson("kd-teacher-capture").body_html.split())   # line breaks -> spaces
    assert (task.SEQ_LEN, task.V, task.PROMPT_LEN, task.RESPONSE_LEN) == (9, 31, 4, 5)
    assert "Each order is 9 tokens from a vocabulary of 31: a 4-token prompt" in html
    assert "a 5-token response" in html
    drink = task.tables().drink[task.CUSTOMERS.index("nurse"), task.TIMES.index("morning"), task.SIZES.index("medium")]
    shown = {d: round(100 * float(p)) for d, p in zip(task.DRINKS, drink)}
    assert shown == {"tea": 39, "mocha": 19, "latte": 15, "cappuccino": 13, "espresso": 8, "cocoa": 6}
    assert "tea 39% of the time, mocha 19%, latte 15%, cappuccino 13%, espresso 8% and cocoa 6%" in html
    assert round(n_params(build(TEACHER, 0)), -3) == 103_000 and "about 103,000 parameters" in html
    assert TEACHER_RECIPE["examples"] == 20_000 and "trained on 20,000 orders" in html
    assert 32_000 * 4 == 128_000 and "128,000 bytes per token" in html
    truth = task.true_response_probs(task.sample(3000, seed=8))
    assert int((truth > 0).sum(-1).max()) == 6 and "at most 6 plausible tokens" in html


def test_lesson_4_2_quiz_arithmetic(track):
    lesson = track.lesson("kd-teacher-capture")
    probs = torch.tensor([0.60, 0.25, 0.10, 0.03, 0.02], dtype=torch.float64)
    cov = mass_kept(torch.log(probs))
    q = _quiz(lesson, "coverage-at-3")
    assert abs(float(cov[2]) - q.answer) <= q.tolerance
    q = _quiz(lesson, "renormalised-top")
    top = float(retemper(torch.log(probs[:2]), T=1.0).exp()[0])
    assert top == pytest.approx(0.60 / 0.85) and abs(top - q.answer) <= q.tolerance


def test_lesson_4_4_numbers(track):
    lesson = track.lesson("kd-quality-kept")
    html = " ".join(lesson.body_html.split())
    ref = evaluation.truth_reference()
    assert round(100 * ref["accuracy"]) == 69 and "even the true distribution gets only 69%" in html
    assert f"{ref['perplexity']:.2f}" == "2.14" and "which here is 2.14" in html
    assert round(100 * 77.0 / 79.5) == 97 and "97% of BERT's GLUE score (77.0 against 79.5)" in html
    assert round(100 * 16.3 / 21.1) == 77 and "21.1 against GPT-2's 16.3 is about 77%" in html
    assert evaluation.gap_closed(146, 74, 67) == pytest.approx(72 / 79)
    assert round(100 * 72 / 79) == 91 and "(146 − 74) / (146 − 67) = 72 / 79, about 91% of the gap" in html
    assert round(100 * evaluation.gap_closed(58.9, 60.8, 61.1)) == 86 and "about 86% of the ensemble's gain" in html
    assert evaluation.EVAL_EXAMPLES == 2000 and "on 2,000 held-out orders" in html
    t, s = n_params(build(TEACHER, 0)), n_params(build(STUDENT, 0))
    assert round(s, -3) == 14_000 and round(t / s) == 7 and "each student about 14,000, 7 times fewer" in html


def test_lesson_4_4_quiz_arithmetic(track):
    lesson = track.lesson("kd-quality-kept")
    q = _quiz(lesson, "hinton-gap")
    assert abs(100 * evaluation.gap_closed(146, 74, 67) - q.answer) <= q.tolerance
    q = _quiz(lesson, "distilbert-ratio")
    assert abs(100 * evaluation.ratio(77.0, 79.5) - q.answer) <= q.tolerance
    assert evaluation.EVAL_EXAMPLES * task.RESPONSE_LEN == 10_000     # "2,000 orders and 10,000 positions"


@pytest.fixture(scope="module")
def runs(tinylm):
    """The runs lesson 4.4's "Reading the result" describes: 300 orders, 400 steps, seed 0, T = 2."""
    teacher = tinylm.teacher()

    def train(top_k=8, mode="distillation", alpha=0.5, steps=400, probe=()):
        trainer = StudentTrainer(tinylm.captured_data(top_k, 300), mode=mode, alpha=alpha, temperature=2.0,
                                 capture_temperature=1.0, steps=steps, seed=0)
        curve = {r["step"]: live_metrics(trainer.model)["kl_to_truth"] for r in trainer.run() if r["step"] in probe}
        return evaluation.evaluate(trainer.model, teacher.model), curve, trainer.model

    return {"teacher": evaluation.evaluate(teacher.model), "train": train,
            "sft": train(mode="sft", probe=(200, 250, 400)), "kd": train(probe=(200, 400))}


@pytest.mark.slow
def test_sft_overfits_while_kd_keeps_improving(runs):
    sft_curve, kd_curve = runs["sft"][1], runs["kd"][1]
    assert sft_curve[400] > min(sft_curve[200], sft_curve[250])     # SFT's KL to the truth turned back up
    assert kd_curve[400] < kd_curve[200]                            # KD's kept falling
    assert runs["kd"][0]["kl_to_truth"] < runs["sft"][0]["kl_to_truth"]


@pytest.mark.slow
def test_alpha_one_is_exactly_the_sft_run(runs):
    a = runs["train"](mode="sft", steps=40)[2]
    b = runs["train"](mode="distillation", alpha=1.0, steps=40)[2]
    for pa, pb in zip(a.state_dict().values(), b.state_dict().values()):
        assert torch.equal(pa, pb)


@pytest.mark.slow
def test_alpha_zero_does_better_here(runs):
    assert runs["train"](alpha=0.0)[0]["kl_to_truth"] < runs["kd"][0]["kl_to_truth"]


@pytest.mark.slow
def test_k1_looks_fine_on_accuracy_and_is_worse_than_sft_on_kl_and_perplexity(runs):
    k1 = runs["train"](top_k=1)[0]
    sft, teacher = runs["sft"][0], runs["teacher"]
    assert k1["accuracy"] > sft["accuracy"] and k1["accuracy"] / teacher["accuracy"] > 0.97
    assert k1["kl_to_truth"] > sft["kl_to_truth"] and k1["perplexity"] > sft["perplexity"]
