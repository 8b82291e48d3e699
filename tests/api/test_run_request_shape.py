"""POST /api/runs as `{experiment, device, config}`: each experiment's own settings over HTTP, 422s naming
`config.<field>`, the older flat digits body beside it, and both configs in /openapi.json."""
from __future__ import annotations

import pytest

from tests.sse_client import follow


def post(client, experiment: str, config, **extra):
    return client.post("/api/runs", json={"experiment": experiment, "device": "cpu", "config": config, **extra})


def test_every_digits_setting_can_be_set(client):
    config = {"steps": 30, "batch_size": 32, "lr": 0.01, "log_every": 10, "student_hidden": 8, "omit_class": 3,
              "alpha": 0.25, "temperature": 2.5, "seed": 5}
    created = post(client, "digits", config)
    assert created.status_code == 202, created.text
    events = follow(client, created.json()["events_url"])
    assert [e.data["step"] for e in events[:-1]] == [10, 20, 30]
    done = events[-1].data
    assert events[-1].event == "done" and done["student"] == "64-8-10" and done["omitted_class"] == 3
    assert client.get(f"/api/runs/{created.json()['id']}").json()["config"] == config


def test_the_flat_digits_body_and_config_give_the_same_run(client):
    settings = {"alpha": 0.5, "temperature": 4.0, "steps": 60, "seed": 8, "omit_class": None, "student_hidden": 16}
    flat = client.post("/api/runs", json={"experiment": "digits", "device": "cpu", **settings})
    shaped = post(client, "digits", settings)
    assert flat.status_code == shaped.status_code == 202
    strip = lambda evs: [{k: v for k, v in e.data.items() if k not in ("elapsed_s", "steps_per_s")} for e in evs]
    assert strip(follow(client, flat.json()["events_url"])) == strip(follow(client, shaped.json()["events_url"]))


@pytest.mark.slow
def test_tinylm_settings_the_flat_body_could_never_carry(client, tinylm):
    tinylm.teacher()     # trained and on disk first: the run's time limit is for training the student
    config = {"training_mode": "sft", "top_k": 4, "examples": 64, "lr": 0.01, "steps": 20, "log_every": 10,
              "student_hidden": 16, "batch_size": 16}
    created = post(client, "tinylm", config)
    assert created.status_code == 202, created.text
    events = follow(client, created.json()["events_url"])
    assert [e.event for e in events] == ["step", "step", "done"], events[-1].data
    final = events[-1].data["config"]
    assert {k: final[k] for k in config} == config
    assert client.get(f"/api/runs/{created.json()['id']}").json()["config"] == config


@pytest.mark.parametrize("experiment, config, field", [
    ("digits", {"alpha": 2}, "alpha"),
    ("digits", {"alpha": "0.5"}, "alpha"),
    ("digits", {"alpha": True}, "alpha"),
    ("digits", {"temperature": 0.1}, "temperature"),      # the digits experiment's own lower bound, 0.5
    ("digits", {"lr": 0}, "lr"),
    ("digits", {"batch_size": 0}, "batch_size"),
    ("digits", {"steps": 2.0}, "steps"),
    ("digits", {"omit_class": 10}, "omit_class"),
    ("digits", {"log_every": 0}, "log_every"),
    ("digits", {"top_k": 4}, "top_k"),                    # a tinylm setting
    ("digits", {"steps": 10**6}, "steps"),                # beyond the server's limit
    ("tinylm", {"top_k": 0}, "top_k"),
    ("tinylm", {"top_k": 32}, "top_k"),                   # the vocabulary has 31 tokens
    ("tinylm", {"examples": 15}, "examples"),
    ("tinylm", {"training_mode": "rl"}, "training_mode"),
    ("tinylm", {"lr": -1.0}, "lr"),
    ("tinylm", {"student_hidden": 18}, "student_hidden"), # not a multiple of the 4 heads
    ("tinylm", {"omit_class": None}, "omit_class"),       # a digits setting
    ("tinylm", {"seed": None}, "seed"),                   # null only where it means something
])
def test_bad_settings_are_422s_naming_config_dot_field(client, experiment, config, field):
    r = post(client, experiment, config)
    assert r.status_code == 422, r.text
    assert ["body", "config", field] in [d["loc"] for d in r.json()["detail"]]


@pytest.mark.parametrize("body, loc", [
    ({"experiment": "digits", "config": [1, 2]}, ["body", "config"]),
    ({"experiment": "digits", "config": "alpha=1"}, ["body", "config"]),
    ({"experiment": "digits", "alpha": 0.5, "config": {"steps": 10}}, ["body", "alpha"]),
    ({"experiment": "mnist", "config": {}}, ["body", "experiment"]),
    ({"experiment": "digits", "device": "tpu", "config": {}}, ["body", "device"]),
    ({"experiment": "digits", "config": {}, "colour": "red"}, ["body", "colour"]),
])
def test_bad_envelopes_are_422s_naming_the_field(client, body, loc):
    r = client.post("/api/runs", json=body)
    assert r.status_code == 422, r.text
    assert loc in [d["loc"] for d in r.json()["detail"]]


def test_openapi_documents_both_configs(client):
    schema = client.get("/openapi.json").json()
    request = schema["components"]["schemas"]["RunRequest"]
    body_ref = schema["paths"]["/api/runs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body_ref == {"$ref": "#/components/schemas/RunRequest"}
    configs = {c["title"]: c for c in request["properties"]["config"]["oneOf"]}
    assert set(configs) == {"DigitsConfig", "TinyLMConfig"}
    tiny = configs["TinyLMConfig"]["properties"]
    assert tiny["top_k"]["maximum"] == 31 and tiny["examples"]["minimum"] == 16
    assert tiny["training_mode"]["enum"] == ["distillation", "sft"]
    assert tiny["lr"]["exclusiveMinimum"] == 0 and tiny["student_hidden"]["multipleOf"] == 4
    assert configs["TinyLMConfig"]["additionalProperties"] is False
    digits = configs["DigitsConfig"]["properties"]
    assert digits["temperature"]["minimum"] == 0.5 and digits["temperature"]["default"] == 4.0
    assert {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 9}, {"type": "null"}]}.items() <= \
        digits["omit_class"].items()
    assert request["properties"]["alpha"]["deprecated"] is True    # the flat body, still accepted
