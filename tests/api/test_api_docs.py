"""/docs and the OpenAPI schema: every operation has a summary and examples, and the examples are what the
API really answers (recorded by app/web/api_examples.py)."""
from __future__ import annotations

import math

import pytest

from app.web.api_docs import SWAGGER_URL, load_examples
from app.web.api_runs import RunCreated, RunState
from app.web.api_tinylm import CompareAnswer, TeacherView

EXAMPLES = load_examples()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def close(recorded, now, where="") -> None:
    """Equal, floats to 1e-9 relative (another BLAS may round the last bits differently)."""
    if isinstance(recorded, float) or isinstance(now, float):
        assert math.isclose(recorded, now, rel_tol=1e-9, abs_tol=1e-12), where
    elif isinstance(recorded, dict):
        assert recorded.keys() == now.keys(), where
        for key in recorded:
            close(recorded[key], now[key], f"{where}.{key}")
    elif isinstance(recorded, list):
        assert len(recorded) == len(now), where
        for i, (a, b) in enumerate(zip(recorded, now)):
            close(a, b, f"{where}[{i}]")
    else:
        assert recorded == now, where


def test_every_operation_has_a_summary_and_examples(client):
    schema = client.get("/openapi.json").json()
    seen = set()
    for key, operation in operations(schema):
        seen.add(key)
        assert operation.get("summary") and operation["summary"] != operation["operationId"], key
        summary = operation["summary"]
        assert not summary.istitle() or len(summary.split()) < 3, f"{key}: a written summary, not FastAPI's default"
        if "requestBody" in operation:
            examples = operation["requestBody"]["content"]["application/json"]["examples"]
            assert examples["example"]["value"] == EXAMPLES[key]["request"], key
        ok = next(s for s in operation["responses"] if s.startswith("2"))
        content = operation["responses"][ok]["content"]
        assert any("example" in c for c in content.values()), key
    assert seen == set(EXAMPLES)


@pytest.mark.parametrize("key", [k for k in EXAMPLES if k.startswith("POST /api/kd/")])
def test_the_kd_examples_are_what_the_code_computes_now(client, key):
    recorded = EXAMPLES[key]
    path = key.split(" ", 1)[1]
    answer = client.post(path, json=recorded["request"])
    assert answer.status_code == 200
    close(recorded["responses"]["200"]["body"], answer.json(), path)


def test_the_refusal_example_is_the_real_refusal(client):
    recorded = EXAMPLES["POST /api/kd/soften"]["responses"]["422"]["body"]
    answer = client.post("/api/kd/soften", json={"logits": [1.0, 2.0], "temperatures": [0.0]})
    assert answer.status_code == 422 and answer.json() == recorded


def test_the_other_examples_have_the_shape_the_api_answers():
    body = lambda key, status="200": EXAMPLES[key]["responses"][status]["body"]  # noqa: E731
    created = RunCreated.model_validate(body("POST /api/runs", "202"))
    state = RunState.model_validate(body("GET /api/runs/{run_id}"))
    assert state.id == created.id and state.status == "done" and state.final["steps"] == 20
    events = body("GET /api/runs/{run_id}/events")
    assert events.startswith("retry: 2000") and "event: step" in events and events.rstrip().count("event: done") == 1
    assert body("DELETE /api/runs/{run_id}") == {"id": created.id, "status": "done"}
    TeacherView.model_validate(body("POST /api/tinylm/teacher"))
    CompareAnswer.model_validate(body("POST /api/tinylm/compare"))
    health = body("GET /healthz")
    assert health["status"] == "ok" and set(health) == {"status", "device", "torch"}
    from app.web.classes import ClassCreated

    started = ClassCreated.model_validate(body("POST /api/classes", "201"))
    assert started.join_url.endswith(f"/join/{started.code}")
    assert body("POST /api/classes", "422")["detail"][0]["loc"] == ["body", "state", "T"]
    assert body("GET /api/classes/{code}/qr.svg").startswith("<svg") and started.join_url in body("GET /api/classes/{code}/qr.svg")


def test_the_docs_page_uses_only_this_server(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert f'src="{SWAGGER_URL}/swagger-ui-bundle.js"' in page.text
    bundle = client.get(f"{SWAGGER_URL}/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "immutable" in bundle.headers["cache-control"]
    assert client.get(f"{SWAGGER_URL}/index.html").status_code == 404
    moved = client.get("/redoc", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/docs"
