from __future__ import annotations

import httpx

from .conftest import World


def test_upgrade_round_trip(world: World) -> None:
    order = world.subscribe()
    outcome = world.portal.change_plan("user-42", order.id, world.pro.id,
                                       idempotency_key="k" * 20,
                                       return_url="https://shop.example/billing/subscriptions/x")
    assert outcome.status == "confirm"
    assert outcome.redirect_url.startswith(world.fake.url + "/store/fake-store/change/cs_")
    sub = world.store.get_subscription(order.id)
    assert sub.pending_change is not None and sub.pending_change.plan_id == world.pro.id
    assert sub.plan_id == world.starter.id
    page = httpx.get(outcome.redirect_url.split("#")[0])
    assert "Change to Pro" in page.text
    done = httpx.post(outcome.redirect_url.split("#")[0], data={"choice": "confirm"})
    assert done.status_code == 303
    world.fake.deliver()
    sub = world.store.get_subscription(order.id)
    assert sub.plan_id == world.pro.id and sub.pending_change is None
