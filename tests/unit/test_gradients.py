"""Gradients of the KD loss's parts and the T² analysis against the float64 reference."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from app.kd.gradients import (PRACTICAL_POINTS, high_temperature_range, kl_gradient_norms, log_log_slope,
                              logit_matching_limit, loss_with_gradients, practical_slopes, pull_ratio_t2,
                              same_up_to_a_shift)
from tests.reference import (kd_gradients_reference, kd_reference, kl_gradient_norm_reference,
                             slope_reference)


def batch(shape, vocab, seed, masked_prefix=0):
    rng = np.random.default_rng(seed)
    student = rng.normal(size=(*shape, vocab)) * 3
    teacher = rng.normal(size=(*shape, vocab)) * 3
    labels = rng.integers(0, vocab, size=shape)
    labels[..., :masked_prefix] = -100
    return student, teacher, labels


@pytest.mark.parametrize("reduction", ["seed", "token_mean"])
@pytest.mark.parametrize("shape,masked", [((1,), 0), ((5,), 0), ((3, 6), 2)])
@pytest.mark.parametrize("alpha,T", [(0.0, 1.0), (0.3, 2.0), (0.5, 0.5), (1.0, 4.0), (0.8, 20.0)])
def test_gradients_match_the_analytic_reference(reduction, shape, masked, alpha, T):
    s, t, y = batch(shape, 7, seed=len(shape) + masked, masked_prefix=masked)
    got = loss_with_gradients(torch.tensor(s), torch.tensor(t), torch.tensor(y), alpha, T, kl_reduction=reduction)
    want_ce, want_kd = kd_gradients_reference(s, t, y, alpha, T, reduction)
    np.testing.assert_allclose(got.grad_ce.numpy(), want_ce, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.grad_kd.numpy(), want_kd, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.grad_total.numpy(), want_ce + want_kd, rtol=1e-9, atol=1e-12)
    ce, kl, loss = kd_reference(s, t, y, alpha, T, reduction)
    assert got.parts.loss.item() == pytest.approx(loss, rel=1e-10)
    assert not got.parts.loss.requires_grad


def test_no_labelled_position_gives_zero_ce_and_its_gradient():
    s, t, y = batch((1, 4), 5, seed=2, masked_prefix=4)
    got = loss_with_gradients(torch.tensor(s), torch.tensor(t), torch.tensor(y), 0.5, 2.0, kl_reduction="seed")
    assert got.parts.ce.item() == 0.0
    assert torch.count_nonzero(got.grad_ce) == 0
    assert torch.count_nonzero(got.grad_kd) > 0


def test_each_gradient_row_sums_to_zero():
    # Softmax ignores a shift of all logits, so no term can ask for one: every row's gradient sums to 0.
    s, t, y = batch((4,), 9, seed=5)
    got = loss_with_gradients(torch.tensor(s), torch.tensor(t), torch.tensor(y), 0.4, 3.0)
    assert torch.allclose(got.grad_total.sum(dim=-1), torch.zeros(4, dtype=torch.float64), atol=1e-12)


TEMPS = np.exp(np.linspace(np.log(0.5), np.log(50), 49))


@pytest.mark.parametrize("seed", range(4))
def test_gradient_norms_and_high_t_slopes_match_reference(seed):
    rng = np.random.default_rng(100 + seed)
    z, v = rng.normal(size=10) * 2, rng.normal(size=10) * 2
    temps = torch.tensor(TEMPS)
    norms, norms_t2 = kl_gradient_norms(torch.tensor(z), torch.tensor(v), temps)
    want = np.array([kl_gradient_norm_reference(z, v, T) for T in TEMPS])
    np.testing.assert_allclose(norms.numpy(), want, rtol=1e-9)
    np.testing.assert_allclose(norms_t2.numpy(), want * TEMPS ** 2, rtol=1e-9)

    high = high_temperature_range(temps)
    assert float(temps[high].min()) >= 10.0
    slope = log_log_slope(temps[high], norms[high])
    slope_t2 = log_log_slope(temps[high], norms_t2[high])
    assert slope == pytest.approx(slope_reference(TEMPS[TEMPS >= 10], want[TEMPS >= 10]), abs=1e-9)
    assert slope == pytest.approx(-2.0, abs=0.1)
    assert slope_t2 == pytest.approx(0.0, abs=0.1)


def test_logit_matching_limit_is_where_the_norm_goes_at_high_t():
    z = torch.tensor([3.0, 1.0, -0.5, 0.2], dtype=torch.float64) + 7.0   # a shift changes nothing
    v = torch.tensor([2.0, 2.5, -1.0, 0.0], dtype=torch.float64)
    temps = torch.tensor([1.0, 10.0, 100.0, 1000.0], dtype=torch.float64)
    norms, _ = kl_gradient_norms(z, v, temps)
    limit = logit_matching_limit(z, v, temps)
    ratio = (norms / limit).numpy()
    assert abs(ratio[-1] - 1) < 1e-3 and abs(ratio[-1] - 1) < abs(ratio[1] - 1) < abs(ratio[0] - 1)


def test_a_shift_is_no_difference():
    z = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    assert same_up_to_a_shift(z, z + 5.0)
    assert not same_up_to_a_shift(z, z * 1.001)


def test_slope_is_none_without_two_positive_values():
    temps = torch.tensor([1.0, 2.0, 3.0])
    assert log_log_slope(temps, torch.zeros(3)) is None
    assert log_log_slope(temps, torch.tensor([0.0, 0.0, 1.0])) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-20, 20), min_size=2, max_size=12), st.floats(0.1, 50))
def test_kl_gradient_norm_is_finite_and_matches_reference(logits, T):
    z = np.array(logits)
    v = np.roll(z, 1) + 0.5
    norms, _ = kl_gradient_norms(torch.tensor(z), torch.tensor(v), torch.tensor([T], dtype=torch.float64))
    assert norms.item() == pytest.approx(kl_gradient_norm_reference(z, v, T), rel=1e-8, abs=1e-14)


def test_the_practical_range_slopes_and_pull_ratio_match_the_reference():
    rng = np.random.default_rng(11)
    z, v = rng.normal(size=6) * 3, rng.normal(size=6) * 3
    temps = np.exp(np.linspace(np.log(1.0), np.log(4.0), PRACTICAL_POINTS))
    norms = np.array([kl_gradient_norm_reference(z, v, T) for T in temps])
    slope, slope_t2 = practical_slopes(torch.tensor(z), torch.tensor(v))
    assert slope == pytest.approx(slope_reference(temps, norms), abs=1e-9)
    assert slope_t2 == pytest.approx(slope_reference(temps, norms * temps ** 2), abs=1e-9)
    want = kl_gradient_norm_reference(z, v, 4.0) * 16 / kl_gradient_norm_reference(z, v, 1.0)
    assert pull_ratio_t2(torch.tensor(z), torch.tensor(v), 1.0, 4.0) == pytest.approx(want, rel=1e-9)
    same = torch.tensor([1.0, 2.0, 3.0])
    assert practical_slopes(same, same + 5) is None and pull_ratio_t2(same, same + 5, 1.0, 4.0) is None
