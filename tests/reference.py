"""An independent float64 reference of the KD loss, written from the formula in NumPy (no torch calls)."""
from __future__ import annotations

import numpy as np


def log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def kd_reference(student, teacher, labels, alpha: float, T: float, reduction: str = "seed"):
    """(ce, kl, loss) with kl = KL(teacher_T ‖ student_T), reduced like app.kd (seed or token_mean)."""
    student = np.asarray(student, dtype=np.float64)
    teacher = np.asarray(teacher, dtype=np.float64)
    labels = np.asarray(labels)
    vocab = student.shape[-1]
    s = student.reshape(-1, vocab)
    t = teacher.reshape(-1, vocab)
    y = labels.reshape(-1)
    labelled = y != -100

    log_p = log_softmax(s)
    ce = -log_p[labelled, y[labelled]].mean()

    log_ps = log_softmax(s / T)          # student, softened
    log_qt = log_softmax(t / T)          # teacher, softened
    q = np.exp(log_qt)
    kl_per_position = (q * (log_qt - log_ps)).sum(axis=-1)
    if reduction == "seed":
        kl = kl_per_position.sum() / student.shape[0]        # batchmean: divide by size(0) only
    else:
        kl = kl_per_position[labelled].mean()
    loss = alpha * ce + (1 - alpha) * T * T * kl
    return float(ce), float(kl), float(loss)
