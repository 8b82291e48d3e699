"""The digits trainer on CUDA (skipped without a CUDA device)."""
from __future__ import annotations

import pytest
import torch

from app.device import resolve_device
from app.training.digits.data import load_split
from app.training.digits.config import DigitsRunConfig
from app.training.digits.teacher import DigitsTeacherCache
from app.training.digits.trainer import train_digits_student

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]


def test_auto_picks_cuda():
    assert resolve_device("auto").type == "cuda"


def test_the_missing_3_on_cuda(test_settings):
    teacher = DigitsTeacherCache(test_settings.cache_dir).get("cuda")
    assert teacher.test_acc >= 0.96
    split = load_split("cuda")
    base = DigitsRunConfig(steps=2000, seed=0, omit_class=3)
    kd = list(train_digits_student(base, teacher=teacher, split=split))[-1]
    sft = list(train_digits_student(DigitsRunConfig(steps=2000, seed=0, omit_class=3, alpha=1.0), teacher=teacher, split=split))[-1]
    assert kd["device"].startswith("cuda")
    assert sft["omitted_class_acc"] == 0.0 and kd["omitted_class_acc"] >= 0.8


def test_cuda_runs_repeat_closely(test_settings):
    # CUDA kernels may differ from CPU in the last bits; two CUDA runs of one config should agree closely.
    teacher = DigitsTeacherCache(test_settings.cache_dir).get("cuda")
    cfg = DigitsRunConfig(steps=300, seed=5)
    a, b = (list(train_digits_student(cfg, teacher=teacher, split=load_split("cuda")))[-1] for _ in range(2))
    assert a["test_acc"] == pytest.approx(b["test_acc"], abs=0.01)
