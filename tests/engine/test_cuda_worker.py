"""A `brewslm worker --device cuda` runs both experiments on the GPU (skipped without CUDA), and a worker
that cannot do what it is asked says so instead of starting."""
from __future__ import annotations

import pytest
import torch

import app.settings
from app.cli import main
from tests.engine.conftest import in_process_web
from tests.engine_processes import engine_env, start_worker
from tests.sse_client import follow


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_a_cuda_worker_runs_both_experiments(redis_server, cache_dir, digits_teacher_on_disk, tmp_path, http):
    worker = start_worker(engine_env(redis_server.url, cache_dir), tmp_path, device="cuda")
    try:
        with in_process_web(redis_server.url, cache_dir) as url:
            for body in [{"experiment": "digits", "device": "cuda", "config": {"steps": 300, "omit_class": 3}},
                         {"experiment": "tinylm", "device": "auto", "config": {"steps": 100, "examples": 100}}]:
                created = http.post(f"{url}/api/runs", json=body)
                assert created.status_code == 202, created.text
                events = follow(http, url + created.json()["events_url"])
                assert events[-1].event == "done", events[-1]
                assert events[-1].data["device"].startswith("cuda")
                assert http.get(f"{url}/api/runs/{created.json()['id']}").json()["device"] == "cuda"
    finally:
        worker.stop()


@pytest.fixture()
def settings_with(monkeypatch, test_settings):
    def use(**changes):
        monkeypatch.setattr(app.settings, "get_settings", lambda: test_settings.model_copy(update=changes))
    return use


def test_a_worker_needs_the_redis_setting(settings_with, capsys):
    settings_with(redis_url=None)
    assert main(["worker"]) == 2
    assert "BREWSLM_REDIS_URL is not set" in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")
def test_a_cuda_worker_without_cuda_refuses_to_start(settings_with, capsys):
    settings_with(redis_url="redis://127.0.0.1:1/0")
    assert main(["worker", "--device", "cuda"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_a_worker_without_redis_says_where_it_looked(settings_with, capsys):
    settings_with(redis_url="redis://127.0.0.1:1/0")     # nothing listens on port 1
    assert main(["worker"]) == 2
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in capsys.readouterr().err
