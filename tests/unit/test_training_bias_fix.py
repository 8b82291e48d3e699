"""The prior-matching bias: exact on constructed logits, computed in float64."""
from __future__ import annotations

import torch

from app.training.digits.bias_fix import prior_matching_bias, with_bias


def test_bias_makes_exactly_the_prior_share_predict_the_class():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(200, 10, generator=gen, dtype=torch.float64)
    logits[:, 3] -= 5.0  # class 3 almost never predicted before the fix
    assert (logits.argmax(-1) == 3).sum() < 5
    b = prior_matching_bias(logits, 3, 0.1)
    assert b > 0
    assert int((with_bias(logits, 3, b).argmax(-1) == 3).sum()) == 20


def test_bias_is_the_quantile_of_the_needed_margins():
    # need_i = max_{j≠0} z_ij − z_i0: 1, 2, 3, 4 here; share 0.5 -> between 2 and 3.
    logits = torch.tensor([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0], [0.0, 4.0]], dtype=torch.float64)
    assert prior_matching_bias(logits, 0, 0.5) == 2.5
    assert prior_matching_bias(logits, 0, 0.0) < 1.0
    assert prior_matching_bias(logits, 0, 1.0) > 4.0


def test_with_bias_leaves_its_input_alone():
    logits = torch.zeros(2, 3)
    out = with_bias(logits, 1, 2.0)
    assert logits.sum() == 0 and out[:, 1].tolist() == [2.0, 2.0]
