"""The temperature helpers behind lesson 4.3's runner-up claims and its prediction, against closed forms."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from app.kd.temperature import (dprob_dtemperature, runner_up_index, soften, temperature_for_share,
                                weighted_mean_logit)
from tests.reference import softmax


@settings(max_examples=60, deadline=None)
@given(gap=st.floats(0.2, 12), share=st.floats(0.02, 0.45))
def test_two_classes_reach_a_share_at_the_closed_form_temperature(gap, share):
    # p2 / p1 = exp(−gap / T) and p2 = share  =>  T = gap / ln((1 − share) / share)
    want = gap / math.log((1 - share) / share)
    got = temperature_for_share(torch.tensor([gap, 0.0], dtype=torch.float64), 1, share, 0.01, 1000)
    assert got == pytest.approx(want, rel=1e-9)


def test_a_share_never_reached_answers_none_and_bad_arguments_are_refused():
    uniformish = torch.tensor([0.3] + [0.0] * 9, dtype=torch.float64)
    assert temperature_for_share(uniformish, 1, 0.2) is None            # at most ~10% at any T
    with pytest.raises(ValueError, match="share"):
        temperature_for_share(uniformish, 1, 1.0)
    with pytest.raises(ValueError, match="t_min"):
        temperature_for_share(uniformish, 1, 0.1, 5.0, 1.0)


def test_the_first_crossing_is_found_when_a_class_rises_then_falls():
    z = torch.tensor([6.0, 5.5, 4.5, 4.2, 3.6, 3.1, 2.4, 1.0], dtype=torch.float64)
    T = temperature_for_share(z, 1, 0.2)
    p = lambda t: float(softmax(z.numpy() / t)[1])                       # noqa: E731
    assert p(T) == pytest.approx(0.2, abs=1e-12)
    assert all(p(t) < 0.2 for t in np.linspace(0.1, T * 0.999, 200))


def test_the_rate_of_change_is_the_weighted_mean_rule_and_matches_finite_differences():
    z = torch.tensor([2.0, -1.0, 0.5, 3.25, 3.0], dtype=torch.float64)
    T = torch.tensor([0.5, 1.0, 2.0, 6.0], dtype=torch.float64)
    h = 1e-6
    numeric = (soften(z, T + h) - soften(z, T - h)) / (2 * h)
    assert torch.allclose(dprob_dtemperature(z, T), numeric, atol=1e-8)
    mean = weighted_mean_logit(z, soften(z, T))
    assert torch.allclose(mean, (soften(z, T) * z).sum(-1), rtol=1e-15)


def test_the_runner_up_is_the_second_largest_logit():
    assert runner_up_index(torch.tensor([1.0, 5.0, 3.0, 4.0])) == 3
    with pytest.raises(ValueError):
        runner_up_index(torch.tensor([1.0]))
