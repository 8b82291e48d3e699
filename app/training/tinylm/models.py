"""A tiny decoder-only transformer (nanoGPT's shape, cut down) for the teacher and the student.

The teacher and the student are the same class with different sizes (see TEACHER and STUDENT):
pre-LayerNorm blocks, causal self-attention, a GELU MLP, learned positions, a tied output head.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from app.training.tinylm.task import SEQ_LEN, V


@dataclass(frozen=True)
class TinyLMConfig:
    d_model: int
    n_layer: int
    n_head: int
    vocab: int = V
    max_len: int = SEQ_LEN

    def as_dict(self) -> dict:
        return asdict(self)


TEACHER = TinyLMConfig(d_model=64, n_layer=2, n_head=4)   # 103k parameters
STUDENT = TinyLMConfig(d_model=32, n_layer=1, n_head=4)   # 14k parameters, 7x fewer than the teacher


class Block(nn.Module):
    def __init__(self, cfg: TinyLMConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(),
                                 nn.Linear(4 * cfg.d_model, cfg.d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape                                             # (B, L, D)
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        # (B, H, L, D/H): heads attend independently, each position sees only its past.
        q, k, v = (z.view(b, n, self.n_head, d // self.n_head).transpose(1, 2) for z in (q, k, v))
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(att.transpose(1, 2).reshape(b, n, d))
        return x + self.mlp(self.ln2(x))


class TinyLM(nn.Module):
    def __init__(self, cfg: TinyLMConfig):
        super().__init__()
        if cfg.d_model % cfg.n_head:
            raise ValueError(f"d_model {cfg.d_model} must be divisible by n_head {cfg.n_head}")
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab, cfg.d_model)
        self.pos = nn.Embedding(cfg.max_len, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B, L) int64 -> next-token logits (B, L, vocab)."""
        pos = torch.arange(ids.size(1), device=ids.device)
        x = self.tok(ids) + self.pos(pos)
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.tok.weight.T                     # tied head: fewer parameters


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def build(cfg: TinyLMConfig, seed: int) -> TinyLM:
    """A freshly initialised model; the same seed gives the same weights.

    Built on the meta device and initialised from its own Generator: no draw from the global RNG, so
    two runs on two threads cannot disturb each other's seeds. nanoGPT's N(0, 0.02) init: with the
    tied head, N(0, 1) embeddings would start the logits at a scale of sqrt(d_model).
    """
    with torch.device("meta"):
        model = TinyLM(cfg)
    model = model.to_empty(device="cpu")
    gen = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02, generator=gen)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)
        if isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
    return model


