"""teacher_capture.jsonl: a round trip, and every kind of bad line fails with its line number."""
import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from app.kd.loss import kd_loss
from app.kd.topk import topk_kd_loss
from app.training.tinylm import task
from app.training.tinylm.capture import (CaptureError, CaptureMeta, capture_records, read_capture, to_tensors,
                                  write_capture)
from app.training.tinylm.models import STUDENT, build


def _write(path: Path, n: int = 6, k: int = 5, tc: float = 1.0, seed: int = 0):
    model = build(STUDENT, seed).eval()          # any model will do: no teacher training needed
    tokens = task.sample(n, seed=42)
    meta = CaptureMeta("test-teacher", task.VOCAB, k, tc, n)
    write_capture(path, meta, capture_records(model, tokens, task.PROMPT_LEN, k, tc))
    return model, tokens


def test_round_trip(tmp_path):
    path = tmp_path / "cap.jsonl"
    model, tokens = _write(path, tc=2.0)
    cap = read_capture(path)
    assert cap.meta.k == 5 and cap.meta.capture_temperature == 2.0 and cap.meta.teacher_id == "test-teacher"
    assert cap.meta.vocabulary == task.VOCAB and len(cap.examples) == 6
    with torch.no_grad():
        logp = F.log_softmax(model(tokens[:, :-1]).double() / 2.0, dim=-1)
    for i, ex in enumerate(cap.examples):
        assert ex.token_ids == tokens[i].tolist() and ex.prompt_len == task.PROMPT_LEN
        assert len(ex.ids) == task.RESPONSE_LEN
        for j, (ids, lps) in enumerate(zip(ex.ids, ex.logprobs)):
            row = logp[i, task.PROMPT_LEN - 1 + j]
            assert ids == row.topk(5).indices.tolist()
            assert torch.allclose(torch.tensor(lps, dtype=torch.float64), row[ids], atol=1e-6)
            assert lps == sorted(lps, reverse=True)


def test_first_line_is_the_documented_metadata(tmp_path):
    path = tmp_path / "cap.jsonl"
    _write(path)
    header = json.loads(path.read_text().splitlines()[0])
    assert header == {"format": "brewslm-teacher-capture", "version": 1, "teacher_id": "test-teacher",
                      "vocabulary": task.VOCAB, "k": 5, "capture_temperature": 1.0, "examples": 6}


def test_k_equal_v_through_the_file_matches_the_full_loss(tmp_path):
    path = tmp_path / "cap.jsonl"
    teacher, tokens = _write(path, k=task.V)
    data = to_tensors(read_capture(path))
    student = build(STUDENT, 1)
    with torch.no_grad():
        s_logits = student(data["inputs"]).double()
        t_logits = teacher(data["inputs"]).double()
    full = kd_loss(s_logits, t_logits, data["labels"], 0.5, 2.0, kl_reduction="token_mean")
    top = topk_kd_loss(s_logits, data["teacher_ids"], data["teacher_logprobs"], data["labels"], 0.5, 2.0)
    assert abs(float(full - top)) < 1e-5       # logprobs are stored to 6 decimals


def test_to_tensors_aligns_positions_with_labels(tmp_path):
    path = tmp_path / "cap.jsonl"
    _write(path)
    cap = read_capture(path)
    data = to_tensors(cap, top_k=3)
    assert data["teacher_ids"].shape == (6, task.SEQ_LEN - 1, 3)
    assert (data["labels"][:, : task.PROMPT_LEN - 1] == -100).all()
    assert torch.equal(data["labels"][:, task.PROMPT_LEN - 1:], data["inputs"].new_tensor(
        [e.token_ids[task.PROMPT_LEN:] for e in cap.examples]))
    assert data["teacher_ids"][2, task.PROMPT_LEN - 1].tolist() == cap.examples[2].ids[0][:3]
    with pytest.raises(CaptureError, match="top_k"):
        to_tensors(cap, top_k=6)


def _lines(path):
    return path.read_text().splitlines()


def _corrupt(path, lineno, fn):
    lines = _lines(path)
    obj = json.loads(lines[lineno - 1])
    fn(obj)
    lines[lineno - 1] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n")


def _set(key, value):
    return lambda o: o.__setitem__(key, value)


def _pos(j, key, fn):
    return lambda o: o["positions"][j].__setitem__(key, fn(o["positions"][j][key]))


CASES = [
    (1, _set("format", "other"), "format"),
    (1, _set("version", 2), "version 2 is not supported"),
    (1, _set("k", 0), "k must be"),
    (1, _set("capture_temperature", -1), "capture_temperature"),
    (1, lambda o: o.pop("vocabulary"), "missing \\['vocabulary'\\]"),
    (1, _set("examples", 7), "expected 7 examples"),
    (3, _set("index", 5), "index must be 1"),
    (3, _set("token_ids", [1, 99]), "token_ids"),
    (3, _set("prompt_len", 9), "prompt_len"),
    (3, lambda o: o["positions"].pop(), "one entry per response token"),
    (3, lambda o: o.__setitem__("extra", 1), "unknown keys"),
    (4, _pos(1, "logprobs", lambda x: x[::-1]), "not sorted"),
    (4, _pos(1, "logprobs", lambda x: [0.5] + x[1:]), "above 0"),
    (4, _pos(0, "logprobs", lambda x: x[:-1]), "k = 5"),
    (4, _pos(0, "ids", lambda x: [x[0]] * len(x)), "repeat"),
    (4, _pos(2, "ids", lambda x: [-1] + x[1:]), "ids must be integers"),
    (5, _pos(0, "logprobs", lambda x: [-1e-9] * len(x)), "sum to more than 1"),
]


@pytest.mark.parametrize("lineno, change, reason", CASES)
def test_a_bad_line_names_its_number_and_reason(tmp_path, lineno, change, reason):
    path = tmp_path / "cap.jsonl"
    _write(path)
    _corrupt(path, lineno, change)
    with pytest.raises(CaptureError, match=reason) as err:
        read_capture(path)
    expected_line = 8 if reason.startswith("expected") else lineno
    assert str(err.value).startswith(f"line {expected_line}:")


def test_broken_json_blank_lines_and_truncation(tmp_path):
    path = tmp_path / "cap.jsonl"
    _write(path)
    good = _lines(path)
    path.write_text("\n".join(good[:3] + ['{"index": 2,'] + good[4:]) + "\n")
    with pytest.raises(CaptureError, match="^line 4: not valid JSON"):
        read_capture(path)
    path.write_text("\n".join(good[:2] + [""] + good[2:]) + "\n")
    with pytest.raises(CaptureError, match="^line 3: blank line"):
        read_capture(path)
    path.write_text("\n".join(good[:-1]) + "\n")         # last example lost: not silently accepted
    with pytest.raises(CaptureError, match="expected 6 examples .* found 5"):
        read_capture(path)
    path.write_text("")
    with pytest.raises(CaptureError, match="^line 1: the file is empty"):
        read_capture(path)
    with pytest.raises(CaptureError, match="no such file"):
        read_capture(tmp_path / "missing.jsonl")
