"""The top-k teacher loss: k = V is the full token_mean kd_loss; re-tempering stored logprobs is exact."""
import pytest
import torch
import torch.nn.functional as F

from app.kd.loss import kd_loss, kd_loss_parts
from app.kd.topk import (capture_topk, mass_kept, retemper, smallest_k_for_coverage, topk_kd_loss, topk_kd_loss_parts,
                         topk_kl_per_position)


def _case(seed: int, b: int = 3, n: int = 7, v: int = 11):
    gen = torch.Generator().manual_seed(seed)
    student = torch.randn(b, n, v, generator=gen, dtype=torch.float64) * 2
    teacher = torch.randn(b, n, v, generator=gen, dtype=torch.float64) * 3
    labels = torch.randint(v, (b, n), generator=gen)
    labels[:, :3] = -100                               # a prompt
    labels[0, -1] = -100                               # and a padded position
    return student, teacher, labels


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("alpha, T, tc", [(0.5, 2.0, 1.0), (0.0, 1.0, 1.0), (0.3, 4.0, 2.0), (1.0, 0.5, 1.0)])
def test_k_equal_v_is_the_full_token_mean_loss(seed, alpha, T, tc):
    student, teacher, labels = _case(seed)
    ids, lps = capture_topk(teacher, k=teacher.size(-1), capture_temperature=tc)
    full = kd_loss_parts(student, teacher, labels, alpha, T, kl_reduction="token_mean")
    top = topk_kd_loss_parts(student, ids, lps, labels, alpha, T, capture_temperature=tc)
    for name in ("ce", "kl", "kd_term", "loss"):
        assert torch.allclose(getattr(top, name), getattr(full, name), atol=1e-12, rtol=0), name


def test_k_equal_v_gradients_match():
    student, teacher, labels = _case(7)
    s1 = student.clone().requires_grad_(True)
    s2 = student.clone().requires_grad_(True)
    kd_loss(s1, teacher, labels, 0.4, 3.0, kl_reduction="token_mean").backward()
    ids, lps = capture_topk(teacher, k=teacher.size(-1))
    topk_kd_loss(s2, ids, lps, labels, 0.4, 3.0).backward()
    assert torch.allclose(s1.grad, s2.grad, atol=1e-12)


def test_retemper_is_the_tempered_teacher_restricted_to_the_kept_ids():
    _, teacher, _ = _case(1)
    for tc, T in [(1.0, 2.0), (2.0, 0.7), (1.5, 1.5)]:
        ids, lps = capture_topk(teacher, k=4, capture_temperature=tc)
        tempered = F.softmax(teacher / T, dim=-1).gather(-1, ids)
        expected = tempered / tempered.sum(-1, keepdim=True)
        assert torch.allclose(retemper(lps, T, tc).exp(), expected, atol=1e-12)


def test_small_k_differs_from_full_and_k1_keeps_only_the_argmax():
    student, teacher, labels = _case(2)
    full = kd_loss_parts(student, teacher, labels, 0.5, 2.0, kl_reduction="token_mean").kl
    ids, lps = capture_topk(teacher, k=3)
    assert not torch.allclose(topk_kd_loss_parts(student, ids, lps, labels, 0.5, 2.0).kl, full)
    # k = 1: the renormalised teacher is one-hot on its argmax, so the KL is −log q(argmax).
    ids1, lps1 = capture_topk(teacher, k=1)
    per_pos = topk_kl_per_position(student, ids1, lps1, T=2.0)
    expected = -F.log_softmax(student / 2.0, dim=-1).gather(-1, ids1).squeeze(-1)
    assert torch.allclose(per_pos, expected, atol=1e-12)


def test_capture_is_sorted_and_coverage_rises_to_one():
    _, teacher, _ = _case(3)
    ids, lps = capture_topk(teacher, k=5)
    assert (lps[..., :-1] >= lps[..., 1:]).all()
    assert torch.equal(ids[..., 0], teacher.argmax(-1))
    cov = mass_kept(teacher)
    assert (cov[..., 1:] >= cov[..., :-1] - 1e-15).all()
    assert torch.allclose(cov[..., -1], torch.ones_like(cov[..., -1]))
    assert torch.allclose(cov[..., 4], lps.exp().sum(-1))


def test_prompt_positions_do_not_count():
    student, teacher, labels = _case(4)
    ids, lps = capture_topk(teacher, k=4)
    base = topk_kd_loss(student, ids, lps, labels)
    lps2 = lps.clone()
    lps2[labels == -100] = 0.0               # different filler at masked positions
    ids2 = ids.clone()
    ids2[labels == -100] = 0
    assert torch.allclose(base, topk_kd_loss(student, ids2, lps2, labels), atol=1e-12)


@pytest.mark.parametrize("kwargs, field", [({"alpha": 1.5}, "alpha"), ({"T": 0.0}, "temperature"),
                                           ({"capture_temperature": -1.0}, "temperature")])
def test_bad_arguments_are_rejected(kwargs, field):
    student, teacher, labels = _case(5)
    ids, lps = capture_topk(teacher, k=3)
    with pytest.raises(ValueError, match=field):
        topk_kd_loss_parts(student, ids, lps, labels, **kwargs)


def test_shape_mismatch_is_rejected():
    student, teacher, labels = _case(6)
    ids, lps = capture_topk(teacher, k=3)
    with pytest.raises(ValueError, match="positions"):
        topk_kl_per_position(student[:, :-1], ids, lps, T=1.0)


def test_the_smallest_k_for_a_coverage_is_where_the_curve_first_reaches_it():
    cov = mass_kept(torch.log(torch.tensor([0.60, 0.25, 0.10, 0.03, 0.02], dtype=torch.float64)))
    assert [smallest_k_for_coverage(cov, s) for s in (0.5, 0.6, 0.85, 0.9, 0.95, 0.99, 1.0)] == [1, 1, 2, 3, 3, 5, 5]
    with pytest.raises(ValueError, match="share"):
        smallest_k_for_coverage(cov, 0.0)
    with pytest.raises(ValueError, match="never reaches"):
        smallest_k_for_coverage(cov[:2], 0.95)
