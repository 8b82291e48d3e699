"""/api/predictions over real HTTP: the lessons' predict-then-see questions and their server-computed truths."""
from __future__ import annotations

import math

import httpx
import pytest
import torch

from app.kd.gradients import kl_gradient_norms

DIGIT_STUDENT = [0.2, 2.0, 0.3, 0.5, 0.6, 0.1, -0.4, 5.0, 0.9, 2.5]
DIGIT_TEACHER = [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4]


def truth(client, slug: str, pid: str, state: dict) -> httpx.Response:
    return client.post(f"/api/predictions/{slug}/{pid}", json={"state": state})


def pull_ratio(student, teacher) -> float:
    _, with_t2 = kl_gradient_norms(torch.tensor(student, dtype=torch.float64), torch.tensor(teacher, dtype=torch.float64),
                                   torch.tensor([1.0, 4.0], dtype=torch.float64))
    return float(with_t2[1] / with_t2[0])


def test_every_lesson_defines_a_prediction_and_the_list_says_how_each_is_answered(client):
    r = client.get("/api/predictions")
    assert r.status_code == 200
    found = {(p["lesson"], p["prediction"]["id"]): p["prediction"] for p in r.json()}
    assert {lesson for lesson, _ in found} == {"kd-teacher-capture", "kd-loss", "kd-quality-kept"}
    runner_up = found[("kd-loss", "runner-up-20")]
    assert (runner_up["widget"], runner_up["kind"], runner_up["slider"]) == ("temperature", "slider", "t")
    assert runner_up["truth"] == "runner_up_reaches" and runner_up["args"] == {"share": 0.2}
    pull = found[("kd-loss", "pull-1-to-4")]
    assert {c["value"] for c in pull["choices"]} == {"grows", "flat", "shrinks"}


