"""The digits teacher (64-256-256-10): trained once, cached on disk, kept in memory per device.

The cache file's name carries a hash of everything that shapes the weights (recipe, split seed,
torch version), so a changed recipe trains a new teacher instead of loading a stale one. A missing or
unreadable file is retrained (a few seconds on 2 CPU cores). A lock makes concurrent first runs train
it once.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from app.device import use_one_cpu_thread
from app.training.checkpoint import load_or_train_state
from app.training.digits.data import SPLIT_SEED, DigitsSplit, load_split
from app.training.digits.models import TEACHER_HIDDEN, init_from_generator, mlp


@dataclass(frozen=True)
class TeacherRecipe:
    hidden: tuple[int, ...] = TEACHER_HIDDEN
    dropout: float = 0.2        # a wide net on ~1000 images needs it to generalise
    steps: int = 1500
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    seed: int = 1234

    def cache_key(self) -> str:
        blob = json.dumps({**asdict(self), "split_seed": SPLIT_SEED, "torch": torch.__version__}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DigitsTeacher:
    model: nn.Module                   # eval mode, on `device`
    device: torch.device
    train_logits: torch.Tensor         # (N_train, 10): the soft targets, computed once
    test_acc: float
    per_class_test_acc: list[float]


def train_teacher(split: DigitsSplit, recipe: TeacherRecipe) -> nn.Module:
    """Plain supervised training with Adam; deterministic on CPU for a given recipe."""
    use_one_cpu_thread()
    gen = torch.Generator().manual_seed(recipe.seed)
    model = init_from_generator(mlp(recipe.hidden, dropout=recipe.dropout), gen)
    opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    n = split.x_train.shape[0]
    # Dropout draws from the global RNG; fork it so training the teacher leaves callers' RNG as it was.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(recipe.seed)
        model.train()
        order = torch.randperm(n, generator=gen)
        pos = 0
        for _ in range(recipe.steps):
            if pos + recipe.batch_size > n:
                order, pos = torch.randperm(n, generator=gen), 0
            idx = order[pos:pos + recipe.batch_size]
            pos += recipe.batch_size
            loss = F.cross_entropy(model(split.x_train[idx]), split.y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model.eval()


@torch.no_grad()
def per_class_accuracy(logits: torch.Tensor, labels: torch.Tensor, num_classes: int = 10) -> list[float]:
    hits = (logits.argmax(-1) == labels).float()
    return [hits[labels == c].mean().item() for c in range(num_classes)]


class DigitsTeacherCache:
    """Disk + memory cache of the teacher, one per data directory."""

    def __init__(self, cache_dir: Path, recipe: TeacherRecipe = TeacherRecipe()):
        self.cache_dir = Path(cache_dir)
        self.recipe = recipe
        self._lock = threading.Lock()
        self._by_device: dict[str, DigitsTeacher] = {}

    @property
    def path(self) -> Path:
        return self.cache_dir / f"digits-teacher-{self.recipe.cache_key()}.pt"

    def get(self, device: torch.device | str = "cpu") -> DigitsTeacher:
        device = torch.device(device)
        with self._lock:
            cached = self._by_device.get(str(device))
            if cached is not None:
                return cached
            model = mlp(self.recipe.hidden, dropout=self.recipe.dropout)
            model.load_state_dict(load_or_train_state(
                self.path, lambda: train_teacher(load_split("cpu"), self.recipe).state_dict()))
            model = model.to(device).eval()
            split = load_split(device)
            with torch.no_grad():
                test_logits = model(split.x_test)
                teacher = DigitsTeacher(
                    model=model, device=device, train_logits=model(split.x_train),
                    test_acc=(test_logits.argmax(-1) == split.y_test).float().mean().item(),
                    per_class_test_acc=per_class_accuracy(test_logits, split.y_test))
            self._by_device[str(device)] = teacher
            return teacher
