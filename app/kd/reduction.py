"""The seed's batchmean KL against the token mean on a (batch, sequence, vocabulary) example.

`F.kl_div(..., reduction="batchmean")` divides by the batch size only, so the KL grows with sequence
length and counts the prompt positions that CE skips (label -100). The token mean does neither.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from app.kd.loss import IGNORE_INDEX, kd_loss_parts, kl_per_position


@dataclass(frozen=True)
class SequenceExample:
    student: torch.Tensor   # (B, L, V)
    teacher: torch.Tensor   # (B, L, V)
    labels: torch.Tensor    # (B, L), IGNORE_INDEX on the prompt


def sequence_example(batch: int, seq_len: int, prompt_len: int, vocab: int, seed: int) -> SequenceExample:
    """Random but reproducible logits: a teacher, and a student that roughly agrees with it."""
    g = torch.Generator().manual_seed(seed)
    teacher = torch.randn(batch, seq_len, vocab, generator=g, dtype=torch.float64) * 3.0
    student = 0.6 * teacher + torch.randn(batch, seq_len, vocab, generator=g, dtype=torch.float64) * 1.5
    labels = torch.randint(0, vocab, (batch, seq_len), generator=g)
    labels[:, :prompt_len] = IGNORE_INDEX
    return SequenceExample(student=student, teacher=teacher, labels=labels)


@dataclass(frozen=True)
class ReductionByLength:
    lengths: list[int]                  # 1 .. L: the example cut to its first n positions
    seed_kl: list[float]                # batchmean: summed KL / batch size
    token_mean_kl: list[float | None]   # mean over labelled positions; None where there is none yet
    labelled: list[int]                 # positions with a label, over the whole batch
    masked: list[int]                   # positions labelled -100 that the seed's KL still counts
    per_position: torch.Tensor          # (B, L): KL at each position, for the full length


def reduction_by_length(example: SequenceExample, T: float) -> ReductionByLength:
    """Both reductions of the KL for every prefix length of the example."""
    lengths, seed_kl, token_mean_kl, labelled, masked = [], [], [], [], []
    for n in range(1, example.labels.shape[1] + 1):
        s, t, y = example.student[:, :n], example.teacher[:, :n], example.labels[:, :n]
        n_labelled = int((y != IGNORE_INDEX).sum())
        lengths.append(n)
        seed_kl.append(float(kd_loss_parts(s, t, y, 0.0, T, kl_reduction="seed").kl))
        token_mean = float(kd_loss_parts(s, t, y, 0.0, T, kl_reduction="token_mean").kl)
        token_mean_kl.append(token_mean if n_labelled else None)
        labelled.append(n_labelled)
        masked.append(int(y.numel()) - n_labelled)
    per_position = kl_per_position(example.student, example.teacher, T)
    return ReductionByLength(lengths=lengths, seed_kl=seed_kl, token_mean_kl=token_mean_kl,
                             labelled=labelled, masked=masked, per_position=per_position)
