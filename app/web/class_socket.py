"""WS /api/classes/{code}/socket: one socket per page, to lead a class or to follow it.

The first message says which: {"type": "lead", "control": SECRET} (the instructor's page; the secret is
never in a URL) or {"type": "follow"}. Then:

    instructor → {"type": "move", "id", "state", "path", "body"}  a new state and the request its explorer
                                       makes for it: answered like WS /api/live, computed once for the room
                 {"type": "state", "state"}     a new state that needs no new answer
                 {"type": "runs", "runs": [{"n", "id"}]}   the live runs on its charts (app/web/class_runs.py)
                 {"type": "ask", "question": ID} or {"type": "ask", "prompt", "param"}   a question
                 {"type": "reveal"} | {"type": "close-question"} | {"type": "end"}
    follower   → {"type": "answer", "ask_id", "value"}   its own answer, once per question; nothing else
    server     → welcome, reply (to a move), state, runs (followers: no run ids), count, question, counts
                 (instructor only), answered,
                 error {status, detail}, end {reason}

Every page gets the latest of each kind of message, never a backlog (app/classroom/hub.py). Host and
Origin are checked before a socket gets here (app/web/hosts.py); class sockets per client address and in
all are capped (past either: accepted and closed with 1013 and the reason, like /api/live); per socket,
the message size and a message rate (breaking either closes that socket only); the instructor's requests
spend the same work budgets as /api/live's.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.classroom.broker import BrokerUnavailable
from app.classroom.codes import display_code
from app.classroom.hub import Hubs, Peer
from app.classroom.questions import MAX_PROMPT, free_question
from app.classroom.rate import TokenBucket
from app.classroom.service import Classroom, ClassError, ClassInfo, ClassInvalid, dumps, public_runs
from app.web.class_runs import share_runs
from app.web.classes import UNAVAILABLE
from app.web.clients import client_address
from app.web.json_input import JsonInputError, parse_json
from app.web.kd_operations import OPERATIONS
from app.web.limiter import LimitExceeded
from app.web.live import LiveConversation, refuse_socket
from app.widgets import widget_spec

router = APIRouter()

FIRST_MESSAGE_S = 10.0
KEEP_ALIVE_S = 30.0          # or a third of the idle time, if that is shorter
CLOSE_POLICY, CLOSE_TOO_BIG = 1008, 1009


class Goodbye(Exception):
    """Close this socket (only this one) with a code and a reason the page can show."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class BadMessage(ClassError):
    """A message that is not JSON the server reads (too deep, a number too long): this message is refused."""
    status = 400


def error(status: int, detail: str, **extra: Any) -> str:
    return dumps({"type": "error", "status": status, "detail": detail, **extra})


