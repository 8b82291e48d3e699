"""The checks behind lessons/claims.yaml's `check: NAME` entries: each runs the code behind one kind of sentence.

tests/unit/test_lesson_claims.py runs them, once per claim that names them.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
import pytest
import torch

from app.content import claims as computed
from app.content.claims_registry import lesson_text
from app.kd import kd_loss, kd_loss_parts
from app.kd.gradients import (PRACTICAL_RANGE, high_temperature_range, kl_gradient_norms, log_log_slope,
                              logit_matching_limit, practical_slopes)
from app.kd.loss import IGNORE_INDEX
from app.kd.reduction import reduction_by_length, sequence_example
from app.kd.temperature import (dprob_dtemperature, entropy_bits, runner_up_index, soften, temperature_for_ratio,
                                temperature_for_share, weighted_mean_logit)
from app.kd.topk import capture_topk, mass_kept
from app.settings import Settings
from tests.reference import log_softmax as np_log_softmax
from tests.reference import softmax as np_softmax

SETTINGS = Settings()
TEXTS = {lt.slug: lt for lt in (lesson_text(p) for p in sorted(SETTINGS.lessons_dir.glob("*.md")))}
VALUES = computed.claim_values()
CHECKS: dict[str, Callable[[], None]] = {}


def check(fn: Callable[[], None]) -> Callable[[], None]:
    CHECKS[fn.__name__] = fn
    return fn


def t64(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def js_preset(widget: str, preset: str, key: str) -> tuple[float, ...]:
    """A preset's array as the widget's own module writes it (static/js/widgets/WIDGET.js)."""
    source = (SETTINGS.static_dir / "js" / "widgets" / f"{widget}.js").read_text()
    block = re.search(rf"^\s*{re.escape(preset)}: \{{(.*?)\}},?$", source, re.MULTILINE | re.DOTALL)
    assert block, f"no preset {preset!r} in {widget}.js"
    values = re.search(rf"\b{key}: \[([^\]]*)\]", block.group(1))
    assert values, f"preset {preset!r} in {widget}.js has no {key}"
    return tuple(float(v) for v in values.group(1).split(","))


def js_labels(widget: str, preset: str) -> list[str]:
    source = (SETTINGS.static_dir / "js" / "widgets" / f"{widget}.js").read_text()
    block = re.search(rf"^\s*{re.escape(preset)}: \{{(.*?)\}},?$", source, re.MULTILINE | re.DOTALL)
    return re.findall(r'"([^"]*)"', re.search(r"labels: \[([^\]]*)\]", block.group(1)).group(1))


def random_logits(n_cases: int, seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(int(torch.randint(2, 40, (1,), generator=g)), generator=g, dtype=torch.float64) * 3
            for _ in range(n_cases)]


# --- lesson 4.3 -------------------------------------------------------------------------------------

def random_batch(rows: int, vocab: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Student logits, teacher logits and gold labels for `rows` positions."""
    g = torch.Generator().manual_seed(seed)
    s, t = (torch.randn(rows, vocab, generator=g, dtype=torch.float64) for _ in range(2))
    return s, t, torch.randint(0, vocab, (rows,), generator=g)


@check
def kd_loss_formula():
    s, t, y = random_batch(4, 7, seed=1)
    parts = kd_loss_parts(s, t, y, 0.3, 2.5)
    assert float(kd_loss(s, t, y, 0.3, 2.5)) == pytest.approx(0.3 * float(parts.ce) + 0.7 * 2.5 ** 2 * float(parts.kl))


@check
def t1_is_plain_softmax():
    z = t64([2.0, -1.0, 0.5])
    assert torch.allclose(soften(z, t64([1.0]))[0], torch.softmax(z, -1), rtol=1e-15)


@check
def t_80_20_two_ways():
    closed = temperature_for_ratio(math.log(99), 4.0)
    searched = temperature_for_share(t64([math.log(99), 0.0]), 1, 0.2)
    assert searched == pytest.approx(closed, rel=1e-10)
    assert VALUES["t-80-20"] == "3.31" == f"{math.log(99) / math.log(4):.2f}"
    probs = soften(t64([math.log(99), 0.0]), t64([1.0, closed]))
    assert probs[0].tolist() == pytest.approx([0.99, 0.01]) and probs[1].tolist() == pytest.approx([0.8, 0.2])


@check
def raising_t_three_facts():
    temps = torch.logspace(0, 1.5, 60, dtype=torch.float64)            # T from 1 to about 32
    for z in random_logits(200):
        p = soften(z, temps)
        top = int(z.argmax())
        assert (p[1:, top] < p[:-1, top]).all()                       # the top class loses
        h = entropy_bits(p)
        assert (h[1:] > h[:-1]).all()                                 # the entropy rises
        assert (p.argsort(dim=-1) == z.argsort()).all()               # the order never changes
        assert float(entropy_bits(soften(z, t64([1e6])))[0]) == pytest.approx(math.log2(len(z)), rel=1e-6)


