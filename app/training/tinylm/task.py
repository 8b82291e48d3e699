"""The tiny language-model task: coffee orders whose true next-token distribution is known.

A sequence is one order, nine tokens long:

    <bos> CUSTOMER TIME <sep> | SIZE DRINK MILK EXTRA <eos>
    '---- prompt (4) -------'   '---- response (5) -------'

The prompt (customer, time of day) is drawn uniformly. Each response token is drawn from a
categorical distribution that depends on the prompt and on earlier response tokens:

    SIZE  ~ p(size  | customer, time)          18 contexts x 3 sizes
    DRINK ~ p(drink | customer, time, size)    54 contexts x 6 drinks
    MILK  ~ p(milk  | customer, drink)         36 contexts x 4 milks
    EXTRA ~ p(extra | time, drink)             18 contexts x 5 extras
    <eos> with probability 1

The tables are drawn once from a seeded generator (TASK_SEED) with a random sharpness per context,
so some positions are nearly certain and many have real runner-up mass: the right next token is
genuinely uncertain, which is what gives a teacher's full distribution something to say beyond its
argmax. Because the tables are known, `true_next_probs` gives the exact distribution at every
response position, so a model's KL to the truth can be measured, not estimated.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch

TASK_ID = "barista-v1"
TASK_SEED = 20150309            # fixed: changing it changes the task, so bump TASK_ID with it

SPECIALS = ["<pad>", "<bos>", "<sep>", "<eos>"]
CUSTOMERS = ["student", "nurse", "artist", "banker", "tourist", "coach"]
TIMES = ["morning", "noon", "evening"]
SIZES = ["small", "medium", "large"]
DRINKS = ["espresso", "latte", "cappuccino", "mocha", "tea", "cocoa"]
MILKS = ["whole", "oat", "soy", "no-milk"]
EXTRAS = ["sugar", "vanilla", "cinnamon", "ice", "plain"]

VOCAB: list[str] = SPECIALS + CUSTOMERS + TIMES + SIZES + DRINKS + MILKS + EXTRAS
V = len(VOCAB)                   # 31
TOKEN_ID = {w: i for i, w in enumerate(VOCAB)}
PAD, BOS, SEP, EOS = (TOKEN_ID[s] for s in SPECIALS)
PROMPT_LEN = 4
RESPONSE_LEN = 5
SEQ_LEN = PROMPT_LEN + RESPONSE_LEN   # 9

# The token ids each slot may take, in table order.
_IDS = {name: torch.tensor([TOKEN_ID[w] for w in words]) for name, words in
        [("customer", CUSTOMERS), ("time", TIMES), ("size", SIZES), ("drink", DRINKS),
         ("milk", MILKS), ("extra", EXTRAS)]}


@dataclass(frozen=True)
class Tables:
    """The true conditional distributions (float64), indexed by slot index, not token id."""

    size: torch.Tensor    # (customer, time, 3)
    drink: torch.Tensor   # (customer, time, size, 6)
    milk: torch.Tensor    # (customer, drink, 4)
    extra: torch.Tensor   # (time, drink, 5)


def _random_table(gen: torch.Generator, shape: tuple[int, ...]) -> torch.Tensor:
    # Gaussian logits times a per-context sharpness in [0.5, 3]: a mix of near-certain and
    # genuinely uncertain contexts, never an exact zero.
    logits = torch.randn(shape, generator=gen, dtype=torch.float64)
    sharp = 0.5 + 2.5 * torch.rand(shape[:-1] + (1,), generator=gen, dtype=torch.float64)
    return torch.softmax(logits * sharp, dim=-1)


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The task's tables, the same on every machine (seeded CPU generator)."""
    gen = torch.Generator().manual_seed(TASK_SEED)
    c, t, s, d, m, e = (len(x) for x in (CUSTOMERS, TIMES, SIZES, DRINKS, MILKS, EXTRAS))
    return Tables(size=_random_table(gen, (c, t, s)), drink=_random_table(gen, (c, t, s, d)),
                  milk=_random_table(gen, (c, d, m)), extra=_random_table(gen, (t, d, e)))


def _slot_index(token_id: int, slot: str) -> int:
    hits = (_IDS[slot] == token_id).nonzero()
    if hits.numel() != 1:
        raise ValueError(f"token {token_id} ({VOCAB[token_id] if 0 <= token_id < V else '?'}) "
                         f"is not a {slot}")
    return int(hits[0, 0])