class ClassConnection:
    """One page's socket: reads its messages within its budget, and acts on them for its role."""

    def __init__(self, ws: WebSocket, classroom: Classroom, hubs: Hubs, info: ClassInfo) -> None:
        settings = ws.app.state.settings
        self.ws, self.classroom, self.hubs, self.info = ws, classroom, hubs, info
        self.client = client_address(ws.scope)
        self.max_bytes = settings.class_message_bytes
        self.max_depth = settings.max_json_depth + 1          # +1: the message's envelope
        self.rates = {"lead": settings.class_lead_rate, "follow": settings.class_follow_rate}
        self.answered: set[str] = set()
        self.send_lock = asyncio.Lock()

    async def send(self, text: str) -> None:
        async with self.send_lock:       # the hub's writer and the replies share one socket
            await self.ws.send_text(text)

    async def receive(self, budget: TokenBucket | None) -> dict[str, Any]:
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text = message.get("text")
        if text is None:
            raise Goodbye(CLOSE_POLICY, "send JSON in text messages")
        if len(text) > self.max_bytes:
            raise Goodbye(CLOSE_TOO_BIG, f"message larger than {self.max_bytes} bytes")
        if budget is not None and not budget.take():
            raise Goodbye(CLOSE_POLICY, "too many messages: this page was disconnected; reload it to rejoin")
        try:
            data = parse_json(text, self.max_depth)
        except JsonInputError as exc:
            raise BadMessage(exc.detail) from None
        return data if isinstance(data, dict) else {"type": None}

    async def run(self) -> None:
        first = await asyncio.wait_for(self.receive(None), FIRST_MESSAGE_S)
        role = first.get("type")
        if role == "lead":
            if not self.classroom.may_lead(self.info, first.get("control")):
                await self.classroom.count_failure(self.client)    # guessing secrets costs like guessing codes
                raise Goodbye(CLOSE_POLICY, "this page cannot lead the class: the instructor's secret is wrong")
        elif role != "follow":
            raise Goodbye(CLOSE_POLICY, 'the first message is {"type": "follow"} or {"type": "lead", "control": …}')
        rate = self.rates[role]
        budget = TokenBucket(rate, burst=max(10.0, 2 * rate))
        budgets = self.ws.app.state.live_budgets
        if role == "lead":
            # The explorer's requests are answered as /api/live answers them, within the same work budgets.
            self.live = LiveConversation(self.ws, self.ws.app.state.settings, budgets.join(self.client))
        else:
            await self.classroom.add_follower(self.info)
        peer = Peer(role, self.send)
        try:
            await self.hubs.attach(self.info.code, peer)
            await self.send(await self.welcome(role))
            writer, reader = asyncio.create_task(peer.write()), asyncio.create_task(self.read(role, budget))
            tasks = [writer, reader]
            if role == "lead":
                tasks.append(asyncio.create_task(self.keep_alive()))
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            if reader.done() and not reader.cancelled() and reader.exception():
                raise reader.exception()  # a Goodbye, a disconnect, or a bug for the log
            if writer.done() and not writer.cancelled() and writer.exception():
                raise WebSocketDisconnect(1006)   # the page went away while a message was on its way
            if peer.ended.is_set():
                raise Goodbye(1000, "the class has ended")
        finally:
            await self.hubs.detach(self.info.code, peer)
            if role == "lead":
                budgets.leave(self.client)
            else:
                with contextlib.suppress(BrokerUnavailable):
                    await self.classroom.remove_follower(self.info)

    async def welcome(self, role: str) -> str:
        code = self.info.code
        state = await self.classroom.latest_state(code) or "null"
        asked = await self.classroom.question(code)
        question = asked.to_json() if asked else None
        if asked is not None and role == "lead" and asked.status == "open":
            question["counts"] = await self.classroom.counts(code, asked)
        head = {"type": "welcome", "role": role, "code": code, "display_code": display_code(code),
                "widget": self.info.widget, "followers": await self.classroom.followers(code), "question": question,
                "idle_minutes": self.classroom.limits.idle_seconds / 60}
        if widget_spec(self.info.widget).runs:
            # The instructor's page gets its runs back after a reload; a follower never sees an id.
            runs = await self.classroom.runs(code)
            head["runs"] = runs if role == "lead" else public_runs(runs)
        if role == "lead":
            head["questions"] = [q.summary() for q in self.classroom.catalogue.for_widget(self.info.widget)]
        return dumps(head)[:-1] + f',"state":{state}}}'

    async def keep_alive(self) -> None:
        every = min(KEEP_ALIVE_S, self.classroom.limits.idle_seconds / 3)
        while True:
            with contextlib.suppress(BrokerUnavailable):
                await self.classroom.keep_alive(self.info)
            await asyncio.sleep(every)

    async def read(self, role: str, budget: TokenBucket) -> None:
        act = self.lead if role == "lead" else self.follow
        while True:
            try:
                await act(await self.receive(budget))
            except ClassError as exc:
                field = {"field": exc.field} if isinstance(exc, ClassInvalid) else {}
                await self.send(error(exc.status, str(exc), **field))
            except BrokerUnavailable:
                await self.send(error(503, UNAVAILABLE))

    async def follow(self, message: dict[str, Any]) -> None:
        if message.get("type") != "answer":
            await self.send(error(403, "Only the instructor's page can change the class; this page follows it. "
                                       "It may send only its own answer."))
            return
        ask_id = message.get("ask_id")
        if not isinstance(ask_id, str):
            raise ClassInvalid("ask_id must be the id of the question asked.", "ask_id")
        if ask_id in self.answered:
            await self.send(error(409, "This page has already answered that question."))
            return
        await self.classroom.answer(self.info, ask_id, message.get("value"))
        self.answered.add(ask_id)
        await self.send(dumps({"type": "answered", "ask_id": ask_id, "value": message.get("value")}))

    async def lead(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "move":
            await self.move(message)
        elif kind == "state":
            await self.classroom.move(self.info, self.classroom.check_state(self.info, message.get("state")))
        elif kind == "runs":
            await share_runs(self.ws.app, self.classroom, self.info, message)
        elif kind == "ask":
            await self.classroom.ask(self.info, self.question(message))
        elif kind == "reveal":
            await self.classroom.reveal(self.info)
        elif kind == "close-question":
            await self.classroom.close_question(self.info)
        elif kind == "end":
            await self.classroom.end(self.info, "The instructor ended the class.")
        else:
            await self.send(error(400, f"unknown message type {str(kind)[:40]!r}"))

    async def move(self, message: dict[str, Any]) -> None:
        """The instructor's explorer asks for an answer: computed once, sent back at once, then to the room."""
        request = {"id": message.get("id"), "path": message.get("path"), "body": message.get("body")}
        reply_id, status, answer_json = await self.live.answer_request(request, OPERATIONS)
        await self.send(f'{{"type":"reply","id":{dumps(reply_id)},"status":{status},"body":{answer_json}}}')
        if status == 200:
            state = self.classroom.check_state(self.info, message.get("state"))
            await self.classroom.move(self.info, state, {"path": request["path"], "body": request["body"]}, answer_json)

    def question(self, message: dict[str, Any]):
        if "prompt" in message:
            prompt, param = message.get("prompt"), message.get("param")
            if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > MAX_PROMPT:
                raise ClassInvalid(f"Write the question in 1 to {MAX_PROMPT} characters.", "question")
            if not isinstance(param, str) or param not in widget_spec(self.info.widget).sliders():
                raise ClassInvalid(f"{str(param)[:40]!r} is not a slider of this explorer.", "question")
            return free_question(self.info.widget, prompt.strip(), param)
        question = self.classroom.catalogue.find(self.info.widget, str(message.get("question"))[:80])
        if question is None:
            raise ClassInvalid("This explorer has no such question.", "question")
        return question


@router.websocket("/api/classes/{code}/socket")
async def class_socket(ws: WebSocket, code: str) -> None:
    # Host and Origin are checked for every socket before it gets here (app/web/hosts.py).
    state = ws.app.state
    if not state.wire_limits.in_force:
        await refuse_socket(ws, "class sessions are off: the server's message limit is not in force")
        return
    client = client_address(ws.scope)
    try:
        hold = state.class_sockets.acquire(client)
    except LimitExceeded as exc:
        await refuse_socket(ws, exc.detail)        # 1013: the page tries again later
        return
    with hold:
        await ws.accept()
        await _serve(ws, code, client)


async def _serve(ws: WebSocket, code: str, client: str) -> None:
    classroom: Classroom = ws.app.state.classroom
    try:
        info = await classroom.find(code, client)
        await ClassConnection(ws, classroom, ws.app.state.class_hubs, info).run()
    except ClassError as exc:
        await _close(ws, exc.status, str(exc), 4000 + exc.status)
    except BrokerUnavailable:
        await _close(ws, 503, UNAVAILABLE, 4503)
    except Goodbye as bye:
        await _close(ws, 400 if bye.code != 1000 else 200, bye.reason, bye.code, send=bye.code != 1000)
    except asyncio.TimeoutError:
        await _close(ws, 408, "no first message: this socket must say whether it leads or follows", CLOSE_POLICY)
    except WebSocketDisconnect:
        return


async def _close(ws: WebSocket, status: int, detail: str, code: int, send: bool = True) -> None:
    with contextlib.suppress(Exception):       # the page may be gone already
        if send:
            await ws.send_text(error(status, detail, final=True))
        await ws.close(code=code, reason=detail[:120])
