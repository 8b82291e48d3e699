"""A class exploring: simulated learners drag every explorer's sliders at 30 moves a second, as the pages do.

    .venv/bin/python bench/class_explore.py [--learners 40] [--seconds 20] [--workers 1] [--mode tables]

Each learner is one page: one live socket (WS /api/live) for its requests, tables by POST beside it (as the
page asks for them), and every explorer of lesson 4.3 in turn
(--seconds split evenly between them). On an explorer it drags a slider for 1–3 s at 30 moves a second
(1–8 positions a move), pauses 0.3–1 s, and between drags may load another preset or type an exact value
the slider cannot reach. Like the pages (static/js/lib/tables.js) it draws a move from a slider table when
it holds one, asks the server for anything else (one request in flight, only the newest state sent
again), asks for a slider's table when the slider is grabbed (pointerdown, a frame before its first move)
if it has none for the other inputs, and refreshes the tables it has used once it has been still 300 ms. `--mode requests` is the page before tables: every move asks.

A move's latency runs from the move to the moment an answer for it, or for a later move, is in hand
(a table's row read, or a reply). Printed: the p95 of each learner (median and worst over the class),
exact-value requests on their own, tables fetched, the server's answers per second and its CPU (every
process of it). `--workers 2` serves with `brewslm serve --workers 2`, on a redis-server of its own.
Everything on loopback, on this machine: the learners' process shares the CPUs with the server.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from websockets.asyncio.client import connect

from _server import serving
from app.web.table_answers import T_SQUARED_CURVE
from app.widgets import widget_spec
from app.widgets.slider_positions import reachable_values, value_at
from tests import tables
from tests.redis_server import RedisProcess, require_redis_server

MOVES_PER_SECOND = 30
STILL_S = 0.3


@dataclass(frozen=True)
class Slider:
    table: str                        # its table's path
    field: str                        # its field in the single request
    read: Callable                    # tests.tables reader of a row


@dataclass(frozen=True)
class Explorer:
    name: str
    single: str
    sliders: dict[str, Slider]
    presets: list[dict]               # the inputs that are not sliders
    single_body: Callable[[dict, dict], dict] | None = None   # (inputs, slider values) → body, if not plain


def _loss_inputs(student, teacher, label):
    return {"student_logits": [student], "teacher_logits": [teacher], "labels": [label], "kl_reduction": "seed"}


EXPLORERS = [
    Explorer("temperature", "/api/kd/soften",
             {"T": Slider("/api/tables/temperature/T", "T", tables.temperature_T)},
             [{"logits": [4.595, 0]}, {"logits": [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4]},
              {"logits": [6.0, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1.0]}, {"logits": [0.4, 0.2, 0.3, 0.1, 0.0]}],
             lambda inputs, v: {"logits": inputs["logits"], "temperatures": [1, v["T"]]}),
    Explorer("alpha", "/api/kd/loss",
             {"alpha": Slider("/api/tables/alpha/alpha", "alpha", tables.alpha_alpha),
              "T": Slider("/api/tables/alpha/T", "temperature", tables.alpha_T)},
             [_loss_inputs([1.0, 1.5, 0.2, 0.8, -0.5], [1.0, 6.0, 0.0, 4.0, -2.0], 1),
              _loss_inputs([1.0, 1.5, 0.2, 0.8, -0.5], [1.0, 4.0, 0.0, 6.0, -2.0], 1),
              _loss_inputs([-1.0, 5.0, -2.0, 0.5, -3.0], [1.0, 6.0, 0.0, 4.0, -2.0], 1)]),
    Explorer("t-squared", "/api/kd/temperature-gradients",
             {"T": Slider("/api/tables/t-squared/T", "T", tables.t_squared_T)},
             [{"student_logits": [0.2, 2.0, 0.3, 0.5, 0.6, 0.1, -0.4, 5.0, 0.9, 2.5],
               "teacher_logits": [0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4]},
              {"student_logits": [2.0, 1.0, 0.0], "teacher_logits": [2.2, 0.8, 0.1]},
              {"student_logits": [0, 0, 0, 0], "teacher_logits": [8, 0, -2, 1]}],
             lambda inputs, v: {**inputs, "temperatures": [*T_SQUARED_CURVE.tolist(), v["T"]]}),
    Explorer("reduction", "/api/kd/reduction",
             {"seq_len": Slider("/api/tables/reduction/seq_len", "seq_len", tables.reduction_seq_len),
              "prompt_len": Slider("/api/tables/reduction/prompt_len", "prompt_len", tables.reduction_prompt_len),
              "batch_size": Slider("/api/tables/reduction/batch_size", "batch_size", tables.reduction_batch_size)},
             [{"vocab": 16, "temperature": 2.0, "seed": 0}]),
    Explorer("kl-direction", "/api/kd/kl-direction",
             {"separation": Slider("/api/tables/kl-direction/separation", "separation", tables.kl_separation),
              "left_weight": Slider("/api/tables/kl-direction/left_weight", "left_weight", tables.kl_left_weight)},
             [{"width": 1.0}]),
]


def _exact_value(explorer: str, param: str, rng: random.Random) -> float | None:
    """A value typed into the exact-value field that no slider position reaches (None: every value is reachable)."""
    slider = widget_spec(explorer).param(param)
    reachable = set(reachable_values(slider))
    for _ in range(100):
        value = round(rng.uniform(slider.low, slider.high), 0 if slider.integer else slider.decimals)
        if value not in reachable:
            return value
    return None


class Refused(Exception):
    """The server answered a request with an error status (counted in Stats.refused)."""


@dataclass
class Stats:
    moves: list[float] = field(default_factory=list)        # seconds, every move
    exact: list[float] = field(default_factory=list)        # seconds, exact values typed
    tables: list[float] = field(default_factory=list)       # seconds per table fetched
    table_bytes: int = 0
    answers: int = 0
    refused: list[str] = field(default_factory=list)       # replies other than 200 (e.g. a 429 at a limit)


class Learner:
    """One page: its socket, and the explorer it is on (state, tables, the request in flight)."""

    def __init__(self, url: str, rng: random.Random, use_tables: bool, address: str) -> None:
        self.url, self.rng, self.use_tables, self.address = url, rng, use_tables, address
        self.ids = itertools.count(1)
        self.replies: dict[int, asyncio.Future] = {}
        self.stats = Stats()

    async def ask(self, path: str, body: dict) -> tuple[dict, int]:
        message_id = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.replies[message_id] = future
        await self.ws.send(json.dumps({"id": message_id, "path": path, "body": body}))
        reply, size = await future
        if reply["status"] != 200:
            self.stats.refused.append(f"{path} {reply['status']}")
            raise Refused(path)
        self.stats.answers += 1
        return reply["body"], size

    async def post(self, path: str, body: dict) -> tuple[dict, int]:
        """A table, by POST beside the socket, as the page asks for it (static/js/lib/tables.js)."""
        try:
            reply = await self.http.post(path, json=body)
        except httpx.TransportError as exc:     # e.g. a kept-alive connection the server closed as it was reused
            self.stats.refused.append(f"{path} {type(exc).__name__}")
            raise Refused(path) from exc
        if reply.status_code != 200:
            self.stats.refused.append(f"{path} {reply.status_code}")
            raise Refused(path)
        self.stats.answers += 1
        return reply.json(), len(reply.content)

    async def read_replies(self) -> None:
        async for message in self.ws:
            reply = json.loads(message)
            future = self.replies.pop(reply["id"], None)
            if future and not future.done():
                future.set_result((reply, len(message)))

    async def run(self, seconds_each: float) -> None:
        # Each learner from an address of its own (127.0.0.2, .3, …: all of 127/8 is this machine), as the
        # laptops of a room are: the server's per-client limits then see forty clients, not one.
        transport = httpx.AsyncHTTPTransport(local_address=self.address)
        async with connect(self.url.replace("http", "ws", 1) + "/api/live", max_size=2**24,
                           local_addr=(self.address, 0)) as self.ws, \
                httpx.AsyncClient(base_url=self.url, transport=transport, timeout=60) as self.http:
            reader = asyncio.create_task(self.read_replies())
            try:
                for explorer in EXPLORERS:
                    await Session(self, explorer).run(seconds_each)
            finally:
                reader.cancel()


class Session:
    """A learner on one explorer: the page's data path (static/js/lib/tables.js), moves timed."""

    def __init__(self, learner: Learner, explorer: Explorer) -> None:
        self.learner, self.e, self.rng = learner, explorer, learner.rng
        self.inputs = self.rng.choice(explorer.presets)
        self.spec = widget_spec(explorer.name)
        self.positions = {p: self.rng.randint(0, self.spec.param(p).positions) for p in explorer.sliders}
        self.values = {p: value_at(self.spec.param(p), pos) for p, pos in self.positions.items()}
        self.prompt_set = self.values.get("prompt_len", 0)
        self.tables: dict[str, tables.Table] = {}
        self.table_keys: dict[str, str] = {}
        self.asking: dict[str, str] = {}
        self.waiting: list[tuple[float, bool]] = []     # moves not yet answered: (when, typed exact)
        self.in_flight = False
        self.wanted: dict | None = None
        self.tasks: set[asyncio.Task] = set()

    def table_body(self, param: str) -> dict:
        others = {s.field: self.values[p] for p, s in self.e.sliders.items() if p != param}
        if self.e.name == "reduction" and param == "seq_len":
            others["prompt_len"] = self.prompt_set          # as the page asks (static/js/widgets/reduction.js)
        return {**self.inputs, **others}

    def single_body(self) -> dict:
        if self.e.single_body:
            return self.e.single_body(self.inputs, self.values)
        return {**self.inputs, **{s.field: self.values[p] for p, s in self.e.sliders.items()}}

    def from_tables(self) -> bool:
        for param, slider in self.e.sliders.items():
            table = self.tables.get(param)
            if table is None or self.table_keys[param] != json.dumps(self.table_body(param)):
                continue
            hits = (table.values == self.values[param]).nonzero()[0]
            if len(hits):
                slider.read(table, int(hits[0]), self.table_body(param))   # what a page draws the move from
                return True
        return False

    def answered(self) -> None:
        now = time.perf_counter()
        for when, exact in self.waiting:
            self.learner.stats.moves.append(now - when)
            if exact:
                self.learner.stats.exact.append(now - when)
        self.waiting.clear()

    def spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def move(self, moved: str | None, exact: bool = False) -> None:
        if self.e.name == "reduction":      # the page shows the prompt the learner set, cut to the length
            if moved == "prompt_len":
                self.prompt_set = min(self.values["prompt_len"], self.values["seq_len"])
            self.values["prompt_len"] = min(self.prompt_set, self.values["seq_len"])
        self.waiting.append((time.perf_counter(), exact))
        if self.learner.use_tables and self.from_tables():
            self.wanted = None
            self.answered()
        else:
            self.wanted = self.single_body()
            if not self.in_flight:
                self.spawn(self.pump())
        if self.learner.use_tables and moved:
            self.engage(moved)

    async def pump(self) -> None:
        self.in_flight = True
        try:
            while self.wanted is not None:
                body, self.wanted = self.wanted, None
                try:
                    await self.learner.ask(self.e.single, body)
                except Refused:
                    continue                              # the moves wait for the next answer, as on the page
                if self.wanted is None:
                    self.answered()
        finally:
            self.in_flight = False

    def engage(self, param: str) -> None:
        key = json.dumps(self.table_body(param))
        if self.table_keys.get(param) == key or self.asking.get(param) == key:
            return
        self.asking[param] = key
        self.spawn(self.fetch_table(param, key))

    async def fetch_table(self, param: str, key: str) -> None:
        t0 = time.perf_counter()
        try:
            body, size = await self.learner.post(self.e.sliders[param].table, json.loads(key))
        except Refused:
            self.asking[param] = None
            return
        table = tables.Table(body)
        self.learner.stats.tables.append(time.perf_counter() - t0)
        self.learner.stats.table_bytes += size
        if self.asking.get(param) != key:
            return                                        # a newer table is on its way
        self.tables[param], self.table_keys[param], self.asking[param] = table, key, None
        if self.waiting and self.from_tables():
            self.wanted = None
            self.answered()

    async def run(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        self.move(None)                                   # the explorer's first view
        tick = 1 / MOVES_PER_SECOND
        while time.perf_counter() < end:
            param = self.rng.choice(list(self.e.sliders))
            slider = self.spec.param(param)
            step = self.rng.choice([-1, 1])
            if self.learner.use_tables:
                self.engage(param)               # pointerdown on the slider: the page asks for its table
            next_move = time.perf_counter() + tick      # the first move comes a frame or two later
            for _ in range(int(self.rng.uniform(1, 3) * MOVES_PER_SECOND)):
                if time.perf_counter() >= end:
                    break
                pos = self.positions[param] + step * self.rng.randint(1, 8)
                if not 0 <= pos <= slider.positions:
                    step, pos = -step, min(slider.positions, max(0, pos))
                self.positions[param] = pos
                self.values[param] = value_at(slider, pos)
                self.move(param)
                next_move += tick
                await asyncio.sleep(max(0.0, next_move - time.perf_counter()))
            await self.pause()
            choice = self.rng.random()
            if choice < 0.2 and len(self.e.presets) > 1:    # another preset: the other inputs change
                self.inputs = self.rng.choice(self.e.presets)
                self.move(None)
                await self.pause()
            elif choice < 0.4:
                value = _exact_value(self.e.name, param, self.rng)
                if value is not None:
                    self.values[param] = value
                    self.move(param, exact=True)
                    await self.pause()
        for task in list(self.tasks):
            task.cancel()

    async def pause(self) -> None:
        """Still for 0.3–1 s; once still 300 ms, the tables used before are brought up to date."""
        pause = self.rng.uniform(0.3, 1.0)
        await asyncio.sleep(STILL_S)
        if self.learner.use_tables:
            for param in list(self.tables):
                self.engage(param)
        await asyncio.sleep(pause - STILL_S)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) >= 2 else float("nan")


