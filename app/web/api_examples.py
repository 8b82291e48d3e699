"""Record the examples /docs shows: each request below is sent to the real app, and what it answers is
written to app/web/api_examples.json. Run `python -m app.web.api_examples` (or `make api-examples`)
after changing an endpoint; tests/api/test_api_docs.py fails while a recorded /api/kd answer differs
from what the code now computes.

Needs the dev dependencies (Starlette's TestClient uses httpx).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from app.web.api_docs import EXAMPLES_FILE

# path: (what the example shows, its request body); each answers 200.
KD_REQUESTS = {
    "/api/kd/soften": ("99% / 1% softened to 80% / 20% at T = ln 99 / ln 4",
                       {"logits": [4.59511985013459, 0.0], "temperatures": [1.0, 3.3147]}),
    "/api/kd/loss": ("One position, three classes, gold class 1",
                     {"student_logits": [[1.0, 1.5, 0.2]], "teacher_logits": [[1.0, 4.0, 0.0]], "labels": [1],
                      "alpha": 0.5, "temperature": 2.0, "kl_reduction": "seed"}),
    "/api/kd/temperature-gradients": ("A student and a teacher over four classes, T from 1 to 16",
                                      {"student_logits": [0.5, 1.0, -0.5, 0.0], "teacher_logits": [2.0, 0.0, -1.0, 0.5],
                                       "temperatures": [1.0, 2.0, 4.0, 8.0, 16.0]}),
    "/api/kd/reduction": ("One sequence of 4 positions, 2 of them prompt",
                          {"batch_size": 1, "seq_len": 4, "prompt_len": 2, "vocab": 4, "temperature": 2.0, "seed": 0}),
    "/api/kd/kl-direction": ("A 60/40 two-peak teacher, peaks 6 apart",
                             {"separation": 6.0, "left_weight": 0.6, "width": 1.0}),
}
# The slider tables (app/web/table_answers.py): small states; each answer's packed arrays are shown with
# their dtype and shape and a note of their size in place of the base64 itself (a KL-direction table is
# 640 KB of it), so /docs stays light. tests/api/test_tables.py checks the rest against live answers.
TABLE_REQUESTS = {
    "/api/tables/temperature/T": ("The 99/1 pair at every T the slider reaches", {"logits": [4.59511985013459, 0.0]}),
    "/api/tables/alpha/alpha": ("Three classes, gold class 1, T = 2: every alpha",
                                {"student_logits": [[1.0, 1.5, 0.2]], "teacher_logits": [[1.0, 4.0, 0.0]],
                                 "labels": [1], "temperature": 2.0, "kl_reduction": "seed"}),
    "/api/tables/alpha/T": ("Three classes, gold class 1, alpha = 0.5: every T",
                            {"student_logits": [[1.0, 1.5, 0.2]], "teacher_logits": [[1.0, 4.0, 0.0]],
                             "labels": [1], "alpha": 0.5, "kl_reduction": "seed"}),
    "/api/tables/t-squared/T": ("Four classes: the curves, and the mark at every T",
                                {"student_logits": [0.5, 1.0, -0.5, 0.0], "teacher_logits": [2.0, 0.0, -1.0, 0.5]}),
    "/api/tables/reduction/seq_len": ("Two sequences, 6 prompt positions: every length",
                                      {"batch_size": 2, "prompt_len": 6, "vocab": 16, "temperature": 2.0, "seed": 0}),
    "/api/tables/reduction/prompt_len": ("Two sequences of 16 positions: every prompt length",
                                         {"batch_size": 2, "seq_len": 16, "vocab": 16, "temperature": 2.0, "seed": 0}),
    "/api/tables/reduction/batch_size": ("16 positions, 6 of them prompt: every batch size",
                                         {"seq_len": 16, "prompt_len": 6, "vocab": 16, "temperature": 2.0, "seed": 0}),
    "/api/tables/kl-direction/separation": ("60% on the left peak: every distance between the peaks",
                                            {"left_weight": 0.6, "width": 1.0}),
    "/api/tables/kl-direction/left_weight": ("Peaks 6 apart: every share of the left peak",
                                             {"separation": 6.0, "width": 1.0}),
}
BAD_REQUEST = ("/api/kd/soften", {"logits": [1.0, 2.0], "temperatures": [0.0]})
RUN_REQUEST = {"experiment": "digits", "device": "cpu", "config": {"alpha": 0.5, "temperature": 4.0, "steps": 20, "seed": 0}}
TEACHER_REQUEST = {"example": 3, "position": 1, "k": 4, "temperature": 1.0}
TRUTH_REQUEST = ("/api/predictions/kd-loss/runner-up-20", {"state": {"logits": [4.59511985013459, 0.0], "T": 1.0}})
COMPARE_REQUEST = {"alpha": 0.5, "temperature": 2.0, "top_k": 8, "examples": 64, "steps": 40, "seed": 0}
CLASS_REQUEST = {"widget": "temperature", "state": {"preset": "peaky", "T": 1.0, "logits": [4.59511985013459, 0.0]}}


def response(status: int, body, description: str, content_type: str = "application/json") -> dict:
    return {str(status): {"description": description, "content_type": content_type, "body": body}}


def abridged(table: dict) -> dict:
    """A slider table with each packed array's base64 replaced by a note of its size."""
    def note(packed: dict) -> dict:
        size = len(packed["data"]) * 3 // 4 - packed["data"].count("=")
        return {**packed, "data": f"… {size:,} bytes of {packed['dtype']}, little-endian, in base64 …"}
    return {**table, "values": note(table["values"]),
            **{part: {k: note(v) for k, v in table[part].items()} for part in ("by_position", "fixed")}}