@check
def dprob_dt_rule():
    for z in random_logits(50, seed=2):
        T = t64([0.7, 1.0, 2.3, 4.0])
        temps = T.clone().requires_grad_(True)
        p = torch.softmax(z.unsqueeze(0) / temps.unsqueeze(1), dim=-1)
        autograd = torch.stack([torch.autograd.grad(p[:, i].sum(), temps, retain_graph=True)[0]
                                for i in range(len(z))], dim=1)
        formula = dprob_dtemperature(z, T)
        assert torch.allclose(formula, autograd, rtol=1e-9, atol=1e-15)
        mean = weighted_mean_logit(z, soften(z, T))
        gains = formula > 0
        assert (gains == (z.unsqueeze(0) < mean.unsqueeze(1))).all()
        assert gains[:, int(z.argmin())].all()                        # the least likely class always gains


@check
def two_classes_runner_up_gains():
    for z in random_logits(100, seed=3):
        pair = z[:2]
        if float(pair.max() - pair.min()) < 1e-6:
            continue
        rate = dprob_dtemperature(pair, torch.logspace(-1, 2, 40, dtype=torch.float64))
        assert (rate[:, runner_up_index(pair)] > 0).all()


def _runner_up_curve(logits: tuple[float, ...], temps: torch.Tensor) -> torch.Tensor:
    z = t64(logits)
    return soften(z, temps)[:, runner_up_index(z)]


@check
def next_token_runner_up():
    assert js_preset("temperature", "tokens", "logits") == computed.NEXT_TOKEN
    z = t64(computed.NEXT_TOKEN)
    assert js_labels("temperature", "tokens")[runner_up_index(z)] == "floor"
    p1, p2, p4 = _runner_up_curve(computed.NEXT_TOKEN, t64([1.0, 2.0, 4.0])).tolist()
    assert [VALUES[f"next-token-runner-up-t{t}"] for t in (1, 2, 4)] == [f"{100 * p:.1f}%" for p in (p1, p2, p4)]
    assert p2 > p1 and p4 < p2                                  # first gains, then loses
    curve = _runner_up_curve(computed.NEXT_TOKEN, torch.linspace(1, 20, 400, dtype=torch.float64))
    peak = int(curve.argmax())
    assert (curve[1:peak + 1] > curve[:peak]).all() and (curve[peak + 1:] < curve[peak:-1]).all()
    # ... and what it loses goes to the tail: the classes below the runner-up gain together.
    tail = soften(z, t64([2.0, 4.0]))[:, 2:].sum(-1)
    assert float(tail[1]) > float(tail[0])


@check
def two_favourites_runner_up_loses():
    assert js_preset("temperature", "favourites", "logits") == computed.TWO_FAVOURITES
    curve = _runner_up_curve(computed.TWO_FAVOURITES, torch.linspace(1, 20, 400, dtype=torch.float64))
    assert (curve[1:] < curve[:-1]).all()                       # loses from the start
    assert VALUES["two-favourites-runner-up-t1"] == f"{100 * float(curve[0]):.0f}%"


@check
def kl_gradient_formula():
    for z in random_logits(20, seed=4):
        v = torch.randn(len(z), dtype=torch.float64, generator=torch.Generator().manual_seed(len(z)))
        for T in (0.5, 1.0, 3.0):
            student = z.clone().requires_grad_(True)
            log_q, log_p = torch.log_softmax(student / T, -1), torch.log_softmax(v / T, -1)
            (grad,) = torch.autograd.grad((log_p.exp() * (log_p - log_q)).sum(), student)
            expected = (np_softmax(z.numpy() / T) - np_softmax(v.numpy() / T)) / T
            assert np.allclose(grad.numpy(), expected, rtol=1e-9, atol=1e-15)


@check
def high_t_limit():
    z, v = t64(computed.DIGIT_STUDENT), t64(computed.DIGIT_TEACHER)
    temps = t64([500.0, 1000.0, 2000.0])
    norms, norms_t2 = kl_gradient_norms(z, v, temps)
    limit = logit_matching_limit(z, v, temps)
    assert torch.allclose(norms, limit, rtol=0.01)                  # it meets the closed-form limit
    assert log_log_slope(temps, norms) == pytest.approx(-2.0, abs=0.01)
    assert float(norms_t2.max() / norms_t2.min()) < 1.01            # with T²: the same at every such T