@pytest.mark.parametrize("gap,share", [(math.log(99), 0.2), (3.0, 0.3), (1.0, 0.45), (6.0, 0.05)])
def test_the_runner_up_truth_is_the_temperature_softmax_gives(client, gap, share):
    # Two classes: p2/p1 = exp(−gap/T), so p2 = share at T = gap / ln((1 − share) / share).
    r = truth(client, "kd-loss", "runner-up-20", {"logits": [gap, 0.0], "T": 1.0, "preset": "peaky"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["truth"] == pytest.approx(gap / math.log(4), rel=1e-10)       # the lesson's question asks 20%
    assert (body["lesson"], body["id"], body["kind"]) == ("kd-loss", "runner-up-20", "slider")
    assert body["detail"]["probability"] == pytest.approx(0.2, abs=1e-12)
    assert f"T = {body['truth']:.2f}" in body["summary"]


def test_a_runner_up_that_never_reaches_the_share_answers_null(client):
    body = truth(client, "kd-loss", "runner-up-20", {"logits": [0.3] + [0.0] * 9}).json()
    assert body["truth"] is None and "never" in body["summary"]


def test_the_runner_up_is_found_however_the_logits_are_ordered(client):
    # Many classes, the largest logit not first: the truth is the first T at which the runner-up has 20%.
    logits = [5.5, 2.0, 6.0, 4.5, 4.2, 3.6, 3.1, 1.0]
    body = truth(client, "kd-loss", "runner-up-20", {"logits": logits}).json()
    assert body["detail"]["runner_up"] == 0                 # 5.5 is second to 6.0
    T = body["truth"]
    p = torch.softmax(torch.tensor(logits, dtype=torch.float64) / T, -1)
    assert float(p[0]) == pytest.approx(0.2, abs=1e-10)
    lower = torch.softmax(torch.tensor(logits, dtype=torch.float64) / (0.999 * T), -1)
    assert float(lower[0]) < 0.2


@pytest.mark.parametrize("student,teacher,outcome", [
    (DIGIT_STUDENT, DIGIT_TEACHER, "grows"),                                          # the lesson's preset
    ([v / 2.5 for v in DIGIT_STUDENT], [v / 2.5 for v in DIGIT_TEACHER], "shrinks"),  # the same, past its peak
    ([0.0, 0.1, 0.05], [0.1, 0.0, 0.02], "flat"),                                     # already in the high-T limit
])
def test_the_pull_truth_follows_autograd(client, student, teacher, outcome):
    body = truth(client, "kd-loss", "pull-1-to-4", {"student": student, "teacher": teacher, "T": 4.0}).json()
    ratio = pull_ratio(student, teacher)
    assert body["truth"] == outcome
    assert body["detail"]["ratio"] == pytest.approx(ratio, rel=1e-12)
    assert (ratio > 1.25) == (outcome == "grows") and (ratio < 0.8) == (outcome == "shrinks")


def test_a_student_equal_to_its_teacher_has_no_pull_to_change(client):
    body = truth(client, "kd-loss", "pull-1-to-4", {"student": [1.0, 2.0, 3.0], "teacher": [2.0, 3.0, 4.0]}).json()
    assert body["truth"] == "flat" and "no pull" in body["summary"]


@pytest.mark.parametrize("state,field", [
    ({"logits": [1.0]}, "logits"),
    ({"logits": ["a", 1.0]}, "logits"),
    ({"logits": [1.0, 2.0], "colour": "red"}, "colour"),
    ({}, "logits"),
])
def test_a_bad_widget_state_is_a_422_naming_the_field(client, state, field):
    r = truth(client, "kd-loss", "runner-up-20", state)
    assert r.status_code == 422
    assert any(d["loc"][:2] == ["body", "state"] and field in d["loc"] for d in r.json()["detail"]), r.json()


def test_a_teacher_of_another_length_is_named(client):
    r = truth(client, "kd-loss", "pull-1-to-4", {"student": [1.0, 2.0], "teacher": [1.0, 2.0, 3.0]})
    assert r.status_code == 422
    assert any(d["loc"] == ["body", "state", "teacher"] for d in r.json()["detail"])


def test_an_unknown_prediction_is_a_404_and_a_body_without_state_a_422(client):
    r = truth(client, "kd-loss", "no-such", {"logits": [1.0, 2.0]})
    assert r.status_code == 404 and "no-such" in r.json()["detail"]
    assert truth(client, "no-lesson", "runner-up-20", {}).status_code == 404
    r = client.post("/api/predictions/kd-loss/runner-up-20", json={"logits": [1.0, 2.0]})
    assert r.status_code == 422


def test_the_coverage_truth_is_the_smallest_k_of_the_teachers_own_curve(base_url):
    with httpx.Client(base_url=base_url, timeout=180) as client:    # the first call trains the teacher
        state = {"example": 3, "position": 1, "k": 1, "temperature": 1.0}
        view = client.post("/api/tinylm/teacher", json=state).json()
        body = truth(client, "kd-teacher-capture", "k-for-95", state).json()
    k = body["truth"]
    assert view["coverage"][k - 1] >= 0.95 and (k == 1 or view["coverage"][k - 2] < 0.95)
    assert body["detail"]["coverage_at_k"] == pytest.approx(view["coverage"][k - 1], abs=1e-12)


def test_the_gap_truth_is_the_band_of_the_comparisons_own_gap(base_url):
    state = {"alpha": 0.5, "temperature": 2.0, "top_k": 8, "examples": 100, "steps": 60, "seed": 1}
    with httpx.Client(base_url=base_url, timeout=300) as client:
        body = truth(client, "kd-quality-kept", "gap-closed", state).json()
        answer = client.post("/api/tinylm/compare", json=state).json()     # the same run, from the cache
    gap = answer["quality_kept"]["gap_closed"]["kl_to_truth"]
    assert body["detail"]["gap_closed"] == pytest.approx(gap, abs=1e-12)
    band = "worse" if gap < 0 else "under-third" if gap < 1 / 3 else "third-to-two-thirds" if gap < 2 / 3 else "over-two-thirds"
    assert body["truth"] == band
