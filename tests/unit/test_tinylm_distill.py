"""The offline kd_trainer end to end: KD beats SFT on KL to the truth, and the CLI works."""
import json

import pytest
import torch

from app.training.tinylm import evaluation, task
from app.training.tinylm.capture import CaptureMeta, capture_from_records, capture_records, to_tensors
from app.training.tinylm.kd_trainer import StudentTrainer
from app.cli import main as cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def teacher(tinylm):
    torch.set_num_threads(1)
    return tinylm.teacher()


def _data(teacher, n=500, k=8):
    meta = CaptureMeta(teacher.id, task.VOCAB, k, 1.0, n)
    cap = capture_from_records(meta, capture_records(teacher.model, task.sample(n, task.TRANSFER_SEED),
                                                     task.PROMPT_LEN, k))
    return to_tensors(cap)


def test_the_teacher_is_close_to_the_truth(teacher):
    m = evaluation.evaluate(teacher.model)
    ref = evaluation.truth_reference()
    assert m["kl_to_truth"] < 0.05
    assert ref["perplexity"] < m["perplexity"] < ref["perplexity"] * 1.05


@pytest.mark.parametrize("seed", [0, 1])
def test_distillation_beats_sft_on_kl_to_truth_at_equal_steps(teacher, seed):
    data = _data(teacher)
    results = {}
    for mode in ("sft", "distillation"):
        trainer = StudentTrainer(data, mode=mode, alpha=0.5, temperature=2.0, capture_temperature=1.0,
                                 steps=300, seed=seed)
        records = list(trainer.run())
        assert len(records) == 300 and records[-1]["step"] == 300
        results[mode] = evaluation.evaluate(trainer.model, teacher.model)
    kd, sft = results["distillation"], results["sft"]
    assert kd["kl_to_truth"] < 0.75 * sft["kl_to_truth"]
    assert kd["kl_to_teacher"] < sft["kl_to_teacher"]
    assert kd["perplexity"] < sft["perplexity"]


def test_training_is_deterministic(teacher):
    data = _data(teacher, n=100, k=4)
    runs = [[r["loss"] for r in StudentTrainer(data, mode="distillation", alpha=0.5, temperature=2.0,
                                                capture_temperature=1.0, steps=20, seed=4).run()]
            for _ in range(2)]
    assert runs[0] == runs[1]


def test_cli_capture_then_train(tmp_path, teacher, capsys):
    cap = tmp_path / "teacher_capture.jsonl"
    assert cli(["capture", "--out", str(cap), "--top-k", "6", "--examples", "120", "--temperature", "2"]) == 0
    header = json.loads(cap.read_text().splitlines()[0])
    assert header["k"] == 6 and header["capture_temperature"] == 2.0 and header["teacher_id"] == teacher.id
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"training_mode: distillation\nteacher_capture: {cap}\n"
                      f"kd: {{alpha: 0.5, temperature: 2.0, top_k: 4}}\nsteps: 25\nseed: 1\n"
                      f"output: {tmp_path / 'out'}\n")
    assert cli(["train", str(recipe), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "student (distillation)" in out and "teacher" in out and "true distribution" in out
    lines = (tmp_path / "out" / "metrics.jsonl").read_text().splitlines()
    assert len(lines) == 26 and json.loads(lines[-1])["type"] == "done"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["top_k"] == 4 and summary["student"]["kl_to_teacher"] is not None
    assert (tmp_path / "out" / "student.pt").is_file()


def test_cli_rejects_bad_input_naming_it(tmp_path, teacher, capsys):
    cap = tmp_path / "c.jsonl"
    assert cli(["capture", "--out", str(cap), "--top-k", "3", "--examples", "5"]) == 0
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"training_mode: distillation\nteacher_capture: {cap}\nkd: {{top_k: 9}}\n"
                      f"output: {tmp_path / 'o'}\n")
    assert cli(["train", str(recipe), "--no-progress"]) == 2
    assert "kd.top_k: 9 is more than the capture's k = 3" in capsys.readouterr().err
    lines = cap.read_text().splitlines()
    lines[2] = lines[2].replace('"prompt_len":4', '"prompt_len":"4"')
    cap.write_text("\n".join(lines) + "\n")
    recipe.write_text(f"training_mode: sft\nteacher_capture: {cap}\noutput: {tmp_path / 'o'}\n")
    assert cli(["train", str(recipe), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "teacher_capture:" in err and "line 3: prompt_len must be an integer" in err
    with pytest.raises(SystemExit):
        cli(["capture", "--out", str(cap), "--top-k", "0", "--examples", "5"])
    assert "--top-k" in capsys.readouterr().err


def test_the_brewslm_command_has_capture_train_and_train_teacher(tmp_path, teacher, capsys):
    from app.cli import main as brewslm

    out = tmp_path / "c.jsonl"
    assert brewslm(["capture", "--out", str(out), "--top-k", "2", "--examples", "3"]) == 0
    assert len(out.read_text().splitlines()) == 4
    assert brewslm(["train-teacher"]) == 0
    assert teacher.id in capsys.readouterr().out
    with pytest.raises(SystemExit):
        brewslm(["train"])                                      # RECIPE is required
    assert "recipe" in capsys.readouterr().err


def test_cli_rejects_captures_the_student_cannot_take(tmp_path, teacher, capsys):
    import json as _json

    cap = tmp_path / "c.jsonl"
    meta = {"format": "brewslm-teacher-capture", "version": 1, "teacher_id": "other", "vocabulary": task.VOCAB,
            "k": 1, "capture_temperature": 1.0, "examples": 1}
    long = {"index": 0, "token_ids": [1, 4, 10, 2, 13, 16, 22, 26, 3, 3], "prompt_len": 4,
            "positions": [{"ids": [3], "logprobs": [0.0]}] * 6}
    cap.write_text(_json.dumps(meta) + "\n" + _json.dumps(long) + "\n")
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"training_mode: distillation\nteacher_capture: {cap}\noutput: {tmp_path / 'o'}\n")
    assert cli(["train", str(recipe), "--no-progress"]) == 2
    assert "example 0 has 10 tokens" in capsys.readouterr().err
    meta["vocabulary"] = task.VOCAB[:-1] + ["latte-art"]
    cap.write_text(_json.dumps(meta) + "\n" + _json.dumps(long) + "\n")
    assert cli(["train", str(recipe), "--no-progress"]) == 2
    assert "teacher_capture: its vocabulary is not" in capsys.readouterr().err


def test_cli_capture_to_an_unwritable_place_names_out(tmp_path, teacher, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert cli(["capture", "--out", str(blocker / "c.jsonl"), "--top-k", "2", "--examples", "3"]) == 2
    assert "--out: cannot write" in capsys.readouterr().err