def record_tables(client) -> dict:
    examples = {}
    for path, (summary, body) in TABLE_REQUESTS.items():
        answer = client.post(path, json=body)
        assert answer.status_code == 200, (path, answer.text)
        examples[f"POST {path}"] = {"summary": summary, "request": body,
                                    "responses": response(200, abridged(answer.json()), "Successful Response")}
    return examples


def record(client) -> dict:
    examples: dict = record_tables(client)
    for path, (summary, body) in KD_REQUESTS.items():
        answer = client.post(path, json=body)
        assert answer.status_code == 200, (path, answer.text)
        examples[f"POST {path}"] = {"summary": summary, "request": body,
                                    "responses": response(200, answer.json(), "Successful Response")}
    path, body = BAD_REQUEST
    refused = client.post(path, json=body)
    examples[f"POST {path}"]["responses"] |= response(422, refused.json(), "A field out of range, named")

    health = client.get("/healthz")
    examples["GET /healthz"] = {"request": None, "responses": response(200, health.json(), "Successful Response")}

    started = client.post("/api/runs", json=RUN_REQUEST)
    run_id = started.json()["id"]
    examples["POST /api/runs"] = {"summary": "A 20-step digits run", "request": RUN_REQUEST,
                                  "responses": response(202, started.json(), "Queued")}
    while client.get(f"/api/runs/{run_id}").json()["status"] in ("queued", "running"):
        time.sleep(0.1)
    examples["GET /api/runs/{run_id}"] = {"request": None, "responses": response(
        200, client.get(f"/api/runs/{run_id}").json(), "Successful Response")
        | response(404, client.get("/api/runs/no-such-run").json(), "No such run (or forgotten)")}
    examples["GET /api/runs/{run_id}/events"] = {"request": None, "responses": response(
        200, client.get(f"/api/runs/{run_id}/events").text, "step, done, error, cancelled events", "text/event-stream")}
    examples["DELETE /api/runs/{run_id}"] = {"request": None, "responses": response(
        200, client.delete(f"/api/runs/{run_id}").json(), "The status the run reached")}

    examples["GET /api/predictions"] = {"request": None, "responses": response(
        200, client.get("/api/predictions").json(), "Successful Response")}
    path, body = TRUTH_REQUEST
    truth = client.post(path, json=body)
    assert truth.status_code == 200, (path, truth.text)
    examples["POST /api/predictions/{slug}/{pid}"] = {"summary": "Where the 99/1 pair's runner-up reaches 20%",
                                                     "request": body,
                                                     "responses": response(200, truth.json(), "Successful Response")}

    started = client.post("/api/classes", json=CLASS_REQUEST)
    refused = client.post("/api/classes", json={"widget": "temperature", "state": {"T": 99}})
    examples["POST /api/classes"] = {
        "summary": "A class on the temperature explorer, at the 99/1 pair", "request": CLASS_REQUEST,
        "responses": response(201, started.json(), "Started: show the code and join_url; keep control in the "
                                                   "instructor's page only")
        | response(422, refused.json(), "A bad widget or state, named")}
    qr = client.get(started.json()["qr_url"])
    examples["GET /api/classes/{code}/qr.svg"] = {"request": None, "responses": response(
        200, qr.text, "The join link as a QR code", "image/svg+xml")}

    teacher = client.post("/api/tinylm/teacher", json=TEACHER_REQUEST)
    examples["POST /api/tinylm/teacher"] = {"summary": "The drink position of order 3, top 4 kept",
                                            "request": TEACHER_REQUEST,
                                            "responses": response(200, teacher.json(), "Successful Response")}
    compared = client.post("/api/tinylm/compare", json=COMPARE_REQUEST)
    examples["POST /api/tinylm/compare"] = {"summary": "A short comparison: 64 orders, 40 steps",
                                            "request": COMPARE_REQUEST,
                                            "responses": response(200, compared.json(), "Successful Response")}
    return examples


def main(path: Path = EXAMPLES_FILE) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(), base_url="http://localhost") as client:   # a Host the app answers
        examples = record(client)
    path.write_text(json.dumps(examples, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(examples)} operations' examples to {path}")


if __name__ == "__main__":
    main()
