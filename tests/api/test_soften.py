"""POST /api/kd/soften over real HTTP: the numbers, and a clear 4xx for every kind of bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.reference import log_softmax


def test_soften_matches_a_float64_reference(client):
    logits = [2.0, -1.0, 0.5, 3.25]
    temps = [0.1, 1.0, 3.31, 20.0]
    r = client.post("/api/kd/soften", json={"logits": logits, "temperatures": temps})
    assert r.status_code == 200
    body = r.json()
    assert body["temperatures"] == temps
    for row, entropy, off_top, T in zip(body["probs"], body["entropy_bits"], body["mass_off_top"], temps):
        want = np.exp(log_softmax(np.array(logits) / T))
        assert row == pytest.approx(want.tolist(), abs=1e-12)
        h = -sum(p * math.log2(p) for p in want if p > 0)
        assert entropy == pytest.approx(h, abs=1e-9)
        assert off_top == pytest.approx(1 - want.max(), abs=1e-12)
    for mean, T in zip(body["mean_logit"], temps):
        want = np.exp(log_softmax(np.array(logits) / T))
        assert mean == pytest.approx(float(want @ np.array(logits)), abs=1e-12)


def test_99_1_pair_becomes_80_20_at_ln99_over_ln4(client):
    t = math.log(99) / math.log(4)
    r = client.post("/api/kd/soften", json={"logits": [math.log(99), 0], "temperatures": [1, t]})
    p1, pt = r.json()["probs"]
    assert p1 == pytest.approx([0.99, 0.01])
    assert pt == pytest.approx([0.8, 0.2])


@pytest.mark.parametrize("logits,T", [([100, -100, 99.9], 0.1), ([1e4, -1e4, 0], 0.01), ([-1e4, 1e4], 1000)])
def test_extreme_logits_at_the_temperature_bounds_are_finite(client, logits, T):
    r = client.post("/api/kd/soften", json={"logits": logits, "temperatures": [T]})
    assert r.status_code == 200
    body = r.json()
    assert all(p is not None and math.isfinite(p) for p in body["probs"][0])
    assert math.isfinite(body["entropy_bits"][0]) and math.isfinite(body["mass_off_top"][0])


def _field(response) -> str:
    return ".".join(str(p) for p in response.json()["detail"][0]["loc"])


@pytest.mark.parametrize("body,field", [
    ({"logits": [], "temperatures": [1]}, "body.logits"),
    ({"logits": [1, 2], "temperatures": []}, "body.temperatures"),
    ({"logits": [1, "2"], "temperatures": [1]}, "body.logits.1"),
    ({"logits": "1,2", "temperatures": [1]}, "body.logits"),
    ({"logits": [1, 2], "temperatures": [0]}, "body.temperatures.0"),
    ({"logits": [1, 2], "temperatures": [-1]}, "body.temperatures.0"),
    ({"logits": [1, 2], "temperatures": [5e-324]}, "body.temperatures.0"),
    ({"logits": [1, 2], "temperatures": [0.009]}, "body.temperatures.0"),
    ({"logits": [1, 2], "temperatures": [1000.5]}, "body.temperatures.0"),
    ({"logits": [1] * 4097, "temperatures": [1]}, "body.logits"),
    ({"logits": [1, 2], "temperatures": [1] * 65}, "body.temperatures"),
    ({"logits": [1, 2], "temperatures": [None]}, "body.temperatures.0"),
    ({"logits": [1e5, 2], "temperatures": [1]}, "body.logits.0"),
    ({"temperatures": [1]}, "body.logits"),
    ({"logits": [1], "temperatures": [1], "extra": 1}, "body.extra"),
])
def test_bad_input_gets_422_naming_the_field(client, body, field):
    r = client.post("/api/kd/soften", json=body)
    assert r.status_code == 422
    assert _field(r) == field


@pytest.mark.parametrize("raw,field", [
    ('{"logits": [NaN, 1], "temperatures": [1]}', "body.logits.0"),
    ('{"logits": [Infinity], "temperatures": [1]}', "body.logits.0"),
    ('{"logits": [1], "temperatures": [-Infinity]}', "body.temperatures.0"),
    ('{"logits": [1e999], "temperatures": [1]}', "body.logits.0"),
])
def test_non_finite_numbers_get_422(client, raw, field):
    r = client.post("/api/kd/soften", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert _field(r) == field


def test_malformed_json_gets_422_not_500(client):
    r = client.post("/api/kd/soften", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_a_body_over_one_megabyte_gets_413(client):
    big = b'{"logits": [' + b"1," * 600_000 + b'1], "temperatures": [1]}'
    r = client.post("/api/kd/soften", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "larger than" in r.json()["detail"]


def test_a_streamed_body_without_length_over_the_limit_gets_413(client):
    def chunks():
        yield b'{"logits": ['
        for _ in range(200):
            yield b"1," * 5000
        yield b'1], "temperatures": [1]}'

    r = client.post("/api/kd/soften", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
