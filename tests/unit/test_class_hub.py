"""The hub's promise: a page that falls behind gets the newest message of each kind, never a backlog,
and a slow page never holds up the others."""
from __future__ import annotations

import asyncio

from app.classroom.broker import InProcessBroker
from app.classroom.hub import Hubs, Peer
from app.classroom.service import Classroom, ClassLimits, channel, frame
from tests.own_loop import own_loop


class Screen:
    """A page whose network can be stalled: sends wait while `stalled` is clear."""

    def __init__(self) -> None:
        self.got: list[str] = []
        self.flowing = asyncio.Event()
        self.flowing.set()

    async def send(self, text: str) -> None:
        await self.flowing.wait()
        self.got.append(text)


@own_loop
async def test_a_stalled_page_gets_the_latest_state_not_a_backlog_and_the_others_are_not_held_up():
    broker = InProcessBroker()
    hubs = Hubs(Classroom(broker, ClassLimits()), check_every=60)
    slow, quick = Screen(), Screen()
    slow_peer, quick_peer = Peer("follow", slow.send), Peer("follow", quick.send)
    await hubs.attach("CODE2345", slow_peer)
    await hubs.attach("CODE2345", quick_peer)
    writers = [asyncio.create_task(slow_peer.write()), asyncio.create_task(quick_peer.write())]
    try:
        await broker.publish(channel("CODE2345"), frame("state", '{"T":0}'))
        await asyncio.sleep(0.01)
        slow.flowing.clear()                        # the slow page's Wi-Fi stalls mid-lecture
        for t in range(1, 200):
            await broker.publish(channel("CODE2345"), frame("state", f'{{"T":{t}}}'))
            await asyncio.sleep(0)                  # the quick page's writer runs between moves
        await asyncio.sleep(0.01)
        assert quick.got[-1] == '{"T":199}' and len(quick.got) > 100
        assert slow.got == ['{"T":0}']              # stuck in its send of T=1
        slow.flowing.set()
        await asyncio.sleep(0.01)
        assert slow.got == ['{"T":0}', '{"T":1}', '{"T":199}']     # the one in flight, then only the newest
        assert slow_peer.slots == {}
    finally:
        for w in writers:
            w.cancel()
        await hubs.close()


@own_loop
async def test_counts_are_passed_on_a_few_times_a_second_and_the_end_is_last():
    broker = InProcessBroker()
    hubs = Hubs(Classroom(broker, ClassLimits()), check_every=60)
    lead, follow = Screen(), Screen()
    lead_peer, follow_peer = Peer("lead", lead.send), Peer("follow", follow.send)
    await hubs.attach("CODE2345", lead_peer)
    await hubs.attach("CODE2345", follow_peer)
    writers = [asyncio.create_task(lead_peer.write()), asyncio.create_task(follow_peer.write())]
    try:
        for n in range(1, 41):                       # forty phones join within a moment
            await broker.publish(channel("CODE2345"), frame("count", f'{{"followers":{n}}}'))
        await broker.publish(channel("CODE2345"), frame("counts", '{"counts":[1,2]}'))
        await asyncio.sleep(0.4)
        assert lead.got == ['{"followers":40}', '{"counts":[1,2]}']     # one count, not forty
        assert follow.got == ['{"followers":40}']                       # the histogram is the projector's
        await broker.publish(channel("CODE2345"), frame("state", '{"T":3}'))
        await broker.publish(channel("CODE2345"), frame("end", '{"type":"end"}'))
        await asyncio.wait_for(follow_peer.ended.wait(), 1)
        assert follow.got[-2:] == ['{"T":3}', '{"type":"end"}'] and lead.got[-1] == '{"type":"end"}'
    finally:
        for w in writers:
            w.cancel()
        await hubs.close()


@own_loop
async def test_the_last_page_to_leave_drops_the_subscription():
    broker = InProcessBroker()
    hubs = Hubs(Classroom(broker, ClassLimits()), check_every=60)
    peer = Peer("follow", Screen().send)
    await hubs.attach("CODE2345", peer)
    assert hubs.local_peers("CODE2345") == 1 and channel("CODE2345") in broker._subscribers
    await hubs.detach("CODE2345", peer)
    assert hubs.local_peers("CODE2345") == 0 and channel("CODE2345") not in broker._subscribers
    await hubs.close()
