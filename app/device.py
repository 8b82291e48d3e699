"""Which torch device the app computes on: CUDA when present and allowed, else CPU."""
from __future__ import annotations

import torch


def resolve_device(requested: str) -> torch.device:
    """'auto' -> cuda if available else cpu; 'cuda' without CUDA raises ValueError."""
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was requested but no CUDA device is available")
    if requested not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {requested!r}")
    return torch.device(requested)
