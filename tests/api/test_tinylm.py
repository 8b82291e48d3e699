"""/api/tinylm over real HTTP: the teacher inspector and the teacher/SFT/KD comparison."""
from __future__ import annotations

import json
import math

import pytest
import torch

from app.kd.topk import capture_topk
from app.training.tinylm import task
from app.training.tinylm.capture import CaptureMeta, capture_from_records


@pytest.fixture(scope="module")
def view(client_module):
    r = client_module.post("/api/tinylm/teacher", json={"example": 3, "position": 1, "k": 4, "temperature": 1.0})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def client_module(base_url):
    import httpx
    with httpx.Client(base_url=base_url, timeout=120) as c:   # the first call trains the teacher
        yield c


def test_teacher_view_is_a_sorted_distribution_with_the_truth_beside_it(view):
    dist = view["distribution"]
    assert len(dist) == task.V
    ps = [d["p"] for d in dist]
    assert ps == sorted(ps, reverse=True) and math.isclose(sum(ps), 1.0, abs_tol=1e-9)
    assert math.isclose(sum(d["truth"] for d in dist), 1.0, abs_tol=1e-12)
    assert view["tokens"][0] == "<bos>" and view["prompt_len"] == task.PROMPT_LEN
    assert view["target"] == view["tokens"][view["target_index"]]
    # position 1 predicts the drink: the truth has mass on drinks only
    assert {d["token"] for d in dist if d["truth"] > 0} <= set(task.DRINKS)


def test_coverage_curve_and_the_jsonl_line_agree(view):
    cov = view["coverage"]
    assert len(cov) == task.V and all(b >= a - 1e-12 for a, b in zip(cov, cov[1:]))
    assert math.isclose(cov[-1], 1.0, abs_tol=1e-9)
    assert math.isclose(view["mass_kept"], cov[3], abs_tol=1e-12)
    assert math.isclose(sum(d["p"] for d in view["distribution"][:4]), cov[3], abs_tol=1e-9)
    line = json.loads(view["jsonl_line"])
    meta = json.loads(view["jsonl_meta"])
    assert meta["k"] == 4 and meta["vocabulary"] == task.VOCAB
    pos = line["positions"][1]
    assert pos["ids"] == [d["id"] for d in view["distribution"][:4]]
    assert [round(math.exp(lp), 5) for lp in pos["logprobs"]] == \
        [round(d["p"], 5) for d in view["distribution"][:4]]
    # the line passes the same validation as a capture file (index 3 would be line 5 of a file)
    line["index"] = 0
    capture_from_records(CaptureMeta(meta["teacher_id"], meta["vocabulary"], 4, 1.0, 1), [line])


def test_temperature_softens_the_teacher(client_module, view):
    hot = client_module.post("/api/tinylm/teacher", json={"example": 3, "position": 1, "k": 4, "temperature": 4.0}).json()
    assert hot["distribution"][0]["p"] < view["distribution"][0]["p"]
    assert hot["mass_kept"] < view["mass_kept"]
    assert hot["distribution"][0]["id"] == view["distribution"][0]["id"]   # the order never changes


@pytest.mark.parametrize("body, field", [
    ({"example": 200}, "example"), ({"example": -1}, "example"), ({"position": 5}, "position"),
    ({"k": 0}, "k"), ({"k": 32}, "k"), ({"temperature": 0}, "temperature"), ({"temperature": "2"}, "temperature"),
    ({"k": 2.5}, "k"), ({"colour": 1}, "colour"),
])
def test_teacher_view_bad_input_is_a_422_naming_the_field(client, body, field):
    r = client.post("/api/tinylm/teacher", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == field


@pytest.mark.slow
def test_compare_teacher_sft_and_kd(client_module):
    body = {"alpha": 0.5, "temperature": 2.0, "top_k": 8, "examples": 300, "steps": 300, "seed": 1}
    r = client_module.post("/api/tinylm/compare", json=body)
    assert r.status_code == 200, r.text
    a = r.json()
    t, sft, kd = a["teacher"], a["sft"], a["kd"]
    assert t["kl_to_teacher"] == 0.0
    assert kd["kl_to_truth"] < sft["kl_to_truth"] and kd["kl_to_teacher"] < sft["kl_to_teacher"]
    q = a["quality_kept"]
    assert q["accuracy_ratio"]["kd"] == pytest.approx(kd["accuracy"] / t["accuracy"])
    assert q["gap_closed"]["perplexity"] == pytest.approx(
        (sft["perplexity"] - kd["perplexity"]) / (sft["perplexity"] - t["perplexity"]))
    assert len(a["curves"]["sft"]) == len(a["curves"]["kd"]) >= 10
    assert a["curves"]["kd"][-1]["step"] == 300
    # deterministic and cached: the same body gives the same answer
    assert client_module.post("/api/tinylm/compare", json=body).json() == a


@pytest.mark.parametrize("body, field", [
    ({"steps": 5}, "steps"), ({"steps": 5000}, "steps"), ({"alpha": 1.2}, "alpha"), ({"top_k": 40}, "top_k"),
    ({"examples": 3}, "examples"), ({"temperature": -1}, "temperature"), ({"seed": True}, "seed"),
])
def test_compare_bad_input_is_a_422_naming_the_field(client, body, field):
    r = client.post("/api/tinylm/compare", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == field


@pytest.mark.slow
def test_comparisons_are_limited_per_client_and_other_clients_get_their_turn(test_settings, client_module):
    """One client (127.0.0.1) with its one comparison running gets 429 naming the per-client limit for a
    second; another client (127.0.0.2) is not refused but waits its turn and gets its answer."""
    import threading
    import time

    import httpx

    from app.main import create_app
    from tests.live_server import serve

    settings = test_settings.model_copy(update={"compare_per_client": 1})
    answers = {}

    def ask(url, name, seed, source="127.0.0.1"):
        transport = httpx.HTTPTransport(local_address=source)
        with httpx.Client(base_url=url, timeout=300, transport=transport) as c:
            answers[name] = c.post("/api/tinylm/compare", json={"steps": 200, "examples": 100, "seed": seed})

    with serve(create_app(settings)) as url:
        first = threading.Thread(target=ask, args=(url, "first", 101))
        first.start()
        time.sleep(1.0)                                   # the first is training now
        other = threading.Thread(target=ask, args=(url, "other client", 103, "127.0.0.2"))
        other.start()
        ask(url, "second", 102)
        first.join()
        other.join()
    assert answers["first"].status_code == 200
    assert answers["other client"].status_code == 200
    second = answers["second"]
    assert second.status_code == 429 and second.json()["limit"] == "compare requests per client"
    assert int(second.headers["retry-after"]) >= 1


def test_a_comparison_over_the_time_limit_is_stopped_with_a_reason(test_settings, client_module):
    import httpx

    from app.main import create_app
    from app.settings import Settings
    from tests.live_server import serve

    settings = Settings(cache_dir=test_settings.cache_dir, max_run_seconds=0.05)   # teacher already cached
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as c:
        r = c.post("/api/tinylm/compare", json={"steps": 1000, "examples": 100, "seed": 77})
    assert r.status_code == 503
    assert "longer than 0.05 s" in r.json()["detail"]