def _digit_grid_norms() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    assert js_preset("t-squared", "digit", "student") == computed.DIGIT_STUDENT
    assert js_preset("t-squared", "digit", "teacher") == computed.DIGIT_TEACHER
    temps = t64(computed.T2_GRID)
    return (temps, *kl_gradient_norms(t64(computed.DIGIT_STUDENT), t64(computed.DIGIT_TEACHER), temps))


@check
def digit_preset_low_t():
    temps, norms, norms_t2 = _digit_grid_norms()
    ends = kl_gradient_norms(t64(computed.DIGIT_STUDENT), t64(computed.DIGIT_TEACHER), t64(PRACTICAL_RANGE))[1]
    ratio = float(ends[1] / ends[0])
    assert ratio > 3                                                # "several-fold"
    assert VALUES["digit-pull-t2-ratio-1-4"] == f"{ratio:.1f}"
    slope, _ = practical_slopes(t64(computed.DIGIT_STUDENT), t64(computed.DIGIT_TEACHER))
    assert -1.5 < slope < -0.5                                      # far from −2
    assert VALUES["digit-slope-low"] == f"{slope:.1f}".replace("-", "−")


@check
def digit_preset_high_t():
    temps, norms, norms_t2 = _digit_grid_norms()
    high = high_temperature_range(temps)
    assert round(float(temps[high].min())) == 10 and round(float(temps[high].max())) == 50
    peak = int(norms_t2.argmax())
    assert 1 < float(temps[peak]) < 10 and (norms_t2[peak + 1:] < norms_t2[peak:-1]).all()   # falls back past its peak
    limit_t2 = float(logit_matching_limit(t64(computed.DIGIT_STUDENT), t64(computed.DIGIT_TEACHER), t64([1.0]))[0])
    assert float(norms_t2[-1]) == pytest.approx(limit_t2, rel=0.1)  # settling toward Hinton's limit
    assert abs(log_log_slope(temps[high], norms[high]) + 2) < 0.3


@check
def inverse_square_slope():
    temps = torch.logspace(0, 2, 10, dtype=torch.float64)
    assert log_log_slope(temps, 3.0 / temps ** 2) == pytest.approx(-2.0, abs=1e-12)


@check
def practical_range_is_1_to_4():
    assert PRACTICAL_RANGE == (1.0, 4.0)


@check
def alpha_extremes():
    s, t, y = random_batch(3, 6, seed=5)
    parts = kd_loss_parts(s, t, y, 0.5, 2.0)
    assert float(kd_loss(s, t, y, 1.0, 2.0)) == pytest.approx(float(parts.ce), rel=1e-12)
    assert float(kd_loss(s, t, y, 0.0, 2.0)) == pytest.approx(4.0 * float(parts.kl), rel=1e-12)


@check
def alpha_half_is_not_equal_contributions():
    s, t, y = t64([[3.0, 0.0, -1.0]]), t64([[0.0, 2.0, 0.0]]), torch.tensor([0])
    parts = kd_loss_parts(s, t, y, 0.5, 2.0)
    assert abs(float(parts.weighted_ce) - float(parts.weighted_kd)) > 0.1


@check
def reduction_example_shape():
    from app.web.kd_bodies import ReductionRequest

    body = ReductionRequest()
    example = sequence_example(body.batch_size, body.seq_len, body.prompt_len, body.vocab, body.seed)
    assert example.student.shape[-1] == 16 and IGNORE_INDEX == -100
    assert (example.labels[:, :body.prompt_len] == IGNORE_INDEX).all()


@check
def seed_kl_climbs_token_mean_does_not():
    example = sequence_example(2, 64, 6, 16, 0)
    result = reduction_by_length(example, 2.0)
    assert result.seed_kl[-1] > 5 * result.seed_kl[7]
    later = [k for k in result.token_mean_kl[20:] if k is not None]
    assert max(later) < 1.5 * min(later)


@check
def batchmean_counts_masked_positions():
    g = torch.Generator().manual_seed(6)
    s, t = torch.randn(2, 5, 4, generator=g, dtype=torch.float64), torch.randn(2, 5, 4, generator=g, dtype=torch.float64)
    labels = torch.randint(0, 4, (2, 5), generator=g)
    labels[:, :2] = IGNORE_INDEX
    seed_kl = float(kd_loss_parts(s, t, labels, 0.5, 1.0, kl_reduction="seed").kl)
    per_position = (np_softmax(t.numpy()) * (np_log_softmax(t.numpy()) - np_log_softmax(s.numpy()))).sum(-1)
    assert seed_kl == pytest.approx(per_position.sum() / 2, rel=1e-12)   # every position, / batch size
    longer = torch.cat([s, s], dim=1), torch.cat([t, t], dim=1), torch.cat([labels, labels], dim=1)
    assert float(kd_loss_parts(*longer, 0.5, 1.0, kl_reduction="seed").kl) == pytest.approx(2 * seed_kl)