async def class_of(url: str, learners: int, seconds: float, use_tables: bool) -> list[Learner]:
    group = [Learner(url, random.Random(i), use_tables, f"127.0.{(i + 2) // 250}.{(i + 2) % 250}") for i in range(learners)]
    await asyncio.gather(*(learner.run(seconds / len(EXPLORERS)) for learner in group))
    return group


def report(group: list[Learner], wall: float, cpu: float, client_cpu: float) -> None:
    ms = 1e3
    per_learner = sorted(p95(g.stats.moves) for g in group)
    per_learner_99 = sorted(statistics.quantiles(g.stats.moves, n=100)[98] for g in group if len(g.stats.moves) > 1)
    moves = sum(len(g.stats.moves) for g in group)
    waited = [x for g in group for x in g.stats.moves if x > 1e-3]      # answered by the server, not a table
    exact = [x for g in group for x in g.stats.exact]
    fetched = [x for g in group for x in g.stats.tables]
    answers = sum(g.stats.answers for g in group)
    print(f"  moves: {moves} ({moves / wall / len(group):.1f} a second per learner over {wall:.1f} s, pauses included)")
    print(f"  move → answer, p95 per learner: median {statistics.median(per_learner) * ms:.2f} ms, "
          f"worst {per_learner[-1] * ms:.2f} ms (target ≤ 16.7 ms with tables); p99 median "
          f"{statistics.median(per_learner_99) * ms:.2f} ms, worst {per_learner_99[-1] * ms:.2f} ms")
    if waited:
        print(f"  moves that waited for the server: {len(waited)} ({100 * len(waited) / moves:.1f}%), "
              f"p50 {statistics.median(waited) * ms:.1f} ms, p95 {p95(waited) * ms:.1f} ms")
    if exact:
        print(f"  exact values typed: {len(exact)}, p50 {statistics.median(exact) * ms:.1f} ms, p95 {p95(exact) * ms:.1f} ms "
              "(target ≤ 50 ms)")
    if fetched:
        kb = sum(g.stats.table_bytes for g in group) / 1024
        print(f"  tables fetched: {len(fetched)} ({kb / len(fetched):.0f} KB each on average), "
              f"p50 {statistics.median(fetched) * ms:.1f} ms, p95 {p95(fetched) * ms:.1f} ms")
    refused = [r for g in group for r in g.stats.refused]
    if refused:
        print(f"  refused: {len(refused)} ({', '.join(sorted(set(refused))[:5])})")
    print(f"  server: {answers / wall:.0f} answers a second, CPU {cpu / wall:.2f} cores; "
          f"the learners' process {client_cpu / wall:.2f} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20.0, help="per learner, split between the explorers")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mode", choices=["tables", "requests"], default="tables")
    args = parser.parse_args()
    redis = None
    env = {}
    if args.workers > 1:
        redis = RedisProcess(require_redis_server())
        redis.start()
        env["BREWSLM_REDIS_URL"] = redis.url
    try:
        with serving(args.workers, env) as server:
            asyncio.run(class_of(server.url, 2, 2.5, args.mode == "tables"))          # warm-up, not counted
            print(f"A class exploring: {args.learners} learners, {args.seconds:g} s each, mode {args.mode}, "
                  f"{args.workers} worker(s); {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
            cpu0, client0, t0 = server.cpu_seconds(), time.process_time(), time.perf_counter()
            group = asyncio.run(class_of(server.url, args.learners, args.seconds, args.mode == "tables"))
            wall = time.perf_counter() - t0
            report(group, wall, server.cpu_seconds() - cpu0, time.process_time() - client0)
            print(f"  load average now {os.getloadavg()[0]:.2f}")
    finally:
        if redis:
            redis.stop()


if __name__ == "__main__":
    main()
