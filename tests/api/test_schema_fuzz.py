"""Schema fuzzing: schemathesis generates requests from /openapi.json and sends them over real HTTP.

No 5xx for any of them, and every answer matches the schema and media type its operation documents.
The same generated bodies for the KD operations go over the live socket too, which must answer exactly
as POST did. Bounded: a fixed number of examples per operation, no deadline per example (the machine is
shared), and runs that finish at once, so no example trains a model. The tiny-LM comparison trains two
students for every valid body (seconds each), so it is fuzzed with invalid bodies only (422s).
"""
from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from websockets.sync.client import connect

from app.main import create_app
from app.settings import Settings
from app.training.runs import Experiment, RunManager
from app.web.run_engine import limits_from
from app.web.kd_operations import OPERATIONS
from tests.live_server import serve

EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _instant_run(config, device, cancel):
    yield {"type": "step", "step": 1, "loss": 0.5}
    yield {"type": "done", "test_acc": 1.0}


@pytest.fixture(scope="module")
def fuzzed_url(test_settings):
    app = create_app(test_settings.model_copy(update={"max_queued_runs": 64}))
    app.state.tinylm.teacher()   # trained once per test session (cache_dir is shared), not in an example
    app.state.run_manager = RunManager({"digits": Experiment(run=_instant_run)}, limits_from(test_settings))
    with serve(app) as url:
        yield url


# The app's own /openapi.json, read at collection (no server needed); cases are sent to a real server.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


def _json_body(case) -> object | None:
    """The case's body if it is plain finite JSON (what a socket message can carry), else None."""
    body = getattr(case, "body", None)
    if body is None or isinstance(body, (bytes, str)) or type(body).__name__ == "NotSet":
        return None
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return body


def _the_socket_answers_as_post_did(base_url: str, case, response, live_limit: int) -> None:
    """Over the socket, the same body gets the same status and answer (below the socket's smaller
    message limit; a larger message is a 413 there, by design)."""
    body = _json_body(case)
    sent_type = {k.lower(): v for k, v in response.request.headers.items()}.get("content-type", "")
    sent_as_json_post = case.method.upper() == "POST" and sent_type.split(";")[0].strip() == "application/json"
    if body is None or not sent_as_json_post or response.headers.get("content-type", [""])[0] != "application/json":
        return
    message = json.dumps({"id": 1, "path": case.operation.path, "body": body})
    if len(message.encode()) > live_limit:
        return
    with connect(base_url.replace("http://", "ws://") + "/api/live", origin=base_url, open_timeout=10) as ws:
        ws.send(message)
        reply = json.loads(ws.recv(timeout=30))
    assert reply["status"] == response.status_code, (case.operation.path, body)
    assert reply["body"] == response.json()


@schema.exclude(path="/api/tinylm/compare").parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_5xx_and_every_answer_matches_its_schema(case, fuzzed_url, test_settings):
    response = case.call_and_validate(base_url=fuzzed_url, checks=CHECKS, timeout=60)
    if case.operation.path in OPERATIONS:
        _the_socket_answers_as_post_did(fuzzed_url, case, response, test_settings.live_max_message_bytes)


@given(case=schema["/api/tinylm/compare"]["POST"].as_strategy(GenerationMode.NEGATIVE))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_invalid_comparisons_are_refused_without_a_5xx(case, fuzzed_url):
    # Invalid bodies only: a valid comparison trains two models (tests/api/test_tinylm.py runs those).
    case.call_and_validate(base_url=fuzzed_url, checks=CHECKS, timeout=60)


def test_the_fuzzed_schema_is_the_served_one_and_covers_every_kd_operation(client):
    assert client.get("/openapi.json").json() == schema.raw_schema
    paths = {result.ok().path for result in schema.get_all_operations()}
    assert set(OPERATIONS) <= paths and "/api/runs" in paths
