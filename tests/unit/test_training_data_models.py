"""The digits split and the MLPs: fixed, stratified, and seeded only through a Generator."""
from __future__ import annotations

import torch

from app.training.digits.data import NUM_CLASSES, load_split
from app.training.digits.models import describe, init_from_generator, mlp, student

import pytest


def test_split_is_fixed_disjoint_and_stratified():
    a, b = load_split(), load_split()
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    n = a.x_train.shape[0] + a.x_val.shape[0] + a.x_test.shape[0]
    assert n == 1797
    assert a.x_test.shape[0] == 450
    # Stratified: every class has nearly its 1/10 share of the test set (digits is balanced).
    counts = torch.bincount(a.y_test, minlength=NUM_CLASSES)
    assert counts.min() >= 43 and counts.max() <= 47
    assert float(a.x_train.min()) >= 0.0 and float(a.x_train.max()) <= 1.0
    # No image sits in two parts (digits has no exact duplicates across these rows).
    rows = {tuple(r.tolist()) for r in a.x_train}
    assert not any(tuple(r.tolist()) in rows for r in a.x_test)


def test_callers_get_their_own_tensors():
    a = load_split()
    a.x_train.zero_()
    assert load_split().x_train.sum() > 0


def test_student_weights_depend_only_on_the_generator():
    torch.manual_seed(999)  # the global RNG must not matter
    s1 = student(32, torch.Generator().manual_seed(5))
    torch.manual_seed(1)
    s2 = student(32, torch.Generator().manual_seed(5))
    s3 = student(32, torch.Generator().manual_seed(6))
    for p1, p2, p3 in zip(s1.parameters(), s2.parameters(), s3.parameters()):
        assert torch.equal(p1, p2)
        assert not torch.equal(p1, p3)
    assert describe(s1) == "64-32-10"


def test_init_matches_nn_linear_bounds():
    model = init_from_generator(mlp((256, 256)), torch.Generator().manual_seed(0))
    assert describe(model) == "64-256-256-10"
    first = model[0]
    bound = 1 / 64 ** 0.5
    assert first.weight.abs().max() <= bound and first.weight.abs().max() > 0.9 * bound


@pytest.mark.parametrize("hidden", [7, 65])
def test_student_width_outside_range_is_refused(hidden):
    with pytest.raises(ValueError, match="student_hidden"):
        student(hidden, torch.Generator())
