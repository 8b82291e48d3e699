"""The rules of a class session, written once over a `Broker` (in the process or on Redis).

What the shared store holds per class, all under TTLs so nothing outlives the session:
    meta      {widget, control digest, created}: the class exists while this key does
    state     the instructor's latest frame (state, and the answer the server computed for it)
    question  the asked question and, after the reveal, its answer and final counts
    runs      the instructor's live runs on the charts (live distillation lab): slot n → run id and
              settings; followers see the slots and settings, never an id (anyone holding a run's id
              could cancel it), and read each run's events through the class (app/web/class_runs.py)
    tally     followers connected (a counter)
    counts:ID one counter per histogram bin of asked question ID
Nothing names a learner: answers are counted into bins and never stored one by one.

Each change is also published on the class's channel as "KIND\\n{json}" so every server process's hub
(app/classroom/hub.py) passes it on to its own sockets without parsing the JSON again.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from app.classroom.broker import Broker
from app.classroom.codes import control_digest, control_matches, new_code, new_control, normalise_code
from app.classroom.questions import AskedQuestion, Catalogue, Question
from app.widgets import StateError, validate_state, widget_spec

PREFIX = "brewslm:class"
LIVE_CLASSES = f"{PREFIX}es:live"
CODE_ATTEMPTS = 8


@dataclass(frozen=True)
class ClassLimits:
    max_classes: int = 50                  # live classes on the server (all processes together)
    max_followers: int = 250               # follower pages per class
    idle_seconds: float = 15 * 60          # a class ends this long after its last instructor page closed
    max_seconds: float = 12 * 3600         # and this long after it began, whatever happens
    failed_joins: int = 50                 # wrong codes per client per window, then every code is refused
    failed_join_window: float = 10 * 60
    creates_per_hour: int = 20             # classes one client may start in an hour


class ClassError(Exception):
    """A refusal the web layer turns into a 4xx (or 503) with this message."""
    status = 400

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ClassNotFound(ClassError):
    status = 404


class ClassRefused(ClassError):
    status = 403


class ClassInvalid(ClassError):
    status = 422

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class ClassBusy(ClassError):
    status = 429


@dataclass(frozen=True)
class ClassInfo:
    code: str
    widget: str
    control_digest: str
    created: float


def channel(code: str) -> str:
    return f"{PREFIX}:{code}"


def frame(kind: str, payload: str) -> str:
    """One published message: its kind, a newline, the JSON the sockets receive."""
    return f"{kind}\n{payload}"


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def run_tag(info: ClassInfo, run_id: str) -> str:
    """What tells a follower that slot n now holds another run, without telling it the run's id: keyed
    by the class's control digest, which no page ever sees."""
    return hmac.new(info.control_digest.encode(), run_id.encode(), hashlib.sha256).hexdigest()[:16]


def public_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in run.items() if key != "id"} for run in runs]


def runs_frame(runs: list[dict[str, Any]]) -> str:
    """The runs as followers receive them: slots, settings and tags, no ids."""
    return dumps({"type": "runs", "runs": public_runs(runs)})


