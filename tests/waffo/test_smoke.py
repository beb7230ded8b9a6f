from __future__ import annotations

from .conftest import World


def test_a_subscription_arrives_by_webhook(world: World) -> None:
    order = world.subscribe()
    assert [d.status for d in world.fake.deliveries] == [200, 200]
    subs = world.store.list_subscriptions("user-42")
    assert [s.id for s in subs] == [order.id]
    assert subs[0].plan_id == world.starter.id
    orders = world.store.list_orders("user-42", 10)
    assert len(orders) == 1 and orders[0].total.amount == 1190
