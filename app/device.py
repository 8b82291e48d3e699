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


def use_one_cpu_thread() -> None:
    """Run torch's CPU kernels on one intra-op thread, process-wide.

    Everything this app computes is tiny (explorer tensors, MLPs on 8×8 digits, a 100k-parameter
    transformer). Measured on the 2-core box with other work running: 2,000 digits student steps took
    2.3-4.2 s on one thread and 37-59 s on two (the second thread spin-waits for a core), and an explorer
    endpoint's p95 fell from ~150 ms to ~12 ms; the numbers are identical either way.
    """
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
