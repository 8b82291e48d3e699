"""The bias fix for a class the student never saw (Hinton, Vinyals, Dean 2015, §3).

A student distilled without any 3s learns what a 3 looks like from the teacher's soft targets on other
digits, but its bias for class 3 gets no push from a single example of its own, so it calls too few
images a 3. The paper raised that bias by a fixed 3.5 (chosen for MNIST nets; our logits have another
scale, so that number does not carry over).

We choose the bias honestly, without a single class-3 label: on the validation images (labels never
read) we add to the left-out class's logit the smallest bias that makes the student predict that class
for its prior share of the images — the share the class has in the teacher's labelled data (1/10 on
digits). The test set is never looked at to choose it.
"""
from __future__ import annotations

import torch


@torch.no_grad()
def prior_matching_bias(pool_logits: torch.Tensor, cls: int, share: float) -> float:
    """The bias b on class `cls` so that argmax(logits + b·e_cls) == cls on `share` of the pool.

    Image i is predicted `cls` once b exceeds need_i = max_{j≠cls} z_ij − z_i,cls, so b is the
    share-quantile of `need`, placed halfway between neighbouring values to stay clear of ties.
    """
    others = pool_logits.clone()
    others[:, cls] = float("-inf")
    need = (others.max(dim=-1).values - pool_logits[:, cls]).sort().values  # (N,)
    k = round(share * need.numel())
    if k <= 0:
        return float(need[0].item() - 1.0)
    if k >= need.numel():
        return float(need[-1].item() + 1.0)
    return float((need[k - 1] + need[k]).item() / 2.0)


def with_bias(logits: torch.Tensor, cls: int, bias: float) -> torch.Tensor:
    out = logits.clone()
    out[:, cls] += bias
    return out
