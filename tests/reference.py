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


def softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(z))


def kd_gradients_reference(student, teacher, labels, alpha: float, T: float, reduction: str = "seed"):
    """(∂(alpha·CE)/∂z, ∂((1−alpha)·T²·KL)/∂z) written from the formula, same shape as the student logits.

    ∂CE/∂z = softmax(z) − onehot(y) at labelled positions, averaged over them;
    ∂KL/∂z = (softmax(z/T) − softmax(v/T)) / T at each position, reduced like the KL itself.
    """
    student = np.asarray(student, dtype=np.float64)
    teacher = np.asarray(teacher, dtype=np.float64)
    vocab = student.shape[-1]
    s = student.reshape(-1, vocab)
    t = teacher.reshape(-1, vocab)
    y = np.asarray(labels).reshape(-1)
    labelled = y != -100
    n_labelled = int(labelled.sum())

    d_ce = np.zeros_like(s)
    if n_labelled:
        onehot = np.zeros_like(s)
        onehot[np.flatnonzero(labelled), y[labelled]] = 1.0
        d_ce[labelled] = (softmax(s) - onehot)[labelled] / n_labelled

    d_kl = (softmax(s / T) - softmax(t / T)) / T
    if reduction == "seed":
        d_kl = d_kl / student.shape[0]
    else:
        d_kl = np.where(labelled[:, None], d_kl, 0.0) / max(n_labelled, 1)
    return (alpha * d_ce).reshape(student.shape), ((1 - alpha) * T * T * d_kl).reshape(student.shape)


def kl_gradient_norm_reference(student, teacher, T: float) -> float:
    """‖(softmax(z/T) − softmax(v/T)) / T‖ for one position: the KL's pull without the T² factor."""
    z = np.asarray(student, dtype=np.float64)
    v = np.asarray(teacher, dtype=np.float64)
    return float(np.linalg.norm((softmax(z / T) - softmax(v / T)) / T))


def slope_reference(temperatures, values) -> float:
    """Least-squares slope of log(values) on log(temperatures), by NumPy's polyfit."""
    return float(np.polyfit(np.log(temperatures), np.log(values), 1)[0])