class Classroom:
    def __init__(self, broker: Broker, limits: ClassLimits, catalogue: Catalogue) -> None:
        self.broker = broker
        self.limits = limits
        self.catalogue = catalogue

    # -- keys -------------------------------------------------------------------------------------
    @staticmethod
    def key(code: str, part: str) -> str:
        return f"{PREFIX}:{code}:{part}"

    def _keys(self, code: str, question: AskedQuestion | None = None) -> list[str]:
        keys = [self.key(code, part) for part in ("meta", "state", "question", "tally", "runs")]
        if question is not None:
            keys.append(self.key(code, f"counts:{question.ask_id}"))
        return keys

    def ttl(self, info: ClassInfo) -> float:
        """Seconds the class may live from now: the idle time, cut short by the class's maximum age."""
        return max(1.0, min(self.limits.idle_seconds, info.created + self.limits.max_seconds - time.time()))

    # -- starting and finding a class -------------------------------------------------------------
    async def create(self, widget: str, state: Any, client: str) -> tuple[ClassInfo, str]:
        """A new class for `widget` starting at `state`: (its info, the instructor's control secret)."""
        spec = widget_spec(widget)
        if spec is None or not spec.classroom:
            raise ClassInvalid(f"There is no explorer called “{str(widget)[:40]}” a class can follow.", "widget")
        try:
            clean = validate_state(spec, state)
        except StateError as exc:
            key, why = exc.problems[0]
            raise ClassInvalid(f"state.{key} {why}", f"state.{key}") from None
        created = await self.broker.incr(f"{PREFIX}es:created:{client}", ttl=3600)
        if created > self.limits.creates_per_hour:
            raise ClassBusy(f"This network started {self.limits.creates_per_hour} classes in the last hour; "
                            "end one and try again later.", retry_after=3600)
        server_full = ClassBusy(f"This server already runs {self.limits.max_classes} classes, its limit; "
                                "try again when one has ended.", retry_after=60)
        if await self.broker.count_members(LIVE_CLASSES) >= self.limits.max_classes:
            raise server_full
        control = new_control()
        for _ in range(CODE_ATTEMPTS):
            info = ClassInfo(code=new_code(), widget=widget, control_digest=control_digest(control),
                             created=time.time())
            meta = dumps({"widget": widget, "control": info.control_digest, "created": info.created})
            if await self.broker.put(self.key(info.code, "meta"), meta, self.ttl(info), only_new=True):
                break
        else:   # 8 collisions in a 6.6·10¹¹ space: something else is wrong
            raise ClassBusy("Could not pick a free join code; try again.", retry_after=1)
        # Counted after joining the live set, not only before: classes started at the same moment (on
        # Redis, by other requests or processes) all passed the check above, and each now sees the others.
        await self.broker.add_member(LIVE_CLASSES, info.code, time.time() + self.ttl(info))
        if await self.broker.count_members(LIVE_CLASSES) > self.limits.max_classes:
            await self.broker.remove_member(LIVE_CLASSES, info.code)
            await self.broker.delete(self.key(info.code, "meta"))
            raise server_full
        await self.broker.put(self.key(info.code, "state"), self._state_frame(clean, None), self.ttl(info))
        return info, control

    async def find(self, text: str, client: str) -> ClassInfo:
        """The class a typed or linked code names. Wrong codes are counted per client; past the limit
        every code is refused for the rest of the window, so codes cannot be enumerated. Each look-up
        counts as wrong before it looks, and a right code gives its count back: guesses sent all at once
        (on Redis they interleave) cannot all pass the limit before any of them is counted."""
        if await self.count_failure(client) > self.limits.failed_joins:
            raise ClassBusy("Too many wrong class codes from this network. Wait a few minutes, then check the "
                            "code on the projector.", retry_after=self.limits.failed_join_window)
        code = normalise_code(text)
        info = await self.info(code) if code else None
        if info is None:
            raise ClassNotFound("No class has that code. Check it on the projector: 8 letters and digits, "
                                "like ABCD-2345; the class may also have ended.")
        await self.broker.incr(self._failures_key(client), ttl=self.limits.failed_join_window, by=-1)
        return info

    @staticmethod
    def _failures_key(client: str) -> str:
        return f"{PREFIX}es:failed:{client}"

    async def count_failure(self, client: str) -> int:
        """A wrong code or a wrong secret: one more toward this client's limit (the count so far)."""
        return await self.broker.incr(self._failures_key(client), ttl=self.limits.failed_join_window)

    async def info(self, code: str) -> ClassInfo | None:
        meta = await self.broker.get(self.key(code, "meta"))
        if meta is None:
            return None
        data = json.loads(meta)
        return ClassInfo(code=code, widget=data["widget"], control_digest=data["control"], created=data["created"])

    @staticmethod
    def may_lead(info: ClassInfo, control: object) -> bool:
        return control_matches(control, info.control_digest)

    async def keep_alive(self, info: ClassInfo) -> None:
        """The instructor's page is still there: the class lives `ttl` more seconds."""
        ttl = self.ttl(info)
        question = await self.question(info.code)
        await self.broker.expire(self._keys(info.code, question), ttl)
        await self.broker.add_member(LIVE_CLASSES, info.code, time.time() + ttl)

    # -- followers --------------------------------------------------------------------------------
    async def add_follower(self, info: ClassInfo) -> int:
        count = await self.broker.hincr(self.key(info.code, "tally"), "followers", 1, self.ttl(info))
        if count > self.limits.max_followers:
            await self.remove_follower(info, publish=False)
            raise ClassBusy(f"This class is full ({self.limits.max_followers} screens follow it). "
                            "Share a screen with a neighbour.", retry_after=30)
        await self.broker.publish(channel(info.code), frame("count", dumps({"type": "count", "followers": count})))
        return count

    async def remove_follower(self, info: ClassInfo, *, publish: bool = True) -> None:
        count = await self.broker.hincr(self.key(info.code, "tally"), "followers", -1, self.ttl(info))
        if publish:
            await self.broker.publish(channel(info.code), frame("count", dumps({"type": "count", "followers": max(0, count)})))

    async def followers(self, code: str) -> int:
        return max(0, (await self.broker.hgetall(self.key(code, "tally"))).get("followers", 0))

    # -- the instructor's state -------------------------------------------------------------------
    @staticmethod
    def _state_frame(state: dict[str, Any], request: dict[str, Any] | None, answer_json: str = "null") -> str:
        return (f'{{"type":"state","state":{dumps(state)},"request":{dumps(request)},'
                f'"answer":{answer_json}}}')

    def check_state(self, info: ClassInfo, state: Any) -> dict[str, Any]:
        try:
            return validate_state(widget_spec(info.widget), state)
        except StateError as exc:
            raise ClassInvalid(f"state.{exc.problems[0][0]} {exc.problems[0][1]}", "state") from None

    async def move(self, info: ClassInfo, state: dict[str, Any], request: dict[str, Any] | None = None,
                   answer_json: str = "null") -> None:
        """The instructor's new state (already checked) and, when their explorer asked the server for
        one, the answer computed once for the whole class: stored for late joiners, then published."""
        payload = self._state_frame(state, request, answer_json)
        await self.broker.put(self.key(info.code, "state"), payload, self.ttl(info))
        await self.broker.publish(channel(info.code), frame("state", payload))

    async def latest_state(self, code: str) -> str | None:
        """The latest state frame as its JSON text (what a joining or returning follower gets first)."""
        return await self.broker.get(self.key(code, "state"))

    # -- the instructor's live runs ------------------------------------------------------------------
    async def set_runs(self, info: ClassInfo, runs: list[dict[str, Any]]) -> None:
        """The runs on the instructor's charts, [{n, id, experiment, config}], checked by the caller (they
        exist): stored for late joiners, then published without their ids."""
        runs = [{**run, "tag": run_tag(info, run["id"])} for run in runs]
        await self.broker.put(self.key(info.code, "runs"), dumps(runs), self.ttl(info))
        await self.broker.publish(channel(info.code), frame("runs", runs_frame(runs)))

    async def runs(self, code: str) -> list[dict[str, Any]]:
        """The class's runs with their ids (the relay's and the instructor's view)."""
        stored = await self.broker.get(self.key(code, "runs"))
        return json.loads(stored) if stored else []

    async def run_in_slot(self, code: str, n: int) -> str | None:
        return next((run["id"] for run in await self.runs(code) if run["n"] == n), None)

    # -- questions --------------------------------------------------------------------------------
    async def question(self, code: str) -> AskedQuestion | None:
        stored = await self.broker.get(self.key(code, "question"))
        return AskedQuestion.from_json(json.loads(stored)) if stored else None

    async def _state_for_solving(self, info: ClassInfo) -> dict[str, Any]:
        stored = await self.latest_state(info.code)
        return json.loads(stored)["state"] if stored else {}

    async def ask(self, info: ClassInfo, question: Question) -> AskedQuestion:
        """Put a question to the class (replacing any other). A question this state cannot answer is
        refused now, not at the reveal."""
        if question.solve is not None:
            if await question.answer(await self._state_for_solving(info)) is None:
                raise ClassInvalid(question.unsolved, "question")
        previous = await self.question(info.code)
        if previous is not None:
            await self.broker.delete(self.key(info.code, f"counts:{previous.ask_id}"))
        asked = AskedQuestion.new(question)
        await self._publish_question(info, asked)
        return asked

    async def answer(self, info: ClassInfo, ask_id: Any, value: Any) -> AskedQuestion:
        """Count one learner's answer into its bin (the caller allows one per page and question)."""
        asked = await self.question(info.code)
        if asked is None or asked.ask_id != ask_id:
            raise ClassInvalid("That question is no longer asked.", "question")
        if asked.status != "open":
            raise ClassInvalid("The answer has been revealed; answers are closed.", "question")
        bin_index = asked.bin_for(value)
        if bin_index is None:
            raise ClassInvalid("That is not a possible answer to this question.", "value")
        await self.broker.hincr(self.key(info.code, f"counts:{asked.ask_id}"), str(bin_index), 1, self.ttl(info))
        counts = await self.counts(info.code, asked)
        await self.broker.publish(channel(info.code), frame("counts", dumps(
            {"type": "counts", "ask_id": asked.ask_id, "counts": counts})))
        return asked

    async def counts(self, code: str, asked: AskedQuestion) -> list[int]:
        stored = await self.broker.hgetall(self.key(code, f"counts:{asked.ask_id}"))
        return [stored.get(str(i), 0) for i in range(asked.bins)]

    async def reveal(self, info: ClassInfo) -> AskedQuestion:
        """Close the question and show every screen the server's answer and the final counts."""
        asked = await self.question(info.code)
        question = self.catalogue.behind(info.widget, asked) if asked else None
        if asked is None or question is None:
            raise ClassInvalid("No question is asked.", "question")
        answer = await question.answer(await self._state_for_solving(info))
        if answer is None:
            raise ClassInvalid(question.unsolved, "question")
        asked.status, asked.answer = "revealed", answer
        asked.counts = await self.counts(info.code, asked)
        await self._publish_question(info, asked)
        return asked

    async def close_question(self, info: ClassInfo) -> None:
        asked = await self.question(info.code)
        if asked is not None:
            await self.broker.delete(self.key(info.code, "question"), self.key(info.code, f"counts:{asked.ask_id}"))
        await self.broker.publish(channel(info.code), frame("question", dumps({"type": "question", "question": None})))

    async def _publish_question(self, info: ClassInfo, asked: AskedQuestion) -> None:
        payload = dumps({"type": "question", "question": asked.to_json()})
        await self.broker.put(self.key(info.code, "question"), dumps(asked.to_json()), self.ttl(info))
        await self.broker.publish(channel(info.code), frame("question", payload))

    # -- the end ----------------------------------------------------------------------------------
    async def end(self, info: ClassInfo, reason: str) -> None:
        """Forget everything about the class, and tell every page."""
        question = await self.question(info.code)
        await self.broker.delete(*self._keys(info.code, question))
        await self.broker.remove_member(LIVE_CLASSES, info.code)
        await self.broker.publish(channel(info.code), frame("end", dumps({"type": "end", "reason": reason})))
