"""The table of KD operations is the one list the HTTP routes and the live socket serve; answers are bounded."""
from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from app.web import api_kd
from app.web.kd_bodies import LossRequest, SoftenRequest
from app.web.kd_operations import OPERATIONS, perform
from tests.run_async import run_async


def test_every_kd_post_route_is_an_operation_with_the_same_models_and_no_others(test_settings):
    routes = {r.path: r for r in api_kd.router.routes if isinstance(r, APIRoute)}
    assert set(routes) == set(OPERATIONS)
    for path, op in OPERATIONS.items():
        route = routes[path]
        assert route.methods == {"POST"}
        assert route.body_field is not None and route.body_field.field_info.annotation is op.request
        assert route.response_model is op.response
        assert route.dependant.dependencies == []     # the socket calls op.compute; nothing is injected


def test_openapi_documents_each_operation_with_its_models(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {p for p in paths if p.startswith("/api/kd/")} == set(OPERATIONS)
    for path, op in OPERATIONS.items():
        post = paths[path]["post"]
        assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(op.request.__name__)
        assert post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(op.response.__name__)


class _SpyLane:
    def __init__(self) -> None:
        self.jobs = 0

    async def run(self, client, job):
        self.jobs += 1
        return job()


@pytest.mark.parametrize("path,body,heavy", [
    ("/api/kd/soften", SoftenRequest(logits=[1.0, 2.0], temperatures=[1.0, 3.0]), False),
    ("/api/kd/soften", SoftenRequest(logits=[0.5] * 4096, temperatures=[1.0, 2.0, 3.0, 4.0]), True),
    ("/api/kd/loss", LossRequest(student_logits=[[1.0, 2.0, 0.5]], teacher_logits=[[0.0, 1.0, 2.0]], labels=[1]), False),
    ("/api/kd/loss", LossRequest(student_logits=[[1.0] * 64] * 32, teacher_logits=[[0.5] * 64] * 32, labels=[1] * 32), True),
])
def test_cheap_work_runs_on_the_loop_and_heavy_work_in_the_lane(test_settings, path, body, heavy):
    lane = _SpyLane()
    op = OPERATIONS[path]
    text = run_async(perform(op, body, lane=lane, client="a", inline_s=test_settings.inline_work_seconds))
    assert lane.jobs == (1 if heavy else 0)
    assert op.response.model_validate_json(text) == op.compute(body)


@pytest.mark.parametrize("path,body,field", [
    ("/api/kd/soften", {"logits": [0.5] * 4096, "temperatures": [1.0] * 64}, "temperatures"),
    ("/api/kd/soften", {"logits": [0.5] * 257, "temperatures": [1.0] * 64}, "temperatures"),
    ("/api/kd/temperature-gradients", {"student_logits": [0.5] * 4096, "teacher_logits": [0.1] * 4096,
                                       "temperatures": [1.0] * 5}, "temperatures"),
    ("/api/kd/loss", {"student_logits": [[0.5] * 128] * 17, "teacher_logits": [[0.1] * 128] * 17,
                      "labels": [1] * 17}, "student_logits"),
])
def test_requests_whose_answers_would_be_too_large_get_422_naming_the_field(client, path, body, field):
    r = client.post(path, json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", field]


def test_the_largest_answers_allowed_stay_under_half_a_megabyte(client):
    soften = client.post("/api/kd/soften", json={"logits": [0.5] * 256, "temperatures": [1.0 + i for i in range(64)]})
    loss = client.post("/api/kd/loss", json={"student_logits": [[0.1 * i for i in range(128)]] * 16,
                                             "teacher_logits": [[0.2 * i for i in range(128)]] * 16, "labels": [3] * 16})
    assert soften.status_code == loss.status_code == 200
    assert len(soften.content) < 512 * 1024 and len(loss.content) < 512 * 1024
