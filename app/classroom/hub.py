"""This process's fan-out of a class: one broker subscription per class, one slot per kind per socket.

The broker delivers each published message once to this process; the hub hands the same text to every
local socket that wants that kind. A socket holds only the latest message of each kind: a follower
whose network is slow, or a phone that sleeps, gets the newest state when it can take it, never a
backlog of the moves it missed, and no socket ever waits for another. Counts (followers, histogram) are
passed on at most a few times a second, however fast they change.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from app.classroom.service import Classroom, channel

log = logging.getLogger("brewslm")

# What each role receives. The instructor's page already shows its own state; the histogram is the
# projector's until the reveal, so followers predict without seeing the room's guesses.
KINDS = {"lead": ("count", "question", "counts", "end"), "follow": ("count", "question", "state", "end")}
SEND_ORDER = ("count", "question", "counts", "state", "end")
THROTTLED = {"count", "counts"}
THROTTLE_S = 0.25
# Pages woken per turn of the event loop. Between turns the loop reads its sockets, so the instructor's
# next move is answered after at most one chunk of sends, not after the whole room's.
FAN_CHUNK = 25
ENDED = '{"type":"end","reason":"The class has ended."}'


@dataclass(eq=False)
class Peer:
    """One socket of a class on this process."""
    role: str
    send: Callable[[str], Awaitable[None]]
    slots: dict[str, str] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, kind: str, payload: str) -> None:
        if kind in KINDS[self.role]:
            self.slots[kind] = payload          # replaces an unsent older one of the same kind
            self.wake.set()

    async def write(self) -> None:
        """Send whatever is waiting, newest of each kind, until the class ends or the socket fails."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            for kind in SEND_ORDER:
                payload = self.slots.pop(kind, None)
                if payload is None:
                    continue
                await self.send(payload)
                if kind == "end":
                    self.ended.set()
                    return


class Hub:
    def __init__(self, code: str, classroom: Classroom, check_every: float) -> None:
        self.code = code
        self.classroom = classroom
        self.peers: set[Peer] = set()
        self._held: dict[str, str] = {}                # throttled kinds waiting for their flush
        self._flush: asyncio.TimerHandle | None = None
        self._watch = asyncio.create_task(self._watch_for_the_end(check_every), name=f"class-{code}-watch")

    def deliver(self, message: str) -> None:
        kind, _, payload = message.partition("\n")
        if kind in THROTTLED:
            self._held[kind] = payload
            if self._flush is None:
                self._flush = asyncio.get_running_loop().call_later(THROTTLE_S, self._release)
            return
        if kind == "end":
            self._release()
        self._fan(kind, payload)

    def _release(self) -> None:
        self._flush = None
        held, self._held = self._held, {}
        for kind, payload in held.items():
            self._fan(kind, payload)

    def _fan(self, kind: str, payload: str) -> None:
        """Offer a message to every page, a chunk per turn of the loop. A newer message's chunks always
        follow an older one's, so each page is offered them in order and keeps the newest."""
        peers = list(self.peers)
        loop = asyncio.get_running_loop()

        def offer(start: int) -> None:
            for peer in peers[start:start + FAN_CHUNK]:
                peer.offer(kind, payload)
            if start + FAN_CHUNK < len(peers):
                loop.call_soon(offer, start + FAN_CHUNK)

        offer(0)

    async def _watch_for_the_end(self, every: float) -> None:
        """A class that expired (idle too long) publishes nothing: notice it and tell this process's pages."""
        while True:
            await asyncio.sleep(every)
            try:
                if await self.classroom.info(self.code) is None:
                    self._fan("end", ENDED)
                    return
            except Exception as exc:    # the store is away for a moment: look again later
                log.warning("class %s: could not check it is still on (%s)", self.code, exc)

    async def stop(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
        self._watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._watch


class Hubs:
    """The hubs of this process, one per class that has a socket here."""

    def __init__(self, classroom: Classroom, check_every: float = 5.0) -> None:
        self.classroom = classroom
        self.check_every = check_every
        self._hubs: dict[str, Hub] = {}
        self._lock = asyncio.Lock()

    async def attach(self, code: str, peer: Peer) -> None:
        async with self._lock:
            hub = self._hubs.get(code)
            if hub is None:
                hub = Hub(code, self.classroom, self.check_every)
                self._hubs[code] = hub
                try:
                    await self.classroom.broker.subscribe(channel(code), hub.deliver)
                except BaseException:
                    del self._hubs[code]
                    await hub.stop()
                    raise
            hub.peers.add(peer)

    async def detach(self, code: str, peer: Peer) -> None:
        async with self._lock:
            hub = self._hubs.get(code)
            if hub is None:
                return
            hub.peers.discard(peer)
            if not hub.peers:
                del self._hubs[code]
                await hub.stop()
                with contextlib.suppress(Exception):   # the store may be gone; the subscription goes with it
                    await self.classroom.broker.unsubscribe(channel(code))

    def local_peers(self, code: str) -> int:
        hub = self._hubs.get(code)
        return len(hub.peers) if hub else 0

    async def close(self) -> None:
        async with self._lock:
            for hub in self._hubs.values():
                await hub.stop()
            self._hubs.clear()
