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
class Reductions:
    """Both reductions at every prefix length, for one way of counting or several (leading axes `...`)."""

    seed_kl: torch.Tensor        # (..., L) batchmean: summed KL / batch size
    token_mean_kl: torch.Tensor  # (..., L) mean over labelled positions; NaN before the first
    labelled: torch.Tensor       # (..., L) positions with a label, over the batch
    masked: torch.Tensor         # (..., L) positions labelled -100 that the seed's KL still counts
    masked_share: torch.Tensor   # (..., L) the part of the seed's KL up to that length from masked positions
    is_masked: torch.Tensor      # (..., B, L) the positions labelled -100


def reductions(per_position: torch.Tensor, is_labelled: torch.Tensor, rows: torch.Tensor) -> Reductions:
    """per_position (B, L) KL; is_labelled (..., B, L); rows (...,): how many of the B sequences count.

    seed (batchmean): Σ over the first n positions of every counted row / rows. token mean: Σ over the
    labelled ones among them / their count. Running sums give every n at once; the unit tests check
    each prefix against kd_loss_parts and the float64 reference.
    """
    batch, length = per_position.shape
    counted = (torch.arange(batch) < rows.unsqueeze(-1)).unsqueeze(-1)           # (..., B, 1)
    kl = per_position * counted                                                  # (..., B, L)
    labelled_here = is_labelled & counted
    summed = kl.sum(dim=-2).cumsum(dim=-1)                                       # (..., L)
    summed_labelled = (kl * labelled_here).sum(dim=-2).cumsum(dim=-1)
    summed_masked = (kl * ~labelled_here).sum(dim=-2).cumsum(dim=-1)
    labelled = labelled_here.sum(dim=-2).cumsum(dim=-1)
    positions = torch.arange(1, length + 1) * rows.unsqueeze(-1)
    return Reductions(
        seed_kl=summed / rows.unsqueeze(-1),
        token_mean_kl=torch.where(labelled > 0, summed_labelled / labelled.clamp(min=1), torch.nan),
        labelled=labelled,
        masked=positions - labelled,
        masked_share=torch.where(summed > 0, summed_masked / summed, 0.0),
        is_masked=~is_labelled.expand(*rows.shape, batch, length))


@dataclass(frozen=True)
class ReductionByLength:
    lengths: list[int]                  # 1 .. L: the example cut to its first n positions
    seed_kl: list[float]                # batchmean: summed KL / batch size
    token_mean_kl: list[float | None]   # mean over labelled positions; None where there is none yet
    labelled: list[int]                 # positions with a label, over the whole batch
    masked: list[int]                   # positions labelled -100 that the seed's KL still counts
    masked_share: float                 # the part of the seed's KL (full length) from masked positions
    per_position: torch.Tensor          # (B, L): KL at each position, for the full length


def kl_reductions(example: SequenceExample, T: float) -> tuple[torch.Tensor, Reductions]:
    """The example's KL at each position (B, L) and both reductions at every length."""
    per_position = kl_per_position(example.student, example.teacher, T)
    return per_position, reductions(per_position, example.labels != IGNORE_INDEX, torch.tensor(per_position.shape[0]))


def reduction_by_length(example: SequenceExample, T: float) -> ReductionByLength:
    """Both reductions of the KL for every prefix length of the example, from one per-position table."""
    per_position, r = kl_reductions(example, T)
    return ReductionByLength(
        lengths=list(range(1, per_position.shape[1] + 1)),
        seed_kl=r.seed_kl.tolist(),
        token_mean_kl=[None if m != m else m for m in r.token_mean_kl.tolist()],
        labelled=r.labelled.tolist(),
        masked=r.masked.tolist(),
        masked_share=float(r.masked_share[-1]),
        per_position=per_position,
    )


def reductions_by_prompt(example: SequenceExample, T: float, prompts: torch.Tensor) -> tuple[torch.Tensor, Reductions]:
    """The example's reductions with its first q positions as prompt, for each q of `prompts` (Q,)."""
    per_position = kl_per_position(example.student, example.teacher, T)        # (B, L)
    after_prompt = torch.arange(per_position.shape[1]) >= prompts.reshape(-1, 1, 1)   # (Q, 1, L)
    is_labelled = (example.labels != IGNORE_INDEX) & after_prompt              # (Q, B, L)
    return per_position, reductions(per_position, is_labelled, torch.full(prompts.shape, per_position.shape[0]))


def reductions_by_batch(example: SequenceExample, T: float, batch_sizes: torch.Tensor) -> tuple[torch.Tensor, Reductions]:
    """The reductions of the example's first b sequences, for each b of `batch_sizes` (K,)."""
    per_position = kl_per_position(example.student, example.teacher, T)        # (B, L)
    return per_position, reductions(per_position, example.labels != IGNORE_INDEX, batch_sizes)
