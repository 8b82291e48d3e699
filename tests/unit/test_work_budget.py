"""A socket's work budget: a burst may be spent at once, then work is paid for at the budget's rate."""
from __future__ import annotations

import pytest

from app.web.budget import SharedBudgets, WorkBudget
from tests.run_async import run_async


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_burst_is_free_then_work_waits_at_the_rate():
    clock = Clock()
    budget = WorkBudget(rate_per_s=0.5, burst_s=1.0, clock=clock)
    assert budget.delay_for(1.0) == 0.0
    budget._balance -= 1.0                    # spent the burst
    assert budget.delay_for(0.25) == pytest.approx(0.5)      # 0.25 s of work at 0.5 s per second
    clock.now += 0.5
    assert budget.delay_for(0.25) == pytest.approx(0.0)
    clock.now += 100
    assert budget.delay_for(5.0) == 0.0       # never saves up more than the burst, and a cost past it
    budget._balance -= 5.0                    # leaves a debt the next messages wait off
    assert budget.delay_for(0.1) == pytest.approx((0.1 + 4.0) / 0.5)


def test_spend_really_waits_and_a_big_cost_is_paid_by_the_next_message():
    async def scenario() -> tuple[float, float]:
        budget = WorkBudget(rate_per_s=1.0, burst_s=0.01)
        await budget.spend(0.01)
        big = await budget.spend(0.05)        # waits for a burst's worth, owes the rest
        return big, await budget.spend(0.01)

    big, next_one = run_async(scenario())
    assert 0.005 <= big <= 0.03
    assert 0.04 <= next_one <= 0.08


def test_an_address_shares_one_budget_across_its_sockets_and_it_is_forgotten_with_the_last():
    budgets = SharedBudgets(rate_per_s=0.5, burst_s=1.0)
    first, second = budgets.join("10.0.0.1"), budgets.join("10.0.0.1")
    assert first is second and budgets.join("10.0.0.2") is not first
    budgets.leave("10.0.0.1")
    assert budgets.join("10.0.0.1") is first          # still one socket open: the same budget
    budgets.leave("10.0.0.1")
    budgets.leave("10.0.0.1")
    assert budgets.join("10.0.0.1") is not first      # all closed: nothing kept about the address
