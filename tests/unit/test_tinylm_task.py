"""The tinylm task: its truth is a distribution, sampling follows it, and it is genuinely uncertain."""
import math

import pytest
import torch

from app.training.tinylm import task
from app.training.tinylm.models import STUDENT, TEACHER, build, n_params


def test_vocabulary_and_layout():
    assert task.V == len(set(task.VOCAB)) == 31
    seqs = task.sample(50, seed=9)
    assert seqs.shape == (50, task.SEQ_LEN)
    assert (seqs[:, 0] == task.BOS).all() and (seqs[:, 3] == task.SEP).all() and (seqs[:, -1] == task.EOS).all()


def test_sampling_is_seeded():
    assert torch.equal(task.sample(20, 5), task.sample(20, 5))
    assert not torch.equal(task.sample(20, 5), task.sample(20, 6))


def test_truth_is_a_distribution_and_the_batch_form_matches_the_scalar_one():
    seqs = task.sample(40, seed=4)
    batch = task.true_response_probs(seqs)
    assert torch.allclose(batch.sum(-1), torch.ones(40, task.RESPONSE_LEN, dtype=torch.float64))
    for row, seq in enumerate(seqs):
        for j in range(task.RESPONSE_LEN):
            assert torch.equal(batch[row, j], task.true_next_probs(seq[: task.PROMPT_LEN + j].tolist()))
    # every sampled token had positive true probability
    gold = seqs[:, task.PROMPT_LEN:]
    assert (batch.gather(-1, gold.unsqueeze(-1)) > 0).all()


def test_sampled_sizes_follow_the_true_table():
    seqs = task.sample(30000, seed=11)
    nurse_noon = (seqs[:, 1] == task.TOKEN_ID["nurse"]) & (seqs[:, 2] == task.TOKEN_ID["noon"])
    sizes = seqs[nurse_noon, 4]
    freq = torch.stack([(sizes == task.TOKEN_ID[s]).double().mean() for s in task.SIZES])
    truth = task.tables().size[task.CUSTOMERS.index("nurse"), task.TIMES.index("noon")]
    n = int(nurse_noon.sum())
    assert n > 1000
    assert torch.allclose(freq, truth, atol=4 * math.sqrt(0.25 / n))   # 4 standard errors


def test_the_next_token_is_often_genuinely_uncertain():
    truth = task.true_response_probs(task.sample(2000, seed=3))[:, :4]    # not the certain <eos>
    top = truth.max(-1).values
    assert (top < 0.7).double().mean() > 0.4       # runner-up mass is common, not rare
    assert (top > 0.95).double().mean() > 0.02     # and some positions are nearly certain


def test_bad_prefixes_are_rejected():
    with pytest.raises(ValueError, match="prefix length"):
        task.true_next_probs([task.BOS, 4, 10])
    with pytest.raises(ValueError, match="not a customer"):
        task.true_next_probs([task.BOS, task.TOKEN_ID["latte"], 10, task.SEP])


def test_the_student_is_several_times_smaller():
    assert n_params(build(TEACHER, 0)) >= 5 * n_params(build(STUDENT, 0))


def test_building_a_model_is_seeded_and_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a, b, c = build(STUDENT, 7), build(STUDENT, 7), build(STUDENT, 8)
    assert torch.equal(torch.rand(3), before)         # no draws from the global generator
    for (name, pa), pb, pc in zip(a.state_dict().items(), b.state_dict().values(), c.state_dict().values()):
        assert torch.equal(pa, pb), name
    assert not torch.equal(a.tok.weight, c.tok.weight)
