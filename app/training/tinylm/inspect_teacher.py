"""Lesson 4.2's view of the teacher: its distribution at one position of one example, the coverage
curve (mass kept as k grows), and the exact JSONL line `brewslm capture` would write for it.
"""
from __future__ import annotations

import json

import torch
import torch.nn.functional as F

from app.kd.topk import capture_topk, mass_kept
from app.training.tinylm import task
from app.training.tinylm.capture import CaptureMeta, example_record
from app.training.tinylm.teacher import TinyLMTeacher

INSPECT_EXAMPLES = 200          # the first orders of the transfer set, the ones a capture starts with


@torch.no_grad()
def inspect(teacher: TinyLMTeacher, example: int, position: int, k: int, temperature: float = 1.0) -> dict:
    """Everything the widget draws, computed from the teacher's real logits."""
    if not 0 <= example < INSPECT_EXAMPLES:
        raise ValueError(f"example must be in [0, {INSPECT_EXAMPLES})")
    if not 0 <= position < task.RESPONSE_LEN:
        raise ValueError(f"position must be in [0, {task.RESPONSE_LEN})")
    tokens = task.sample(INSPECT_EXAMPLES, task.TRANSFER_SEED)[example]        # (L,)
    logits = teacher.model(tokens[:-1].unsqueeze(0)).double()[0, task.PROMPT_LEN - 1:]  # (R, V)
    probs = F.softmax(logits / temperature, dim=-1)                             # (R, V)
    truth = task.true_response_probs(tokens.unsqueeze(0))[0]                    # (R, V)
    ids, lps = capture_topk(logits, k, temperature)                             # (R, k)

    p = probs[position]
    order = p.argsort(descending=True).tolist()
    record = example_record(example, tokens.tolist(), task.PROMPT_LEN, ids, lps)
    meta = CaptureMeta(teacher.id, task.VOCAB, k, float(temperature), INSPECT_EXAMPLES)
    coverage = mass_kept(logits[position], temperature)
    return {
        "example": example, "position": position, "k": k, "temperature": temperature,
        "tokens": task.decode(tokens.tolist()), "prompt_len": task.PROMPT_LEN,
        "target_index": task.PROMPT_LEN + position,
        "target": task.VOCAB[int(tokens[task.PROMPT_LEN + position])],
        "distribution": [{"id": i, "token": task.VOCAB[i], "p": float(p[i]), "truth": float(truth[position, i])}
                         for i in order],
        "coverage": coverage.tolist(),          # mass in the top 1, 2, ..., V ids
        "mass_kept": float(coverage[k - 1]),
        "mass_lost": float(1.0 - coverage[k - 1]),   # the tail the capture drops
        "kept": [{"id": int(i), "token": task.VOCAB[int(i)], "logprob": float(lp)}
                 for i, lp in zip(ids[position], lps[position])],
        "jsonl_meta": json.dumps(meta.header()),
        "jsonl_line": json.dumps(record, separators=(",", ":")),
        "teacher_id": teacher.id,
    }
