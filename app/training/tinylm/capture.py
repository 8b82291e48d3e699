"""teacher_capture.jsonl: write a teacher's top-k logprobs, and read them back with validation.

Schema (docs/teacher_capture.md): line 1 is metadata, then one JSON object per example.
Reading never skips anything: the first bad line raises CaptureError naming its line number and why.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import torch

from app.kd.topk import capture_topk

FORMAT = "brewslm-teacher-capture"
VERSION = 1
META_KEYS = {"format", "version", "teacher_id", "vocabulary", "k", "capture_temperature", "examples"}
EXAMPLE_KEYS = {"index", "token_ids", "prompt_len", "positions"}
POSITION_KEYS = {"ids", "logprobs"}
LOGPROB_SLACK = 1e-5          # logprobs are written rounded to 6 decimals


class CaptureError(ValueError):
    """A capture file that does not follow the schema; the message names the line."""


@dataclass(frozen=True)
class CaptureMeta:
    teacher_id: str
    vocabulary: list[str]
    k: int
    capture_temperature: float
    examples: int

    def header(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "teacher_id": self.teacher_id,
                "vocabulary": self.vocabulary, "k": self.k,
                "capture_temperature": self.capture_temperature, "examples": self.examples}


@dataclass(frozen=True)
class CaptureExample:
    index: int
    token_ids: list[int]
    prompt_len: int
    ids: list[list[int]]          # per response position: top-k token ids, most likely first
    logprobs: list[list[float]]   # per response position: their logprobs at the capture temperature


@dataclass(frozen=True)
class Capture:
    meta: CaptureMeta
    examples: list[CaptureExample]


# ---------------------------------------------------------------- writing

def example_record(index: int, tokens: list[int], prompt_len: int, ids: torch.Tensor,
                   logprobs: torch.Tensor) -> dict[str, Any]:
    """One example's JSON object; ids/logprobs (response_len, k) are for the response positions."""
    return {"index": index, "token_ids": tokens, "prompt_len": prompt_len,
            "positions": [{"ids": [int(i) for i in row_ids],
                           "logprobs": [round(float(lp), 6) for lp in row_lp]}
                          for row_ids, row_lp in zip(ids.tolist(), logprobs.tolist())]}


@torch.no_grad()
def capture_records(model: torch.nn.Module, tokens: torch.Tensor, prompt_len: int, k: int,
                    capture_temperature: float = 1.0, batch_size: int = 512) -> Iterator[dict[str, Any]]:
    """Run the teacher over sequences (N, L) and yield one example object per sequence."""
    for start in range(0, len(tokens), batch_size):
        chunk = tokens[start:start + batch_size]
        logits = model(chunk[:, :-1]).double()[:, prompt_len - 1:]    # (B, L - prompt_len, V)
        ids, lps = capture_topk(logits, k, capture_temperature)
        for j, seq in enumerate(chunk.tolist()):
            yield example_record(start + j, seq, prompt_len, ids[j], lps[j])