def true_next_probs(prefix: list[int]) -> torch.Tensor:
    """The exact distribution (V,) float64 of the token after `prefix`.

    `prefix` is a valid sequence start of length PROMPT_LEN .. SEQ_LEN - 1: it predicts a response token.
    """
    n = len(prefix)
    if not PROMPT_LEN <= n < SEQ_LEN:
        raise ValueError(f"prefix length must be in [{PROMPT_LEN}, {SEQ_LEN - 1}], got {n}")
    if prefix[0] != BOS or prefix[3] != SEP:
        raise ValueError("prefix must start <bos> CUSTOMER TIME <sep>")
    tab = tables()
    c, t = _slot_index(prefix[1], "customer"), _slot_index(prefix[2], "time")
    out = torch.zeros(V, dtype=torch.float64)
    if n == 4:
        out[_IDS["size"]] = tab.size[c, t]
    elif n == 5:
        out[_IDS["drink"]] = tab.drink[c, t, _slot_index(prefix[4], "size")]
    elif n == 6:
        out[_IDS["milk"]] = tab.milk[c, _slot_index(prefix[5], "drink")]
    elif n == 7:
        out[_IDS["extra"]] = tab.extra[t, _slot_index(prefix[5], "drink")]
    else:
        out[EOS] = 1.0
    return out


def _slot_of(ids: torch.Tensor, slot: str) -> torch.Tensor:
    """Token ids -> their index within `slot` (vectorised); raises if any id is not in the slot."""
    lookup = torch.full((V,), -1, dtype=torch.long)
    lookup[_IDS[slot]] = torch.arange(len(_IDS[slot]))
    out = lookup[ids]
    if (out < 0).any():
        raise ValueError(f"a token in that column is not a {slot}")
    return out


def true_response_probs(tokens: torch.Tensor) -> torch.Tensor:
    """For sequences (N, SEQ_LEN): the truth at each response position, (N, RESPONSE_LEN, V) float64.

    Position j is the distribution of tokens[:, PROMPT_LEN + j] given everything before it; the same
    numbers as `true_next_probs`, computed for a whole batch at once.
    """
    tab = tables()
    n = tokens.size(0)
    c, t = _slot_of(tokens[:, 1], "customer"), _slot_of(tokens[:, 2], "time")
    s, d = _slot_of(tokens[:, 4], "size"), _slot_of(tokens[:, 5], "drink")
    out = torch.zeros(n, RESPONSE_LEN, V, dtype=torch.float64)
    out[:, 0, _IDS["size"]] = tab.size[c, t]
    out[:, 1, _IDS["drink"]] = tab.drink[c, t, s]
    out[:, 2, _IDS["milk"]] = tab.milk[c, d]
    out[:, 3, _IDS["extra"]] = tab.extra[t, d]
    out[:, 4, EOS] = 1.0
    return out


def sample(n: int, seed: int) -> torch.Tensor:
    """n orders drawn from the true distribution: (n, SEQ_LEN) int64, reproducible from `seed`."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    gen = torch.Generator().manual_seed(seed)
    tab = tables()
    c = torch.randint(len(CUSTOMERS), (n,), generator=gen)
    t = torch.randint(len(TIMES), (n,), generator=gen)
    s = torch.multinomial(tab.size[c, t], 1, generator=gen).squeeze(1) if n else c
    d = torch.multinomial(tab.drink[c, t, s], 1, generator=gen).squeeze(1) if n else c
    m = torch.multinomial(tab.milk[c, d], 1, generator=gen).squeeze(1) if n else c
    e = torch.multinomial(tab.extra[t, d], 1, generator=gen).squeeze(1) if n else c
    cols = [torch.full((n,), BOS), _IDS["customer"][c], _IDS["time"][t], torch.full((n,), SEP),
            _IDS["size"][s], _IDS["drink"][d], _IDS["milk"][m], _IDS["extra"][e], torch.full((n,), EOS)]
    return torch.stack(cols, dim=1)


def decode(ids: list[int]) -> list[str]:
    """Token ids -> words."""
    return [VOCAB[i] for i in ids]


# Disjoint seed streams: the teacher's training data, the transfer set that is captured, held-out eval.
TEACHER_DATA_SEED = 1
TRANSFER_SEED = 2
EVAL_SEED = 3
