"""The teacher cache: trains when missing or unreadable, loads otherwise, deterministic recipe."""
from __future__ import annotations

import torch

import app.training.digits.teacher as tc
from app.training.digits.data import load_split
from app.training.digits.teacher import DigitsTeacherCache, TeacherRecipe

SMALL = TeacherRecipe(hidden=(16,), steps=30)


def test_missing_cache_trains_and_saves_then_loads(tmp_path, monkeypatch):
    first = DigitsTeacherCache(tmp_path, SMALL).get()
    assert (tmp_path / f"digits-teacher-{SMALL.cache_key()}.pt").exists()

    def no_training(*args, **kwargs):
        raise AssertionError("the cached teacher should have been loaded, not retrained")

    monkeypatch.setattr(tc, "train_teacher", no_training)
    second = DigitsTeacherCache(tmp_path, SMALL).get()
    assert torch.equal(first.train_logits, second.train_logits)


def test_unreadable_cache_is_retrained(tmp_path):
    cache = DigitsTeacherCache(tmp_path, SMALL)
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    cache.path.write_bytes(b"not a checkpoint")
    teacher = cache.get()
    assert teacher.train_logits.shape == (load_split().x_train.shape[0], 10)
    assert torch.load(cache.path, weights_only=True)  # rewritten with real weights


def test_recipe_is_deterministic_and_keyed():
    split = load_split()
    a, b = tc.train_teacher(split, SMALL), tc.train_teacher(split, SMALL)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert SMALL.cache_key() != TeacherRecipe(hidden=(16,), steps=31).cache_key()


def test_training_the_teacher_leaves_the_global_rng_alone():
    torch.manual_seed(42)
    expected = torch.rand(3)
    torch.manual_seed(42)
    tc.train_teacher(load_split(), SMALL)
    assert torch.equal(torch.rand(3), expected)
