"""The signed client against the fake gateway: headers, retries, idempotency, errors."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta

import httpx
import pytest

from waffo_portal.core.exceptions import ProviderUnavailable
from waffo_portal.providers.waffo import WaffoClient, WaffoRefused
from waffo_portal.providers.waffo.client import GRAPHQL, ISSUE_TOKEN
from waffo_portal.providers.waffo.provider import CANCEL_ORDER, CREATE_SESSION, REACTIVATE_ORDER
from waffo_portal.providers.waffo.queries import PRODUCTS
from waffo_portal.providers.waffo.signing import request_signature_valid
from waffo_portal.testing.fake_waffo import Fault, generate_key

from .conftest import World


def _requests(world: World, path: str) -> list[dict[str, object]]:
    return [r for r in world.fake.requests if r["path"] == path]


def _client(world: World, **overrides: object) -> WaffoClient:
    return WaffoClient(world.fake.settings(**overrides), sleep=lambda _s: None,
                       now=lambda: world.clock.now().timestamp())


def test_api_key_calls_are_signed_over_the_bytes_sent(world: World) -> None:
    order = world.subscribe()
    client = _client(world)
    client.action(CANCEL_ORDER, {"orderId": order.id, "note": "Grüße"}, idempotency_key="k-1")
    sent = _requests(world, CANCEL_ORDER)[-1]
    headers, body = sent["headers"], sent["body"]
    assert isinstance(headers, dict) and isinstance(body, bytes)
    assert body == json.dumps({"orderId": order.id, "note": "Grüße"}, ensure_ascii=False,
                              separators=(",", ":")).encode()
    assert headers["x-merchant-id"] == world.fake.merchant_id
    assert headers["x-timestamp"] == str(int(world.clock.now().timestamp()))  # seconds
    assert headers["x-idempotency-key"] == "k-1"
    assert request_signature_valid(world.fake._merchant_public, CANCEL_ORDER,  # type: ignore[arg-type]
                                   int(headers["x-timestamp"]), body, headers["x-signature"])
    base64.b64decode(headers["x-signature"], validate=True)


def test_reads_and_token_calls_never_carry_an_idempotency_key(world: World) -> None:
    client = _client(world)
    client.graphql(PRODUCTS, {"storeId": world.fake.store_id})
    client.session_token("user-42")
    for path in (GRAPHQL, ISSUE_TOKEN):
        assert "x-idempotency-key" not in _requests(world, path)[-1]["headers"]  # type: ignore[operator]


def test_buyer_token_calls_send_bearer_and_environment(world: World) -> None:
    order = world.subscribe()
    world.fake.books.cancel(order.id)
    client = _client(world)
    client.action(REACTIVATE_ORDER, {"orderId": order.id}, token=client.session_token("user-42"))
    headers = _requests(world, REACTIVATE_ORDER)[-1]["headers"]
    assert isinstance(headers, dict)
    assert headers["authorization"].startswith("Bearer jwt.")
    assert headers["x-environment"] == "test" and "x-signature" not in headers


@pytest.mark.parametrize(("headers", "status", "message"), [
    ({"Authorization": "Bearer {token}"}, 400, "Incomplete JWT authentication headers"),
    ({"Authorization": "Bearer {token}", "X-Environment": "prod"}, 401, "Authentication failed"),
    ({"Authorization": "Bearer jwt.forged", "X-Environment": "test"}, 401,
     "Authentication failed"),
])
def test_the_fake_gateway_checks_buyer_tokens_like_waffo(world: World, headers: dict[str, str],
                                                         status: int, message: str) -> None:
    token = _client(world).session_token("user-42")
    sent = {k: v.format(token=token) for k, v in headers.items()}
    answer = httpx.post(world.fake.url + GRAPHQL, headers=sent,
                        content=json.dumps({"query": PRODUCTS, "variables": {}}))
    assert answer.status_code == status
    assert answer.json()["errors"][0]["message"] == message


@pytest.mark.parametrize("clock_skew", [timedelta(minutes=-6), timedelta(seconds=61)])
def test_a_request_outside_the_clock_window_is_refused(world: World,
                                                       clock_skew: timedelta) -> None:
    client = WaffoClient(world.fake.settings(), sleep=lambda _s: None,
                         now=lambda: (world.clock.now() + clock_skew).timestamp())
    with pytest.raises(ProviderUnavailable) as caught:
        client.graphql(PRODUCTS, {"storeId": world.fake.store_id})
    assert caught.value.context["reason"] == "credentials"
    assert len(_requests(world, GRAPHQL)) == 1  # a 401 is never retried


def test_another_merchant_key_is_refused(world: World) -> None:
    client = _client(world, private_key=generate_key()[0])
    with pytest.raises(ProviderUnavailable):
        client.graphql(PRODUCTS, {"storeId": world.fake.store_id})


def test_a_5xx_is_retried_with_the_same_key_and_the_write_runs_once(world: World) -> None:
    order = world.subscribe()
    world.fake.faults.append(Fault(CANCEL_ORDER, status=502, message="Bad gateway"))
    data = _client(world).action(CANCEL_ORDER, {"orderId": order.id}, idempotency_key="k-5xx")
    assert data["status"] == "canceling"
    keys = [r["headers"]["x-idempotency-key"] for r in _requests(world, CANCEL_ORDER)]  # type: ignore[index]
    assert keys == ["k-5xx", "k-5xx"]
    assert [e.event_type for e in world.fake.pending()] == ["subscription.canceling"]


def test_persistent_rate_limiting_ends_in_a_busy_message(world: World) -> None:
    world.fake.faults.append(Fault(GRAPHQL, status=429, message="Rate Limited", times=5))
    with pytest.raises(ProviderUnavailable) as caught:
        _client(world).graphql(PRODUCTS, {"storeId": world.fake.store_id})
    assert caught.value.key == "provider.busy"
    assert len(_requests(world, GRAPHQL)) == 3


def test_a_refusal_is_not_retried_and_names_what_the_buyer_can_do(world: World) -> None:
    world.fake.faults.append(Fault(CREATE_SESSION, status=403, message=(
        "Self-service plan change is not enabled for this product group")))
    with pytest.raises(WaffoRefused) as caught:
        _client(world).action(CREATE_SESSION, {"originOrderId": "ORD_x"}, idempotency_key="k")
    assert caught.value.key == "provider.not_self_service" and caught.value.status == 403
    assert len(_requests(world, CREATE_SESSION)) == 1


def test_a_non_json_error_page_is_retried_then_reported(world: World) -> None:
    world.fake.faults.append(Fault(GRAPHQL, status=502, message="", times=5))
    with pytest.raises(ProviderUnavailable):
        _client(world).graphql(PRODUCTS, {"storeId": world.fake.store_id})


def test_a_concurrent_duplicate_gets_409_then_the_first_answer(world: World) -> None:
    order = world.subscribe()
    world.fake.faults.append(Fault(CREATE_SESSION, status=0, delay=0.6))
    body = {"originOrderId": order.id, "productId": world.pro.id, "currency": "USD"}
    results: list[dict[str, object]] = []
    client = WaffoClient(world.fake.settings(), now=lambda: world.clock.now().timestamp())
    threads = [threading.Thread(target=lambda: results.append(
        client.action(CREATE_SESSION, body, idempotency_key="k-race"))) for _ in range(2)]
    threads[0].start()
    threading.Event().wait(0.2)
    threads[1].start()
    for thread in threads:
        thread.join()
    statuses = [r for r in world.fake.requests if r["path"] == CREATE_SESSION]
    assert len(statuses) >= 3  # the second was refused with 409 at least once, then retried
    assert results[0] == results[1]
    assert len(world.fake.books.sessions) == 1


def test_a_malformed_idempotency_key_is_refused_before_sending(world: World) -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        _client(world).action(CANCEL_ORDER, {"orderId": "x"}, idempotency_key="a b")
    assert _requests(world, CANCEL_ORDER) == []


def test_a_buyer_token_reads_only_that_buyers_orders(world: World) -> None:
    mine = world.subscribe(identity="user-42")
    theirs = world.subscribe(identity="user-7", email="bob@example.com")
    client = _client(world)
    token = client.session_token("user-42")
    query = ("query Q($id: String!) { subscriptionOrder(id: $id) { id } "
             "subscriptionOrders(limit: 10) { id } }")
    own = client.graphql(query, {"id": mine.id}, token=token)
    other = client.graphql(query, {"id": theirs.id}, token=token)
    assert own["subscriptionOrder"] == {"id": mine.id}
    assert other["subscriptionOrder"] is None
    assert own["subscriptionOrders"] == [{"id": mine.id}]
