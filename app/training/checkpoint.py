"""Teachers are trained once and kept on disk: load a checkpoint, or train and save it atomically."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch


def load_or_train_state(path: Path, train: Callable[[], dict], *, retrain: bool = False) -> dict:
    """The state dict at `path`; when it is missing or unreadable (or `retrain`), `train()` makes one
    and it is saved there. The write goes through a temporary file, so a crash never leaves a
    half-written checkpoint for the next start to read."""
    if not retrain:
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception:  # noqa: BLE001 - missing, truncated, not a checkpoint: all mean "train it again"
            pass
    state = train()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)
    return state
