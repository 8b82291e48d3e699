"""The tinylm distillation on CUDA (skipped without a CUDA device)."""
from __future__ import annotations

import threading

import pytest
import torch

from app.training.tinylm.experiment import make_run
from app.training.tinylm.teacher import cache_dir

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]


def _final(config: dict, device: str) -> dict:
    return list(make_run(cache_dir())(config, torch.device(device), threading.Event()))[-1]


def test_kd_beats_sft_on_cuda():
    kd = _final({"steps": 400, "examples": 300, "seed": 0}, "cuda")
    sft = _final({"steps": 400, "examples": 300, "seed": 0, "training_mode": "sft"}, "cuda")
    assert kd["device"].startswith("cuda")
    assert kd["student"]["kl_to_truth"] < 0.75 * sft["student"]["kl_to_truth"]


def test_cuda_and_cpu_agree_closely():
    cfg = {"steps": 100, "examples": 100, "seed": 2}
    gpu, cpu = _final(cfg, "cuda"), _final(cfg, "cpu")
    assert gpu["student"]["kl_to_truth"] == pytest.approx(cpu["student"]["kl_to_truth"], rel=0.05)
