"""The explorers' endpoints over real HTTP: numbers against the float64 reference, 422s naming the field."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.reference import (kd_gradients_reference, kd_reference, kl_gradient_norm_reference, log_softmax,
                             slope_reference)

RNG = np.random.default_rng(20260515)   # unseen inputs: not the values the unit tests use


@pytest.mark.parametrize("reduction", ["seed", "token_mean"])
@pytest.mark.parametrize("rows,vocab,masked,alpha,T", [(1, 5, 0, 0.5, 2.0), (6, 9, 2, 0.2, 4.0),
                                                        (4, 3, 1, 1.0, 0.7), (3, 12, 0, 0.0, 15.0)])
def test_loss_values_and_gradients_match_the_reference(client, reduction, rows, vocab, masked, alpha, T):
    s, t = RNG.normal(size=(rows, vocab)) * 4, RNG.normal(size=(rows, vocab)) * 4
    y = RNG.integers(0, vocab, size=rows)
    y[:masked] = -100
    r = client.post("/api/kd/loss", json={"student_logits": s.tolist(), "teacher_logits": t.tolist(),
                                          "labels": y.tolist(), "alpha": alpha, "temperature": T,
                                          "kl_reduction": reduction})
    assert r.status_code == 200, r.text
    body = r.json()
    ce, kl, loss = kd_reference(s, t, y, alpha, T, reduction)
    assert body["ce"] == pytest.approx(ce, rel=1e-9)
    assert body["kl"] == pytest.approx(kl, rel=1e-9)
    assert body["kd_term"] == pytest.approx(T * T * kl, rel=1e-9)
    assert body["weighted_ce"] == pytest.approx(alpha * ce, rel=1e-9, abs=1e-15)
    assert body["weighted_kd"] == pytest.approx((1 - alpha) * T * T * kl, rel=1e-9, abs=1e-15)
    assert body["loss"] == pytest.approx(loss, rel=1e-9)
    want_ce, want_kd = kd_gradients_reference(s, t, y, alpha, T, reduction)
    np.testing.assert_allclose(body["grad"]["ce"], want_ce, rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(body["grad"]["kd"], want_kd, rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(body["grad"]["total"], want_ce + want_kd, rtol=1e-8, atol=1e-13)
    sweep = body["alpha_sweep"]
    assert sweep["alpha"][0] == 0 and sweep["alpha"][-1] == 1
    i = sweep["alpha"].index(0.3)
    assert sweep["loss"][i] == pytest.approx(0.3 * ce + 0.7 * T * T * kl, rel=1e-9)
    np.testing.assert_allclose(body["probs"]["teacher_t"], np.exp(log_softmax(t / T)), rtol=1e-12)


def test_seed_and_token_mean_differ_when_rows_are_masked(client):
    body = {"student_logits": [[1, 2, 0], [0, 0, 3]], "teacher_logits": [[2, 0, 1], [1, 1, 1]], "labels": [-100, 2]}
    seed = client.post("/api/kd/loss", json={**body, "kl_reduction": "seed"}).json()
    token = client.post("/api/kd/loss", json={**body, "kl_reduction": "token_mean"}).json()
    assert seed["ce"] == token["ce"]
    assert seed["kl"] != pytest.approx(token["kl"])
    assert token["grad"]["kd"][0] == [0, 0, 0]    # a masked row gets no pull from the token mean


def test_no_labelled_row_gives_zero_ce_not_an_error(client):
    r = client.post("/api/kd/loss", json={"student_logits": [[1, 2]], "teacher_logits": [[2, 1]], "labels": [-100]})
    assert r.status_code == 200
    assert r.json()["ce"] == 0 and r.json()["grad"]["ce"] == [[0, 0]]


@pytest.mark.parametrize("change,field,words", [
    ({"teacher_logits": [[1, 2]]}, "teacher_logits", "has 2 logits"),
    ({"teacher_logits": [[1, 2, 3], [1, 2, 3]]}, "teacher_logits", "2 rows"),
    ({"student_logits": [[1, 2, 3], [1, 2]], "teacher_logits": [[1, 2, 3], [1, 2]], "labels": [0, 0]},
     "student_logits", "same vocabulary"),
    ({"labels": [3]}, "labels", "0..2"),
    ({"labels": [0, 1]}, "labels", "one per row"),
    ({"labels": [1.0]}, "labels", "integer"),
    ({"alpha": 1.5}, "alpha", "less than or equal to 1"),
    ({"temperature": 0}, "temperature", "greater than or equal to 0.01"),
    ({"temperature": 1e-300}, "temperature", "greater than or equal to 0.01"),
    ({"kl_reduction": "sum"}, "kl_reduction", "seed"),
    ({"student_logits": [[1, "2", 3]]}, "student_logits", "number"),
    ({"extra": 1}, "extra", "Extra inputs"),
])
def test_bad_loss_bodies_get_a_422_naming_the_field(client, change, field, words):
    body = {"student_logits": [[1, 2, 3]], "teacher_logits": [[3, 2, 1]], "labels": [0], **change}
    r = client.post("/api/kd/loss", json=body)
    assert r.status_code == 422
    errors = r.json()["detail"]
    assert any(e["loc"][1] == field and words in e["msg"] for e in errors), errors


def test_nan_and_infinity_are_refused(client):
    text = '{"student_logits": [[NaN, 1]], "teacher_logits": [[1, Infinity]], "labels": [0]}'
    r = client.post("/api/kd/loss", content=text, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert {e["loc"][1] for e in r.json()["detail"]} == {"student_logits", "teacher_logits"}


TEMPS = np.exp(np.linspace(np.log(0.5), np.log(50), 49)).tolist()


@pytest.mark.parametrize("trial", range(3))
def test_temperature_gradient_norms_and_slopes_match_the_reference(client, trial):
    z, v = RNG.normal(size=8) * 3, RNG.normal(size=8) * 3
    r = client.post("/api/kd/temperature-gradients",
                    json={"student_logits": z.tolist(), "teacher_logits": v.tolist(), "temperatures": TEMPS})
    assert r.status_code == 200, r.text
    body = r.json()
    want = np.array([kl_gradient_norm_reference(z, v, T) for T in TEMPS])
    np.testing.assert_allclose(body["grad_norm"], want, rtol=1e-9)
    np.testing.assert_allclose(body["grad_norm_t2"], want * np.array(TEMPS) ** 2, rtol=1e-9)
    high = np.array(TEMPS) >= body["slope_fit_from"]
    assert 10 <= body["slope_fit_from"] <= 11 and body["slope_fit_points"] == high.sum()
    assert body["high_t_slope"] == pytest.approx(slope_reference(np.array(TEMPS)[high], want[high]), abs=1e-9)
    assert body["high_t_slope"] == pytest.approx(-2.0, abs=0.1)
    assert body["high_t_slope_t2"] == pytest.approx(0.0, abs=0.1)
    zc, vc = z - z.mean(), v - v.mean()
    limit = np.linalg.norm(zc - vc) / len(z) / np.array(TEMPS) ** 2
    np.testing.assert_allclose(body["logit_matching_limit"], limit, rtol=1e-12)
    assert body["grad_norm"][-1] / limit[-1] == pytest.approx(1.0, abs=0.05)   # the limit is reached at T = 50
    # The low-T band, T = 1–4: its own fixed grid (not the asked temperatures), and the T² pull's change.
    low = np.exp(np.linspace(np.log(1.0), np.log(4.0), body["low_t_points"]))
    low_norms = np.array([kl_gradient_norm_reference(z, v, T) for T in low])
    assert body["practical_range"] == [1.0, 4.0]
    assert body["low_t_slope"] == pytest.approx(slope_reference(low, low_norms), abs=1e-9)
    assert body["low_t_slope_t2"] == pytest.approx(slope_reference(low, low_norms * low ** 2), abs=1e-9)
    ends = [kl_gradient_norm_reference(z, v, T) * T ** 2 for T in (1.0, 4.0)]
    np.testing.assert_allclose(body["practical_t2_ends"], ends, rtol=1e-9)
    assert body["practical_t2_ratio"] == pytest.approx(ends[1] / ends[0], rel=1e-9)


@pytest.mark.parametrize("T", [0.01, 1000.0])
def test_extreme_logits_and_temperatures_stay_finite(client, T):
    big = {"student_logits": [[1e4, -1e4, 0.0]], "teacher_logits": [[-1e4, 1e4, 0.0]], "labels": [1], "temperature": T}
    body = client.post("/api/kd/loss", json=big).json()
    numbers = [body[k] for k in ("loss", "ce", "kl", "kd_term")] + [g for row in body["grad"]["total"] for g in row]
    assert all(isinstance(x, float | int) and math.isfinite(x) for x in numbers), body
    body = client.post("/api/kd/temperature-gradients", json={"student_logits": [1e4, -1e4, 0], "teacher_logits": [-1e4, 1e4, 0],
                                                              "temperatures": [T, 1.0]}).json()
    assert all(isinstance(x, float) and math.isfinite(x) for x in body["grad_norm"] + body["grad_norm_t2"]), body
    body = client.post("/api/kd/reduction", json={"temperature": T}).json()
    assert all(isinstance(x, float) and math.isfinite(x) for x in body["seed_kl"]), body


def test_identical_logits_have_no_gradient_and_no_slope(client):
    r = client.post("/api/kd/temperature-gradients",
                    json={"student_logits": [1, 2, 3], "teacher_logits": [2, 3, 4], "temperatures": [1, 10, 50]})
    body = r.json()
    assert body["high_t_slope"] is None and max(body["grad_norm"]) < 1e-15


def test_temperature_gradients_refuse_mismatched_logits(client):
    r = client.post("/api/kd/temperature-gradients",
                    json={"student_logits": [1, 2, 3], "teacher_logits": [2, 3], "temperatures": [1]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "teacher_logits"]


def test_reduction_grows_with_length_and_counts_the_prompt(client):
    r = client.post("/api/kd/reduction", json={"batch_size": 3, "seq_len": 20, "prompt_len": 8, "vocab": 10,
                                               "temperature": 2.0, "seed": 4})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["lengths"] == list(range(1, 21))
    assert body["masked"][-1] == 3 * 8 and body["labelled"][-1] == 3 * 12
    assert body["token_mean_kl"][:8] == [None] * 8
    per_pos = np.array(body["per_position"])
    assert body["seed_kl"][-1] == pytest.approx(per_pos.sum() / 3, rel=1e-12)
    assert body["token_mean_kl"][-1] == pytest.approx(per_pos[:, 8:].mean(), rel=1e-12)
    assert body["masked_share_of_seed_kl"] == pytest.approx(per_pos[:, :8].sum() / per_pos.sum(), rel=1e-12)
    assert np.array(body["is_masked"])[:, :8].all() and not np.array(body["is_masked"])[:, 8:].any()
    assert body["seed_kl"][-1] > 5 * body["token_mean_kl"][-1]


def test_reduction_refuses_a_prompt_longer_than_the_sequence(client):
    r = client.post("/api/kd/reduction", json={"seq_len": 4, "prompt_len": 5})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "prompt_len"]


def test_kl_direction_covers_with_forward_and_seeks_with_reverse(client):
    r = client.post("/api/kd/kl-direction", json={"separation": 7.0, "left_weight": 0.3, "width": 0.8})
    assert r.status_code == 200, r.text
    body = r.json()
    x, teacher = np.array(body["x"]), np.array(body["teacher"])
    assert teacher.sum() == pytest.approx(1.0) and len(body["forward"]["probs"]) == len(x)
    # forward KL over an exponential family matches moments: the fit's mean is the teacher's mean
    fit_mean = float((x * np.array(body["forward"]["probs"])).sum())
    assert fit_mean == pytest.approx(float((x * teacher).sum()), abs=0.05)
    assert body["forward"]["width"] > 3
    assert body["reverse"]["mean"] == pytest.approx(3.5, abs=0.2)    # the heavier (right) peak
    forward_kl = float((teacher * (np.log(teacher) - np.log(body["forward"]["probs"]))).sum())
    assert body["forward"]["kl"] == pytest.approx(forward_kl, rel=1e-9)
    q = np.array(body["reverse"]["probs"])
    assert body["reverse"]["kl"] == pytest.approx(float((q * (np.log(q) - np.log(teacher))).sum()), rel=1e-9)


def test_kl_direction_refuses_bad_weights(client):
    r = client.post("/api/kd/kl-direction", json={"left_weight": 1.0})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "left_weight"]
    assert math.isfinite(client.post("/api/kd/kl-direction", json={"separation": 0}).json()["forward"]["kl"])
