"""Forward vs reverse KL fits, and the seed's batchmean against the token mean on sequences."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from app.kd.divergence import GRID, MEANS, _Family, bump_logits, fit_directions, two_peak_teacher
from app.kd.kl import kl_divergence as kl
from app.kd.reduction import reduction_by_length, sequence_example
from tests.reference import kd_reference, log_softmax


def test_kl_matches_numpy():
    rng = np.random.default_rng(0)
    lp, lq = log_softmax(rng.normal(size=20)), log_softmax(rng.normal(size=20))
    want = float((np.exp(lp) * (lp - lq)).sum())
    assert kl(torch.tensor(lp), torch.tensor(lq)).item() == pytest.approx(want, rel=1e-12)



def test_kl_counts_zero_probabilities_as_zero():
    # p has exact zeros (the tiny-LM task's true distributions do): those terms are 0, not NaN.
    p = np.array([0.5, 0.0, 0.25, 0.25])
    q = np.array([0.1, 0.2, 0.3, 0.4])
    want = sum(pi * np.log(pi / qi) for pi, qi in zip(p, q) if pi > 0)
    got = kl(torch.tensor(p).log(), torch.tensor(q).log())
    assert torch.isfinite(got) and got.item() == pytest.approx(want, rel=1e-12)

def test_kl_tables_match_the_direct_sums():
    teacher = two_peak_teacher(4.0, 0.7, 1.3)
    family = _Family(torch.tensor([-1.0, 2.0, 3.5], dtype=torch.float64), torch.tensor([0.5, 2.0], dtype=torch.float64))
    students = torch.log_softmax(bump_logits(torch.tensor([[-1.0], [2.0], [3.5]]), torch.tensor([[0.5, 2.0]])), dim=-1)
    assert torch.allclose(family.log_probs, students, rtol=1e-12)
    forward, reverse = family.kl_tables(teacher)
    assert forward.shape == reverse.shape == (3, 2)
    assert torch.allclose(forward, kl(teacher, students), rtol=1e-10)
    assert torch.allclose(reverse, kl(students, teacher.expand_as(students)), rtol=1e-10)


def test_teacher_is_a_distribution_with_two_peaks():
    p = two_peak_teacher(6.0, 0.5, 1.0).exp()
    assert p.sum().item() == pytest.approx(1.0, abs=1e-12)
    peaks = [i for i in range(1, len(p) - 1) if p[i] > p[i - 1] and p[i] > p[i + 1]]
    assert [round(float(GRID[i]), 1) for i in peaks] == [-3.0, 3.0]


def test_forward_covers_both_peaks_reverse_seeks_one():
    fits = fit_directions(two_peak_teacher(6.0, 0.6, 1.0))
    assert abs(fits.forward.mean) < 1.0 and fits.forward.width > 2.5      # spread over both peaks
    assert fits.reverse.mean == pytest.approx(-3.0, abs=0.2)              # the heavier (left) peak
    assert fits.reverse.width == pytest.approx(1.0, abs=0.15)


def test_best_fits_are_the_minima_of_each_direction():
    teacher = two_peak_teacher(5.0, 0.3, 0.8)
    fits = fit_directions(teacher)
    # the fine search starts at the coarse optimum, so it can only improve on it
    assert fits.forward.kl <= float(fits.forward_by_mean.min()) + 1e-12
    assert fits.reverse.kl <= float(fits.reverse_by_mean.min()) + 1e-12
    # and no family member on a dense brute-force grid does better than either fit (within grid error)
    means = torch.linspace(-7, 7, 141, dtype=torch.float64)
    widths = torch.exp(torch.linspace(-1.0, 1.8, 80, dtype=torch.float64))
    students = torch.log_softmax(bump_logits(means.unsqueeze(1), widths.unsqueeze(0)), dim=-1)
    assert fits.forward.kl <= kl(teacher, students).min().item() + 1e-4
    assert fits.reverse.kl <= kl(students, teacher.expand_as(students)).min().item() + 1e-4
    assert kl(teacher, fits.forward.log_probs).item() == pytest.approx(fits.forward.kl)
    assert kl(fits.reverse.log_probs, teacher).item() == pytest.approx(fits.reverse.kl)
    # reverse KL has a valley at each peak: two local minima along the mean axis
    r = fits.reverse_by_mean.numpy()
    valleys = [float(MEANS[i]) for i in range(1, len(r) - 1) if r[i] < r[i - 1] and r[i] < r[i + 1]]
    assert len(valleys) == 2


def test_seed_kl_grows_with_length_and_counts_the_prompt():
    example = sequence_example(batch=2, seq_len=16, prompt_len=5, vocab=12, seed=3)
    result = reduction_by_length(example, T=2.0)
    assert result.lengths == list(range(1, 17))
    assert all(b > a for a, b in zip(result.seed_kl, result.seed_kl[1:]))
    assert result.token_mean_kl[:5] == [None] * 5 and result.masked[-1] == 2 * 5
    assert result.labelled[-1] == 2 * 11
    s, t, y = (x.numpy() for x in (example.student, example.teacher, example.labels))
    assert result.seed_kl[-1] == pytest.approx(kd_reference(s, t, y, 0.0, 2.0, "seed")[1], rel=1e-10)
    assert result.token_mean_kl[-1] == pytest.approx(kd_reference(s, t, y, 0.0, 2.0, "token_mean")[1], rel=1e-10)
    for n in (6, 9, 13):   # prefixes agree with the reference too, not only the full length
        cut = (s[:, :n], t[:, :n], y[:, :n])
        assert result.seed_kl[n - 1] == pytest.approx(kd_reference(*cut, 0.0, 2.0, "seed")[1], rel=1e-10)
        assert result.token_mean_kl[n - 1] == pytest.approx(kd_reference(*cut, 0.0, 2.0, "token_mean")[1], rel=1e-10)
    # seed = (sum over every position) / batch: the per-position table adds up to it
    assert result.per_position.sum().item() / 2 == pytest.approx(result.seed_kl[-1], rel=1e-12)


def test_a_longer_or_bigger_example_extends_the_same_one():
    """Moving the length or batch slider must add positions or rows, not redraw every logit."""
    small = sequence_example(batch=2, seq_len=10, prompt_len=4, vocab=16, seed=0)
    large = sequence_example(batch=5, seq_len=30, prompt_len=4, vocab=16, seed=0)
    assert torch.equal(large.student[:2, :10], small.student)
    assert torch.equal(large.teacher[:2, :10], small.teacher)
    assert torch.equal(large.labels[:2, :10], small.labels)
    other_seed = sequence_example(batch=2, seq_len=10, prompt_len=4, vocab=16, seed=1)
    assert not torch.equal(other_seed.teacher, small.teacher)
    with pytest.raises(ValueError):
        sequence_example(batch=2, seq_len=5, prompt_len=6, vocab=16, seed=0)
