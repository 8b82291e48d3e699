"""scikit-learn's bundled digits (1797 8×8 images) with one fixed stratified split.

train (60%): the teacher learns from all of it; a student from all of it, or from all of it but one
             class when a run leaves that class out ("the missing 3").
val   (15%): images only, never labels — the pool the bias fix calibrates on (see bias_fix.py).
test  (25%): every accuracy the app reports.

The split never depends on a run's seed, so runs with different seeds are compared on the same test set.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

NUM_CLASSES = 10
NUM_FEATURES = 64
SPLIT_SEED = 0  # fixed: changing it changes every figure in docs and tests


@dataclass(frozen=True)
class DigitsSplit:
    x_train: torch.Tensor  # (N_train, 64) float32 in [0, 1]
    y_train: torch.Tensor  # (N_train,) int64
    x_val: torch.Tensor    # (N_val, 64), labels deliberately not kept
    x_test: torch.Tensor   # (N_test, 64)
    y_test: torch.Tensor   # (N_test,)

    def to(self, device: torch.device | str) -> "DigitsSplit":
        return DigitsSplit(*(t.to(device) for t in (self.x_train, self.y_train, self.x_val,
                                                      self.x_test, self.y_test)))


@lru_cache(maxsize=1)
def _split_numpy() -> tuple[np.ndarray, ...]:
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)  # pixel intensities 0..16 -> 0..1
    y = digits.target.astype(np.int64)
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=SPLIT_SEED)
    x_train, x_val, y_train, _ = train_test_split(
        x_rest, y_rest, test_size=0.2, stratify=y_rest, random_state=SPLIT_SEED)
    return x_train, y_train, x_val, x_test, y_test


def load_split(device: torch.device | str = "cpu") -> DigitsSplit:
    """The fixed split as tensors on `device` (fresh tensors each call: callers may not share them)."""
    arrays = _split_numpy()
    return DigitsSplit(*(torch.from_numpy(a.copy()) for a in arrays)).to(device)