def write_capture(path: Path, meta: CaptureMeta, records: Iterable[dict[str, Any]]) -> int:
    """Write the metadata line and the records; returns the number of examples written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(meta.header()) + "\n")
        for rec in records:
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
            n += 1
    if n != meta.examples:
        raise CaptureError(f"wrote {n} examples but the metadata says {meta.examples}")
    return n


# ---------------------------------------------------------------- reading

def _fail(line: int, reason: str) -> CaptureError:
    return CaptureError(f"line {line}: {reason}")


def _keys(obj: Any, expected: set[str], what: str, line: int) -> None:
    if not isinstance(obj, dict):
        raise _fail(line, f"{what} must be a JSON object, got {type(obj).__name__}")
    if missing := expected - obj.keys():
        raise _fail(line, f"{what} is missing {sorted(missing)}")
    if extra := obj.keys() - expected:
        raise _fail(line, f"{what} has unknown keys {sorted(extra)}")


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_meta(obj: Any) -> CaptureMeta:
    _keys(obj, META_KEYS, "metadata", 1)
    if obj["format"] != FORMAT:
        raise _fail(1, f"format must be {FORMAT!r}, got {obj['format']!r}")
    if obj["version"] != VERSION:
        raise _fail(1, f"version {obj['version']!r} is not supported (this reader knows {VERSION})")
    vocab = obj["vocabulary"]
    if not (isinstance(vocab, list) and vocab and all(isinstance(w, str) for w in vocab)):
        raise _fail(1, "vocabulary must be a non-empty list of strings")
    if len(set(vocab)) != len(vocab):
        raise _fail(1, "vocabulary has repeated tokens")
    k, tc, n = obj["k"], obj["capture_temperature"], obj["examples"]
    if not (_int(k) and 1 <= k <= len(vocab)):
        raise _fail(1, f"k must be an integer in [1, {len(vocab)}], got {k!r}")
    if not (isinstance(tc, (int, float)) and not isinstance(tc, bool) and math.isfinite(tc) and tc > 0):
        raise _fail(1, f"capture_temperature must be a number > 0, got {tc!r}")
    if not (_int(n) and n >= 0):
        raise _fail(1, f"examples must be an integer >= 0, got {n!r}")
    if not isinstance(obj["teacher_id"], str) or not obj["teacher_id"]:
        raise _fail(1, "teacher_id must be a non-empty string")
    return CaptureMeta(obj["teacher_id"], vocab, k, float(tc), n)


def _parse_position(pos: Any, meta: CaptureMeta, where: str, line: int) -> tuple[list[int], list[float]]:
    _keys(pos, POSITION_KEYS, where, line)
    ids, lps = pos["ids"], pos["logprobs"]
    if not (isinstance(ids, list) and isinstance(lps, list) and len(ids) == len(lps) == meta.k):
        raise _fail(line, f"{where}: ids and logprobs must be lists of k = {meta.k} entries")
    if not all(_int(i) and 0 <= i < len(meta.vocabulary) for i in ids):
        raise _fail(line, f"{where}: ids must be integers in [0, {len(meta.vocabulary)})")
    if len(set(ids)) != len(ids):
        raise _fail(line, f"{where}: ids repeat a token")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in lps):
        raise _fail(line, f"{where}: logprobs must be finite numbers")
    if any(x > LOGPROB_SLACK for x in lps):
        raise _fail(line, f"{where}: a logprob is above 0")
    if any(a < b for a, b in zip(lps, lps[1:])):
        raise _fail(line, f"{where}: logprobs are not sorted, most likely first")
    if sum(math.exp(x) for x in lps) > 1 + meta.k * LOGPROB_SLACK:
        raise _fail(line, f"{where}: probabilities sum to more than 1")
    return ids, [float(x) for x in lps]


def _parse_example(obj: Any, meta: CaptureMeta, expected_index: int, line: int) -> CaptureExample:
    _keys(obj, EXAMPLE_KEYS, "example", line)
    tokens, plen, positions = obj["token_ids"], obj["prompt_len"], obj["positions"]
    if obj["index"] != expected_index:
        raise _fail(line, f"index must be {expected_index} (examples in order), got {obj['index']!r}")
    if not (isinstance(tokens, list) and tokens and
            all(_int(t) and 0 <= t < len(meta.vocabulary) for t in tokens)):
        raise _fail(line, f"token_ids must be a non-empty list of integers in [0, {len(meta.vocabulary)})")
    if not (_int(plen) and 1 <= plen < len(tokens)):
        raise _fail(line, f"prompt_len must be an integer in [1, {len(tokens) - 1}], got {plen!r}")
    if not (isinstance(positions, list) and len(positions) == len(tokens) - plen):
        raise _fail(line, f"positions must hold one entry per response token "
                          f"({len(tokens) - plen}), got {len(positions) if isinstance(positions, list) else positions!r}")
    parsed = [_parse_position(p, meta, f"positions[{j}]", line) for j, p in enumerate(positions)]
    return CaptureExample(obj["index"], tokens, plen, [p[0] for p in parsed], [p[1] for p in parsed])


def read_capture(path: Path) -> Capture:
    """Read and validate a whole capture file; CaptureError names the first bad line."""
    path = Path(path)
    if not path.is_file():
        raise CaptureError(f"{path}: no such file")
    meta: CaptureMeta | None = None
    examples: list[CaptureExample] = []
    with path.open("r", encoding="utf-8") as f:
        for lineno, raw in enumerate(f, start=1):
            text = raw.rstrip("\n")
            if not text.strip():
                raise _fail(lineno, "blank line (every line must be one JSON object)")
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as err:
                raise _fail(lineno, f"not valid JSON: {err.msg} at column {err.colno}") from None
            if meta is None:
                meta = _parse_meta(obj)
            else:
                examples.append(_parse_example(obj, meta, len(examples), lineno))
    if meta is None:
        raise _fail(1, "the file is empty; the first line must be the metadata")
    if len(examples) != meta.examples:
        raise _fail(len(examples) + 2, f"expected {meta.examples} examples (metadata), found {len(examples)}")
    return Capture(meta=meta, examples=examples)


def capture_from_records(meta: CaptureMeta, records: Iterable[dict[str, Any]]) -> Capture:
    """An in-memory capture (live runs), validated exactly as the file would be on reading."""
    _parse_meta(meta.header())
    examples = [_parse_example(rec, meta, i, i + 2) for i, rec in enumerate(records)]
    if len(examples) != meta.examples:
        raise CaptureError(f"expected {meta.examples} examples (metadata), found {len(examples)}")
    return Capture(meta=meta, examples=examples)


def to_tensors(cap: Capture, top_k: int | None = None) -> dict[str, torch.Tensor]:
    """Training tensors: inputs/labels (N, L-1) with the prompt labelled -100, teacher ids/logprobs
    (N, L-1, top_k) aligned with the labels (prompt positions hold filler ids 0 and logprobs 0).

    All examples must have the same length (the tinylm task's are); top_k <= the capture's k keeps the
    first top_k entries, which are the most likely ones because positions are stored sorted.
    """
    k = cap.meta.k if top_k is None else top_k
    if not 1 <= k <= cap.meta.k:
        raise CaptureError(f"top_k must be in [1, {cap.meta.k}] (the capture's k), got {k}")
    if not cap.examples:
        raise CaptureError("the capture has no examples")
    lengths = {len(e.token_ids) for e in cap.examples}
    if len(lengths) != 1:
        raise CaptureError(f"examples must all have the same length, found {sorted(lengths)}")
    n, length = len(cap.examples), lengths.pop()
    tokens = torch.tensor([e.token_ids for e in cap.examples])
    inputs, labels = tokens[:, :-1], tokens[:, 1:].clone()
    ids = torch.zeros(n, length - 1, k, dtype=torch.long)
    lps = torch.zeros(n, length - 1, k, dtype=torch.float64)
    for row, e in enumerate(cap.examples):
        labels[row, : e.prompt_len - 1] = -100
        # Response position j predicts token prompt_len + j, which is label column prompt_len - 1 + j.
        ids[row, e.prompt_len - 1:] = torch.tensor(e.ids)[:, :k]
        lps[row, e.prompt_len - 1:] = torch.tensor(e.logprobs, dtype=torch.float64)[:, :k]
    return {"inputs": inputs, "labels": labels, "teacher_ids": ids, "teacher_logprobs": lps}
