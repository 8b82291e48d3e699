"""The hub's promise: a page that falls behind gets the newest message of each kind, never a backlog,
and a slow page never holds up the others."""
from __future__ import annotations

import asyncio
import contextlib

from app.classroom.broker import InProcessBroker
from app.classroom.hub import Hubs, Peer
from app.classroom.questions import Catalogue
from app.classroom.service import Classroom, ClassLimits, channel, frame
from tests.run_async import own_loop


class Screen:
    """A page whose network can be stalled: sends wait while `stalled` is clear."""

    def __init__(self) -> None:
        self.got: list[str] = []
        self.flowing = asyncio.Event()
        self.flowing.set()

    async def send(self, text: str) -> None:
        await self.flowing.wait()
        self.got.append(text)


CODE = "CODE2345"


@contextlib.asynccontextmanager
async def a_class(*roles: str):
    """A hub with one page per role, each writing to a Screen: (publish(kind, payload), screens, peers)."""
    broker = InProcessBroker()
    hubs = Hubs(Classroom(broker, ClassLimits(), Catalogue()), check_every=60)
    screens = [Screen() for _ in roles]
    peers = [Peer(role, screen.send) for role, screen in zip(roles, screens)]
    for peer in peers:
        await hubs.attach(CODE, peer)
    writers = [asyncio.create_task(peer.write()) for peer in peers]

    async def publish(kind: str, payload: str) -> None:
        await broker.publish(channel(CODE), frame(kind, payload))
    try:
        yield publish, screens, peers
    finally:
        for writer in writers:
            writer.cancel()
        await hubs.close()


@own_loop
async def test_a_stalled_page_gets_the_latest_state_not_a_backlog_and_the_others_are_not_held_up():
    async with a_class("follow", "follow") as (publish, (slow, quick), (slow_peer, _)):
        await publish("state", '{"T":0}')
        await asyncio.sleep(0.01)
        slow.flowing.clear()                        # the slow page's Wi-Fi stalls mid-lecture
        for t in range(1, 200):
            await publish("state", f'{{"T":{t}}}')
            await asyncio.sleep(0)                  # the quick page's writer runs between moves
        await asyncio.sleep(0.01)
        assert quick.got[-1] == '{"T":199}' and len(quick.got) > 100
        assert slow.got == ['{"T":0}']              # stuck in its send of T=1
        slow.flowing.set()
        await asyncio.sleep(0.01)
        assert slow.got == ['{"T":0}', '{"T":1}', '{"T":199}']     # the one in flight, then only the newest
        assert slow_peer.slots == {}


@own_loop
async def test_counts_are_passed_on_a_few_times_a_second_and_the_end_is_last():
    async with a_class("lead", "follow") as (publish, (lead, follow), (_, follow_peer)):
        for n in range(1, 41):                       # forty phones join within a moment
            await publish("count", f'{{"followers":{n}}}')
        await publish("counts", '{"counts":[1,2]}')
        await asyncio.sleep(0.4)
        assert lead.got == ['{"followers":40}', '{"counts":[1,2]}']     # one count, not forty
        assert follow.got == ['{"followers":40}']                       # the histogram is the projector's
        await publish("state", '{"T":3}')
        await publish("end", '{"type":"end"}')
        await asyncio.wait_for(follow_peer.ended.wait(), 1)
        assert follow.got[-2:] == ['{"T":3}', '{"type":"end"}'] and lead.got[-1] == '{"type":"end"}'


@own_loop
async def test_a_room_is_offered_a_move_a_chunk_at_a_time_in_order():
    async with a_class(*["follow"] * 60) as (publish, screens, _):
        await publish("state", '{"T":1}')
        await publish("state", '{"T":2}')
        await asyncio.sleep(0.05)
        assert all(screen.got[-1] == '{"T":2}' for screen in screens)     # every page ends on the newest


@own_loop
async def test_the_last_page_to_leave_drops_the_subscription():
    broker = InProcessBroker()
    hubs = Hubs(Classroom(broker, ClassLimits(), Catalogue()), check_every=60)
    peer = Peer("follow", Screen().send)
    await hubs.attach(CODE, peer)
    assert hubs.local_peers(CODE) == 1 and channel(CODE) in broker._subscribers
    await hubs.detach(CODE, peer)
    assert hubs.local_peers(CODE) == 0 and channel(CODE) not in broker._subscribers
    await hubs.close()
