"""The seed's batchmean KL against the token mean on a (batch, sequence, vocabulary) example.

`F.kl_div(..., reduction="batchmean")` divides by the batch size only, so the KL grows with sequence
length and counts the prompt positions that CE skips (label -100). The token mean does neither.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from app.kd.loss import IGNORE_INDEX, kl_per_position


@dataclass(frozen=True)
class SequenceExample:
    student: torch.Tensor   # (B, L, V)
    teacher: torch.Tensor   # (B, L, V)
    labels: torch.Tensor    # (B, L), IGNORE_INDEX on the prompt


# The example is drawn once at its largest size and cut to the size asked for, so a longer sequence or a
# bigger batch extends the same example rather than drawing a new one: moving a slider changes one thing.
MAX_BATCH = 8
MAX_SEQ_LEN = 64


def sequence_example(batch: int, seq_len: int, prompt_len: int, vocab: int, seed: int) -> SequenceExample:
    """Random but reproducible logits: a teacher, and a student that roughly agrees with it.

    The first `batch` rows and `seq_len` positions of one (MAX_BATCH, MAX_SEQ_LEN, vocab) draw per seed.
    """
    if not (1 <= batch <= MAX_BATCH and 1 <= seq_len <= MAX_SEQ_LEN and 0 <= prompt_len <= seq_len):
        raise ValueError(f"need 1 ≤ batch ≤ {MAX_BATCH}, 1 ≤ seq_len ≤ {MAX_SEQ_LEN}, 0 ≤ prompt_len ≤ seq_len")
    g = torch.Generator().manual_seed(seed)
    shape = (MAX_BATCH, MAX_SEQ_LEN, vocab)
    teacher = torch.randn(shape, generator=g, dtype=torch.float64) * 3.0
    student = 0.6 * teacher + torch.randn(shape, generator=g, dtype=torch.float64) * 1.5
    labels = torch.randint(0, vocab, shape[:2], generator=g)
    labels[:, :prompt_len] = IGNORE_INDEX
    return SequenceExample(student=student[:batch, :seq_len], teacher=teacher[:batch, :seq_len],
                           labels=labels[:batch, :seq_len])


@dataclass(frozen=True)
class ReductionByLength:
    lengths: list[int]                  # 1 .. L: the example cut to its first n positions
    seed_kl: list[float]                # batchmean: summed KL / batch size
    token_mean_kl: list[float | None]   # mean over labelled positions; None where there is none yet
    labelled: list[int]                 # positions with a label, over the whole batch
    masked: list[int]                   # positions labelled -100 that the seed's KL still counts
    per_position: torch.Tensor          # (B, L): KL at each position, for the full length


def reduction_by_length(example: SequenceExample, T: float) -> ReductionByLength:
    """Both reductions of the KL for every prefix length of the example, from one per-position table.

    seed (batchmean): Σ over the first n positions of every row / B. token mean: Σ over the labelled
    ones among them / their count. Running sums give every n at once; the unit tests check each prefix
    against kd_loss_parts and the float64 reference.
    """
    per_position = kl_per_position(example.student, example.teacher, T)        # (B, L)
    is_labelled = example.labels != IGNORE_INDEX                               # (B, L)
    batch = per_position.shape[0]
    summed = per_position.sum(dim=0).cumsum(dim=0)                             # (L,)
    summed_labelled = (per_position * is_labelled).sum(dim=0).cumsum(dim=0)    # (L,)
    labelled = is_labelled.sum(dim=0).cumsum(dim=0)                            # (L,)
    positions = torch.arange(1, per_position.shape[1] + 1) * batch             # (L,)
    token_mean = summed_labelled / labelled.clamp(min=1)
    return ReductionByLength(
        lengths=list(range(1, per_position.shape[1] + 1)),
        seed_kl=(summed / batch).tolist(),
        token_mean_kl=[float(m) if int(c) else None for m, c in zip(token_mean, labelled)],
        labelled=labelled.tolist(),
        masked=(positions - labelled).tolist(),
        per_position=per_position,
    )
