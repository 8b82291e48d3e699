"""kd_loss against the course's own code and against an independent float64 reference."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from app.kd import kd_loss, kd_loss_parts
from tests.reference import kd_reference

TEMPERATURES = [0.1, 0.5, 1.0, 2.0, 4.0, 10.0, 20.0]
ALPHAS = [0.0, 0.5, 1.0]


def seed_kd_loss(student_logits, teacher_logits, labels, alpha=0.5, T=2.0):
    """The lesson's code, verbatim."""
    ce = F.cross_entropy(
        student_logits.view(-1, student_logits.size(-1)),
        labels.view(-1), ignore_index=-100)
    s_log = F.log_softmax(student_logits / T, dim=-1)
    t_prob = F.softmax(teacher_logits / T, dim=-1)
    kl = F.kl_div(s_log, t_prob, reduction="batchmean") * (T * T)
    return alpha * ce + (1.0 - alpha) * kl


def make_batch(shape, vocab, seed, masked_prefix=0, scale=3.0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    student = torch.randn(*shape, vocab, generator=g, dtype=dtype) * scale
    teacher = torch.randn(*shape, vocab, generator=g, dtype=dtype) * scale
    labels = torch.randint(0, vocab, shape, generator=g)
    if masked_prefix:
        labels[..., :masked_prefix] = -100
    return student, teacher, labels


@pytest.mark.parametrize("shape,masked", [((8,), 0), ((3, 7), 2), ((2, 12), 5)])
@pytest.mark.parametrize("T", TEMPERATURES)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_default_matches_the_seed_code(shape, masked, T, alpha):
    student, teacher, labels = make_batch(shape, 11, seed=len(shape) * 100 + masked, masked_prefix=masked)
    ours = kd_loss(student, teacher, labels, alpha=alpha, T=T)
    theirs = seed_kd_loss(student, teacher, labels, alpha=alpha, T=T)
    assert torch.allclose(ours, theirs, rtol=1e-6, atol=1e-6), (ours.item(), theirs.item())


@pytest.mark.parametrize("reduction", ["seed", "token_mean"])
@pytest.mark.parametrize("shape,masked", [((16,), 0), ((4, 9), 3)])
@pytest.mark.parametrize("T", TEMPERATURES)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_matches_float64_reference(reduction, shape, masked, T, alpha):
    student, teacher, labels = make_batch(shape, 13, seed=7 + masked, masked_prefix=masked, dtype=torch.float64)
    parts = kd_loss_parts(student, teacher, labels, alpha=alpha, T=T, kl_reduction=reduction)
    ce, kl, loss = kd_reference(student.numpy(), teacher.numpy(), labels.numpy(), alpha, T, reduction)
    assert parts.ce.item() == pytest.approx(ce, rel=1e-10, abs=1e-12)
    assert parts.kl.item() == pytest.approx(kl, rel=1e-9, abs=1e-12)
    assert parts.loss.item() == pytest.approx(loss, rel=1e-9, abs=1e-12)
    assert parts.kd_term.item() == pytest.approx(T * T * kl, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("T", TEMPERATURES)
def test_float32_close_to_float64_reference(T):
    student, teacher, labels = make_batch((4, 6), 32, seed=3, masked_prefix=2)
    got = kd_loss(student, teacher, labels, alpha=0.3, T=T, kl_reduction="token_mean").item()
    want = kd_reference(student.double().numpy(), teacher.double().numpy(), labels.numpy(), 0.3, T, "token_mean")[2]
    assert got == pytest.approx(want, rel=2e-5, abs=1e-5)


def test_seed_batchmean_grows_with_sequence_length_but_token_mean_does_not():
    # The same per-position logits repeated: a longer sequence should not be "more KL" per token.
    student, teacher, labels = make_batch((2, 1), 7, seed=11)
    short = dict(student_logits=student, teacher_logits=teacher, labels=labels, alpha=0.0, T=2.0)
    long = dict(student_logits=student.repeat(1, 6, 1), teacher_logits=teacher.repeat(1, 6, 1),
                labels=labels.repeat(1, 6), alpha=0.0, T=2.0)
    seed_short, seed_long = kd_loss_parts(**short).kl, kd_loss_parts(**long).kl
    tm_short = kd_loss_parts(**short, kl_reduction="token_mean").kl
    tm_long = kd_loss_parts(**long, kl_reduction="token_mean").kl
    assert seed_long.item() == pytest.approx(6 * seed_short.item(), rel=1e-5)
    assert tm_long.item() == pytest.approx(tm_short.item(), rel=1e-5)


def test_seed_counts_masked_positions_token_mean_skips_them():
    student, teacher, labels = make_batch((1, 4), 5, seed=5)
    masked = labels.clone()
    masked[0, :2] = -100
    seed_all = kd_loss_parts(student, teacher, labels, kl_reduction="seed").kl
    seed_masked = kd_loss_parts(student, teacher, masked, kl_reduction="seed").kl
    assert seed_masked.item() == pytest.approx(seed_all.item())  # labels never reach the seed's KL
    tm_masked = kd_loss_parts(student, teacher, masked, kl_reduction="token_mean").kl.item()
    ref = kd_reference(student.double().numpy(), teacher.double().numpy(), masked.numpy(), 0.5, 2.0, "token_mean")[1]
    assert tm_masked == pytest.approx(ref, rel=1e-5)


def test_no_labelled_position_gives_zero_token_mean_kl_not_nan():
    student, teacher, labels = make_batch((1, 3), 5, seed=1)
    parts = kd_loss_parts(student, teacher, torch.full_like(labels, -100), kl_reduction="token_mean")
    assert parts.kl.item() == 0.0


def test_bad_arguments_are_refused_with_a_reason():
    s, t, y = make_batch((2,), 3, seed=0)
    with pytest.raises(ValueError, match="alpha"):
        kd_loss(s, t, y, alpha=1.5)
    with pytest.raises(ValueError, match="temperature"):
        kd_loss(s, t, y, T=0.0)
    with pytest.raises(ValueError, match="same shape"):
        kd_loss(s, t[:, :2], y)
    with pytest.raises(ValueError, match="kl_reduction"):
        kd_loss(s, t, y, kl_reduction="sum")


# --- properties -------------------------------------------------------------------------------------

logits_arrays = st.integers(min_value=2, max_value=12).flatmap(
    lambda vocab: st.tuples(
        st.lists(st.lists(st.floats(-100, 100, allow_nan=False), min_size=vocab, max_size=vocab),
                 min_size=1, max_size=4),
        st.lists(st.lists(st.floats(-100, 100, allow_nan=False), min_size=vocab, max_size=vocab),
                 min_size=1, max_size=4),
    ).filter(lambda pair: len(pair[0]) == len(pair[1])).map(lambda pair: (vocab, *pair)))

temperatures = st.sampled_from([0.1, 0.3, 1.0, 2.0, 5.0, 20.0])


def _labels(rows: int, vocab: int) -> torch.Tensor:
    return torch.arange(rows) % vocab


@settings(max_examples=150, deadline=None)
@given(data=logits_arrays, T=temperatures, reduction=st.sampled_from(["seed", "token_mean"]))
def test_kl_is_never_negative_and_everything_finite(data, T, reduction):
    vocab, s, t = data
    student, teacher = torch.tensor(s), torch.tensor(t)
    parts = kd_loss_parts(student, teacher, _labels(len(s), vocab), alpha=0.5, T=T, kl_reduction=reduction)
    assert parts.kl.item() >= -1e-6
    for value in (parts.ce, parts.kl, parts.loss):
        assert math.isfinite(value.item())


@settings(max_examples=100, deadline=None)
@given(data=logits_arrays, T=temperatures)
def test_kl_is_zero_when_student_equals_teacher(data, T):
    vocab, s, _ = data
    student = torch.tensor(s)
    parts = kd_loss_parts(student, student.clone(), _labels(len(s), vocab), T=T)
    assert abs(parts.kl.item()) <= 1e-6


@settings(max_examples=100, deadline=None)
@given(data=logits_arrays, T=temperatures)
def test_alpha_one_is_plain_cross_entropy(data, T):
    vocab, s, t = data
    labels = _labels(len(s), vocab)
    got = kd_loss(torch.tensor(s, dtype=torch.float64), torch.tensor(t, dtype=torch.float64), labels, alpha=1.0, T=T)
    ce = kd_reference(np.array(s), np.array(t), labels.numpy(), 1.0, T)[0]
    assert got.item() == pytest.approx(ce, rel=1e-9, abs=1e-9)


def test_extreme_logits_at_low_temperature_stay_finite_with_finite_gradients():
    student = torch.tensor([[100.0, -100.0, 0.0], [-100.0, 100.0, 100.0]], requires_grad=True)
    teacher = torch.tensor([[-100.0, 100.0, 0.0], [100.0, -100.0, -100.0]])
    loss = kd_loss(student, teacher, torch.tensor([0, 1]), alpha=0.5, T=0.1)
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.isfinite(student.grad).all()
