"""What streaming a run through the server costs: steps/s streamed vs the trainer called directly,
POST -> first event latency with the teacher cached, and the time of a 2,000-step 64-32-10 KD run.

    .venv/bin/python bench/run_overhead.py [--repeats 5] [--steps 2000]

Prints figures (medians over the repeats) and the machine's load; targets: ratio >= 0.9,
first event <= 0.5 s, 2,000-step run <= 5 s. Not a test: it measures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import torch
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.training.digits.data import load_split  # noqa: E402
from app.training.digits.config import DigitsRunConfig  # noqa: E402
from app.training.digits.teacher import DigitsTeacherCache  # noqa: E402
from app.training.digits.trainer import train_digits_student  # noqa: E402

RUN = {"experiment": "digits", "alpha": 0.5, "temperature": 4.0, "student_hidden": 32, "omit_class": None,
       "device": "cpu"}


def serve(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{port}"


def direct_run(steps: int, seed: int, cache_dir: Path) -> float:
    """Seconds for the trainer alone, called in this thread (teacher already in memory)."""
    teacher, split = DigitsTeacherCache(cache_dir).get("cpu"), load_split("cpu")
    started = time.perf_counter()
    for record in train_digits_student(DigitsRunConfig(steps=steps, seed=seed), teacher=teacher, split=split):
        pass
    assert record["type"] == "done"
    return time.perf_counter() - started


def streamed_run(client: httpx.Client, steps: int, seed: int) -> tuple[float, float]:
    """(POST -> first step event, POST -> done event) in seconds, as a client of the server sees them."""
    started = time.perf_counter()
    created = client.post("/api/runs", json={**RUN, "steps": steps, "seed": seed}).json()
    first = None
    with client.stream("GET", created["events_url"]) as response:
        for line in response.iter_lines():
            if line == "event: step" and first is None:
                first = time.perf_counter() - started
            if line == "event: done":
                return first, time.perf_counter() - started
    raise RuntimeError("the stream ended without a done event")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()

    cache_dir = Path(tempfile.mkdtemp(prefix="brewslm-bench-"))
    t0 = time.perf_counter()
    DigitsTeacherCache(cache_dir).get("cpu")
    teacher_s = time.perf_counter() - t0

    server, url = serve(create_app(Settings(cache_dir=cache_dir)))
    direct, first, streamed = [], [], []
    with httpx.Client(base_url=url, timeout=60) as client:
        # A fresh server knows the teacher only from its disk cache: its first run loads it.
        cold_first, _ = streamed_run(client, 200, seed=99)
        for i in range(args.repeats):  # interleaved, so a change in machine load hits both alike
            direct.append(direct_run(args.steps, i, cache_dir))
            f, s = streamed_run(client, args.steps, i)
            first.append(f)
            streamed.append(s)
    server.should_exit = True

    med = statistics.median
    direct_rate, streamed_rate = args.steps / med(direct), args.steps / med(streamed)
    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, torch {torch.__version__}, "
                   f"load average {os.getloadavg()[0]:.2f} at the end",
        "teacher_train_s (once, then cached on disk)": round(teacher_s, 2),
        f"direct_{args.steps}_step_run_s (median; target <= 5)": round(med(direct), 3),
        "direct_steps_per_s": round(direct_rate),
        "streamed_steps_per_s (POST to done event, client side)": round(streamed_rate),
        "streamed / direct (target >= 0.9)": round(streamed_rate / direct_rate, 3),
        "post_to_first_event_s, teacher in memory (median; target <= 0.5)": round(med(first), 3),
        "post_to_first_event_s, fresh server, teacher on disk": round(cold_first, 3),
        "runs": args.repeats,
        "all_direct_s": [round(x, 3) for x in direct],
        "all_streamed_s": [round(x, 3) for x in streamed],
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
