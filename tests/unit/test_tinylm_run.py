"""The live tinylm run keeps the RunManager contract: step records, one done record, prompt cancel."""
import threading

import pytest
import torch

from app.training.tinylm.config import TinyLMRunConfig, config_problems


def test_defaults_are_valid_and_bad_fields_are_named():
    assert config_problems({}) == {}
    assert config_problems(TinyLMRunConfig().as_dict()) == {}
    # omit_class is a digits setting: the old flat body sent it for every experiment, `config` does not.
    assert config_problems({"omit_class": None}) == {"omit_class": "not a tinylm run setting"}
    problems = config_problems({"alpha": 1.5, "temperature": 0, "top_k": 40, "student_hidden": 10,
                                "training_mode": "rl", "omit_class": 3, "colour": "red", "steps": 0,
                                "seed": True, "examples": 2})
    assert set(problems) == {"alpha", "temperature", "top_k", "student_hidden", "training_mode", "omit_class",
                             "colour", "steps", "seed", "examples"}
    assert "not a tinylm run setting" in problems["colour"]


@pytest.mark.slow
def test_a_demo_run_streams_steps_then_done(tinylm):
    run = tinylm.run
    records = list(run({"steps": 60, "log_every": 10, "examples": 100}, torch.device("cpu"), threading.Event()))
    steps, done = records[:-1], records[-1]
    assert [r["step"] for r in steps] == [10, 20, 30, 40, 50, 60]
    assert all(r["type"] == "step" and {"loss", "ce", "kl", "accuracy", "kl_to_truth"} <= r.keys() for r in steps)
    assert done["type"] == "done" and done["experiment"] == "tinylm"
    assert done["quality_kept"] == pytest.approx(done["student"]["accuracy"] / done["teacher"]["accuracy"])
    assert done["student_params"] * 5 <= done["teacher_params"]


@pytest.mark.slow
def test_cancel_stops_without_a_done_record(tinylm):
    cancel = threading.Event()
    seen = []
    for rec in tinylm.run({"steps": 1000, "log_every": 5}, torch.device("cpu"), cancel):
        seen.append(rec)
        cancel.set()
    assert len(seen) == 1 and seen[0]["type"] == "step"


def test_a_bad_config_raises_before_training(tinylm):
    with pytest.raises(ValueError, match="alpha: must lie in"):
        next(tinylm.run({"alpha": 3}, torch.device("cpu"), threading.Event()))


def test_quality_kept_arithmetic_and_no_gap():
    from app.training.tinylm.compare import quality_kept

    teacher = {"accuracy": 0.8, "perplexity": 2.0, "kl_to_truth": 0.1}
    sft = {"accuracy": 0.6, "perplexity": 3.0, "kl_to_truth": 0.5}
    kd = {"accuracy": 0.7, "perplexity": 2.5, "kl_to_truth": 0.2}
    q = quality_kept(teacher, sft, kd)
    assert q["accuracy_ratio"] == {"sft": pytest.approx(0.75), "kd": pytest.approx(0.875)}
    assert q["perplexity_ratio"]["kd"] == pytest.approx(0.8)
    assert q["gap_closed"] == {"accuracy": pytest.approx(0.5), "perplexity": pytest.approx(0.5),
                               "kl_to_truth": pytest.approx(0.75)}
    assert quality_kept(teacher, teacher, kd)["gap_closed"]["accuracy"] is None   # no gap: null, not NaN
