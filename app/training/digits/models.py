"""Teacher and student: plain MLPs on the 64 pixels of a digit, initialised from an explicit Generator.

Initialising from a Generator (not the global RNG) is what lets two runs on two threads start at the
same time and still each depend on their own seed only.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from app.training.digits.data import NUM_CLASSES, NUM_FEATURES

TEACHER_HIDDEN = (256, 256)
STUDENT_HIDDEN_MIN, STUDENT_HIDDEN_MAX = 8, 64



def mlp(hidden: tuple[int, ...], *, dropout: float = 0.0) -> nn.Sequential:
    """64 -> hidden... -> 10 with ReLU between layers (and dropout after each, when asked).

    Its weights are uninitialised memory: call init_from_generator or load a state dict.
    """
    sizes = (NUM_FEATURES, *hidden, NUM_CLASSES)
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        # skip_init: no draw from the global RNG (init_from_generator sets the weights instead).
        layers.append(nn.utils.skip_init(nn.Linear, n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


@torch.no_grad()
def init_from_generator(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """nn.Linear's default init, U(±1/√fan_in) for weight and bias, drawn from `generator`."""
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            bound = 1.0 / math.sqrt(layer.in_features)
            for p in (layer.weight, layer.bias):
                p.copy_(torch.rand(p.shape, generator=generator) * 2 * bound - bound)
    return model


def student(hidden: int, generator: torch.Generator) -> nn.Sequential:
    """A 64-hidden-10 student on the CPU (move it after), its weights drawn from `generator`."""
    if not STUDENT_HIDDEN_MIN <= hidden <= STUDENT_HIDDEN_MAX:
        raise ValueError(f"student_hidden must lie in [{STUDENT_HIDDEN_MIN}, {STUDENT_HIDDEN_MAX}], got {hidden}")
    return init_from_generator(mlp((hidden,)), generator)


def describe(model: nn.Sequential) -> str:
    """'64-32-10' for a 64-32-10 MLP."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    return "-".join(str(n) for n in [linears[0].in_features, *(m.out_features for m in linears)])