@check
def ce_ignores_temperature():
    s, t, y = t64([[1.0, 2.0, 0.0]]), t64([[0.0, 1.0, 3.0]]), torch.tensor([2])
    assert float(kd_loss_parts(s, t, y, 0.5, 1.0).ce) == float(kd_loss_parts(s, t, y, 0.5, 7.0).ce)


@check
def t_90_10_to_70_30():
    T = temperature_for_ratio(math.log(9), 7 / 3)
    assert VALUES["quiz-t-90-10-to-70-30"] == f"{T:.2f}"
    assert f"{math.log(9):.4f}" == "2.1972"
    p = soften(t64([2.1972, 0.0]), t64([1.0, float(VALUES["quiz-t-90-10-to-70-30"])]))
    assert p[0, 0] == pytest.approx(0.9, abs=1e-4) and p[1, 0] == pytest.approx(0.7, abs=2e-3)


@check
def digits_are_8x8():
    from app.training.digits.data import NUM_FEATURES, load_split

    assert NUM_FEATURES == 64 and load_split().x_train.shape[1] == 8 * 8


@check
def digits_batch_is_64():
    from app.training.digits.config import DigitsRunConfig

    assert DigitsRunConfig().batch_size == 64


# --- lesson 4.2 -------------------------------------------------------------------------------------

@check
def teacher_size():
    from app.training.tinylm.models import TEACHER, build, n_params
    from app.training.tinylm.teacher import TEACHER_RECIPE

    assert TEACHER.n_layer == 2 and round(n_params(build(TEACHER, 0)), -3) == 103_000
    assert TEACHER_RECIPE["examples"] == 20_000


@check
def drink_is_position_1():
    from app.training.tinylm import task

    truth = task.true_response_probs(task.sample(50, seed=3))[:, 1]            # (N, V) at position 1
    drinks = {task.TOKEN_ID[d] for d in task.DRINKS}
    assert {int(i) for i in truth.nonzero()[:, 1]} <= drinks


@check
def tail_mass_known():
    g = torch.Generator().manual_seed(7)
    logits = torch.randn(3, 50, generator=g, dtype=torch.float64) * 2
    for k in (1, 5, 20):
        ids, logprobs = capture_topk(logits, k)
        coverage = logprobs.exp().sum(-1)
        assert torch.allclose(coverage, mass_kept(logits)[:, k - 1], rtol=1e-12)
        true_tail = torch.softmax(logits, -1).sum(-1) - torch.softmax(logits, -1).gather(-1, ids).sum(-1)
        assert torch.allclose(1 - coverage, true_tail, atol=1e-12)


@check
def logprob_nonpositive():
    assert (torch.log_softmax(torch.randn(1000, dtype=torch.float64) * 10, -1) <= 0).all()


@check
def quiz_teacher_arithmetic():
    text = TEXTS["kd-teacher-capture"].text
    assert "are " + ", ".join(f"{p:.2f}" for p in computed.QUIZ_TEACHER) + "." in text
    p = computed.QUIZ_TEACHER
    assert VALUES["quiz-coverage-at-3"] == f"{p[0] + p[1] + p[2]:.2f}"
    assert VALUES["quiz-kept-at-2"] == f"{p[0] + p[1]:.2f}" == "0.85"
    assert VALUES["quiz-renormalised-top-3dp"] == f"{p[0] / (p[0] + p[1]):.3f}"


# --- lesson 4.4 -------------------------------------------------------------------------------------

@check
def hinton_gap():
    from app.training.tinylm.evaluation import gap_closed

    assert f"{100 * gap_closed(146, 74, 67):.1f}" == "91.1" and (146 - 74, 146 - 67) == (72, 79)


@check
def distilbert_ratio():
    from app.training.tinylm.evaluation import ratio

    assert f"{100 * ratio(77.0, 79.5):.1f}" == "96.9" and round(100 * 77.0 / 79.5) == 97


@check
def held_out_accuracy_precision():
    from app.training.tinylm import evaluation, task

    positions = evaluation.EVAL_EXAMPLES * task.RESPONSE_LEN
    assert positions == 10_000
    half_width = 1.96 * math.sqrt(0.69 * 0.31 / positions)     # 95% interval of an accuracy near 69%
    assert 0.005 < half_width < 0.015


@check
def tea_is_wrong_61_percent():
    from app.training.tinylm import task

    drink = task.tables().drink[task.CUSTOMERS.index("nurse"), task.TIMES.index("morning"), task.SIZES.index("medium")]
    p = dict(zip(task.DRINKS, drink.tolist()))
    assert round(100 * p["tea"]) == 39 and round(100 * p["mocha"]) == 19
    assert max(p, key=p.get) == "tea" and round(100 * (1 - p["tea"])) == 61
