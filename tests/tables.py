"""Reading a slider table (POST /api/tables/…) in Python: the single request and answer each row stands for.

The page does the same in static/js/lib/tables.js; the browser tests check that copy against the server.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from app.web.packed import unpack


class Table:
    def __init__(self, body: dict) -> None:
        self.values = unpack(body["values"])
        self.rows = {k: unpack(v) for k, v in body["by_position"].items()}
        self.fixed = {k: unpack(v) for k, v in body["fixed"].items()}

    def row(self, name: str, i: int) -> Any:
        return self.rows[name][i].tolist()

    def const(self, name: str) -> Any:
        return self.fixed[name].tolist()


def _nullable(values: list) -> list:
    return [None if v != v else v for v in values]


def _scalar_or_none(v: float) -> float | None:
    return None if v != v else v


def temperature_T(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    T = float(t.values[i])
    return ({"logits": state["logits"], "temperatures": [1, T]},
            {"temperatures": [1, T], "probs": [t.const("probs_at_1"), t.row("probs", i)],
             "entropy_bits": [t.const("entropy_bits_at_1"), t.row("entropy_bits", i)],
             "mass_off_top": [t.const("mass_off_top_at_1"), t.row("mass_off_top", i)],
             "mean_logit": [t.const("mean_logit_at_1"), t.row("mean_logit", i)]})


def alpha_alpha(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    alpha = float(t.values[i])
    return ({**state, "alpha": alpha},
            {"loss": t.row("loss", i), "ce": t.const("ce"), "kl": t.const("kl"), "kd_term": t.const("kd_term"),
             "weighted_ce": t.row("weighted_ce", i), "weighted_kd": t.row("weighted_kd", i),
             "grad": {"ce": t.row("grad_ce", i), "kd": t.row("grad_kd", i), "total": t.row("grad_total", i)},
             "alpha_sweep": {"alpha": t.const("sweep_alpha"), "weighted_ce": t.const("sweep_weighted_ce"),
                             "weighted_kd": t.const("sweep_weighted_kd"), "loss": t.const("sweep_loss")}})


def alpha_T(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    T = float(t.values[i])
    alphas, sweep_ce = t.fixed["sweep_alpha"], t.fixed["sweep_weighted_ce"]
    sweep_kd = (1.0 - alphas) * t.rows["kd_term"][i]       # the two products the page takes (see api_tables)
    return ({**state, "temperature": T},
            {"loss": t.row("loss", i), "ce": t.const("ce"), "kl": t.row("kl", i), "kd_term": t.row("kd_term", i),
             "weighted_ce": t.const("weighted_ce"), "weighted_kd": t.row("weighted_kd", i),
             "grad": {"ce": t.const("grad_ce"), "kd": t.row("grad_kd", i), "total": t.row("grad_total", i)},
             "alpha_sweep": {"alpha": alphas.tolist(), "weighted_ce": sweep_ce.tolist(), "weighted_kd": sweep_kd.tolist(),
                             "loss": (sweep_ce + sweep_kd).tolist()}})


def t_squared_T(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    T = float(t.values[i])
    curve = t.const("curve_temperatures")
    return ({**state, "temperatures": [*curve, T]},
            {"temperatures": [*curve, T],
             **{k: [*t.const(k), t.row(k, i)] for k in ("grad_norm", "grad_norm_t2", "logit_matching_limit")},
             "high_t_slope": _scalar_or_none(t.row("high_t_slope", i)),
             "high_t_slope_t2": _scalar_or_none(t.row("high_t_slope_t2", i)),
             "slope_fit_from": t.row("slope_fit_from", i), "slope_fit_points": t.row("slope_fit_points", i),
             "practical_range": t.const("practical_range"), "low_t_points": t.const("low_t_points"),
             "practical_t2_ends": t.const("practical_t2_ends"),
             **{k: _scalar_or_none(t.const(k)) for k in ("low_t_slope", "low_t_slope_t2", "practical_t2_ratio")}})


def _reduction_answer(per_position: np.ndarray, is_masked: np.ndarray, seed_kl, token_mean_kl, labelled, masked,
                      share: float) -> dict:
    return {"lengths": list(range(1, len(seed_kl) + 1)), "seed_kl": list(seed_kl),
            "token_mean_kl": _nullable(list(token_mean_kl)), "labelled": list(labelled), "masked": list(masked),
            "per_position": per_position.tolist(), "is_masked": is_masked.astype(bool).tolist(),
            "masked_share_of_seed_kl": share}


def reduction_seq_len(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    n = int(t.values[i])
    f = t.fixed
    return ({**state, "seq_len": n, "prompt_len": min(state["prompt_len"], n)},
            _reduction_answer(f["per_position"][:, :n], f["is_masked"][:, :n], f["seed_kl"][:n].tolist(),
                              f["token_mean_kl"][:n].tolist(), f["labelled"][:n].tolist(), f["masked"][:n].tolist(),
                              t.row("masked_share", i)))


def reduction_prompt_len(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    q = int(t.values[i])
    return ({**state, "prompt_len": q},
            _reduction_answer(t.fixed["per_position"], t.rows["is_masked"][i], t.const("seed_kl"),
                              t.row("token_mean_kl", i), t.row("labelled", i), t.row("masked", i),
                              t.row("masked_share", i)))


def reduction_batch_size(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    b = int(t.values[i])
    return ({**state, "batch_size": b},
            _reduction_answer(t.fixed["per_position"][:b], t.fixed["is_masked"][:b], t.row("seed_kl", i),
                              t.row("token_mean_kl", i), t.row("labelled", i), t.row("masked", i),
                              t.row("masked_share", i)))


def _kl_direction(t: Table, i: int) -> dict:
    def fit(name: str) -> dict:
        return {k: t.row(f"{name}_{k}", i) for k in ("mean", "width", "kl", "probs")}
    return {"x": t.const("x"), "teacher": t.row("teacher", i), "forward": fit("forward"), "reverse": fit("reverse"),
            "means": t.const("means"), "forward_by_mean": t.row("forward_by_mean", i),
            "reverse_by_mean": t.row("reverse_by_mean", i)}


def kl_separation(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    return {**state, "separation": float(t.values[i])}, _kl_direction(t, i)


def kl_left_weight(t: Table, i: int, state: dict) -> tuple[dict, dict]:
    return {**state, "left_weight": float(t.values[i])}, _kl_direction(t, i)


def assert_same(got: Any, want: Any, tol: float = 1e-12, where: str = "") -> None:
    """Equal structure; numbers within tol (relative above 1, absolute below); None only where None."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(want) <= set(got), f"{where}: {sorted(want)} not in {got!r:.200}"
        for k in want:
            assert_same(got[k], want[k], tol, f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: lengths {len(got)} != {len(want)}"
        for k, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, tol, f"{where}[{k}]")
    elif want is None or got is None or isinstance(want, (bool, str)):
        assert got == want, f"{where}: {got!r} != {want!r}"
    else:
        assert abs(got - want) <= tol * max(1.0, abs(want)), f"{where}: {got!r} != {want!r}"
