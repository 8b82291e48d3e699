"""The tinylm distillation on CUDA (skipped without a CUDA device)."""
from __future__ import annotations

import threading

import pytest
import torch

from app.training.tinylm.experiment import TinyLMExperiment

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]


@pytest.fixture(scope="module")
def final_record(test_settings):
    experiment = TinyLMExperiment(test_settings.cache_dir)

    def final(config: dict, device: str) -> dict:
        return list(experiment.run(config, torch.device(device), threading.Event()))[-1]
    return final


def test_kd_beats_sft_on_cuda(final_record):
    kd = final_record({"steps": 400, "examples": 300, "seed": 0}, "cuda")
    sft = final_record({"steps": 400, "examples": 300, "seed": 0, "training_mode": "sft"}, "cuda")
    assert kd["device"].startswith("cuda")
    assert kd["student"]["kl_to_truth"] < 0.75 * sft["student"]["kl_to_truth"]


def test_cuda_and_cpu_agree_closely(final_record):
    cfg = {"steps": 100, "examples": 100, "seed": 2}
    gpu, cpu = final_record(cfg, "cuda"), final_record(cfg, "cpu")
    assert gpu["student"]["kl_to_truth"] == pytest.approx(cpu["student"]["kl_to_truth"], rel=0.05)
