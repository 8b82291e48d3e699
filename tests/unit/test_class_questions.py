"""The class questions' answers, checked against a float64 NumPy reference; their histograms' bins."""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.classroom import solvers
from app.classroom.questions import AskedQuestion, Catalogue, Question, builtin_questions, value_bins
from app.widgets import WIDGETS
from tests.reference import kd_reference, softmax
from tests.run_async import run_async

T_PARAM = WIDGETS["temperature"].param("T")
TOKENS = [6.0, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1.0]


def soft(logits, T):
    return softmax(np.asarray(logits, dtype=np.float64) / T)


BUILTIN = Catalogue(builtin_questions())


def test_the_99_to_1_pairs_top_class_falls_to_80_percent_at_ln99_over_ln4():
    T = solvers.top_falls_to({"logits": [math.log(99), 0.0]}, T_PARAM, 0.8)
    assert T == pytest.approx(math.log(99) / math.log(4), abs=1e-8)      # DESIGN: ≈ 3.31


@pytest.mark.parametrize("logits", [TOKENS, [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4], [2.0, 1.0, 0.5]])
def test_the_answers_sit_where_the_reference_crosses(logits):
    top = int(np.argmax(logits))
    T = solvers.top_falls_to({"logits": logits}, T_PARAM, 0.6)
    assert T is not None
    assert soft(logits, T)[top] == pytest.approx(0.6, abs=1e-7)
    assert soft(logits, T * 0.999)[top] > 0.6                            # the first crossing, not a later one


def test_a_crossing_outside_the_slider_is_no_answer():
    assert solvers.top_falls_to({"logits": [0.05, 0.0, 0.0]}, T_PARAM, 0.6) is None   # below 60% from the start
    assert solvers.top_falls_to({"logits": [4.595, 0.0]}, T_PARAM, 0.5) is None        # two classes: never 50%
    assert solvers.top_falls_to({"logits": [3.0]}, T_PARAM, 0.6) is None


def test_the_runner_up_of_many_classes_can_lose_mass_as_T_rises():
    # DESIGN: the "Next token" logits give the runner-up 0.175 at T = 1 and 0.158 at T = 4.
    assert soft(TOKENS, 1)[1] == pytest.approx(0.175, abs=5e-4) and soft(TOKENS, 4)[1] == pytest.approx(0.158, abs=5e-4)
    assert solvers.runner_up_direction({"logits": TOKENS}, 1.0, 4.0) == 1               # falls
    assert solvers.runner_up_direction({"logits": [4.595, 0.0]}, 1.0, 4.0) == 0         # two classes: rises


def test_alpha_where_the_weighted_terms_are_equal_matches_the_reference():
    state = {"student": [1.0, 1.5, 0.2, 0.8, -0.5], "teacher": [1.0, 6.0, 0.0, 4.0, -2.0], "label": 1, "T": 2.0}
    alpha = solvers.terms_weigh_the_same(state)
    ce, kl, _ = kd_reference([state["student"]], [state["teacher"]], [1], 0.5, 2.0)
    assert alpha * ce == pytest.approx((1 - alpha) * 4.0 * kl, rel=1e-9)


def test_the_pull_falls_to_a_tenth_where_the_reference_gradient_does():
    z = np.array([0.2, 2.0, 0.3, 0.5, 0.6, 0.1, -0.4, 5.0, 0.9, 2.5])
    v = np.array([0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4])
    grad_norm = lambda T: np.linalg.norm((softmax(z / T) - softmax(v / T)) / T)   # noqa: E731  ∂KL/∂z = (q − p)/T
    T = solvers.pull_falls_to_a_tenth({"student": z.tolist(), "teacher": v.tolist()}, WIDGETS["t-squared"].param("T"))
    assert T > 1 and grad_norm(T) == pytest.approx(grad_norm(1.0) / 10, rel=1e-6)


def test_histogram_bins_follow_the_parameters_scale():
    edges = value_bins(T_PARAM)
    assert len(edges) == 21 and edges[0] == 0.1 and edges[-1] == pytest.approx(20)
    assert edges[1] / edges[0] == pytest.approx(edges[-1] / edges[-2])              # even in log T
    assert value_bins(WIDGETS["alpha"].param("alpha")) == pytest.approx([i / 20 for i in range(21)])
    assert value_bins(WIDGETS["reduction"].param("batch_size")) == [0.5 + i for i in range(9)]    # one per size


def test_an_answer_falls_in_its_bin_and_impossible_ones_in_none():
    asked = AskedQuestion.new(BUILTIN.find("temperature", "temperature.top-60"))
    assert asked.bin_for(0.1) == 0 and asked.bin_for(20) == 19 and asked.bin_for(3.31) == 13
    for bad in (0.09, 20.01, float("nan"), True, "3", None, [3]):
        assert asked.bin_for(bad) is None
    choice = AskedQuestion.new(BUILTIN.find("temperature", "temperature.runner-up-1-to-4"))
    assert [choice.bin_for(v) for v in (0, 2, 3, 1.5, -1)] == [0, 2, None, None, None]
    assert AskedQuestion.from_json(asked.to_json()) == asked


def test_a_catalogue_takes_questions_per_widget_and_checks_them():
    catalogue = Catalogue(builtin_questions())
    question = Question("kl-direction.test-only", "kl-direction", "Where?", "value", None, param="separation")
    catalogue.add([question])
    assert catalogue.find("kl-direction", "kl-direction.test-only") is question
    assert [q.id for q in catalogue.for_widget("temperature")] == ["temperature.top-60", "temperature.runner-up-1-to-4"]
    with pytest.raises(ValueError, match="duplicate"):
        catalogue.add([question])
    with pytest.raises(ValueError, match="not a number parameter"):
        catalogue.add([Question("reduction.x", "reduction", "?", "value", None, param="logits")])
    with pytest.raises(ValueError, match="two options"):
        catalogue.add([Question("alpha.x", "alpha", "?", "choice", None, options=("only",))])


def test_the_lessons_predictions_become_class_questions_answered_by_their_truths(test_settings):
    from app.main import create_app
    from app.web.class_questions import lesson_questions

    questions = {q.id: q for q in lesson_questions(create_app(test_settings).state.track)}
    assert {"kd-loss.runner-up-20", "kd-loss.pull-1-to-4"} <= set(questions)
    assert all(q.widget in ("temperature", "t-squared") for q in questions.values())   # no tiny-LM training
    runner_up = questions["kd-loss.runner-up-20"]
    assert (runner_up.kind, runner_up.param) == ("value", "T")
    T = run_async(runner_up.answer({"logits": [math.log(99), 0.0], "T": 1.0, "preset": "peaky"}))
    assert T == pytest.approx(math.log(99) / math.log(4), abs=1e-9)
    assert run_async(runner_up.answer({"T": 1.0})) is None                     # no logits: no answer
    pull = questions["kd-loss.pull-1-to-4"]
    assert pull.kind == "choice" and len(pull.options) == 3
    digit = {"student": [0.2, 2.0, 0.3, 0.5, 0.6, 0.1, -0.4, 5.0, 0.9, 2.5],
             "teacher": [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4], "T": 4.0, "preset": "digit"}
    assert run_async(pull.answer(digit)) in (0, 1, 2)
