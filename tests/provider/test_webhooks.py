"""Webhook intake: signature first, one inbox row per delivery, mounted by every adapter."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import flask
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from starlette.applications import Starlette
from werkzeug.test import Client

from waffo_portal.clock import FrozenClock
from waffo_portal.core.exceptions import ConfigurationError
from waffo_portal.integrations.flask import WaffoPortal
from waffo_portal.integrations.starlette import portal_routes
from waffo_portal.providers.signed_json import HEADER, SignedJsonWebhooks, delivery_body, sign
from waffo_portal.service import Portal
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import test_config
from waffo_portal.web import PortalWebApp, Request
from waffo_portal.web.wsgi import PortalWSGIApp

from ..bridge import call_asgi
from ..django_settings import BASE_PORTAL_SETTINGS, configure_django
from ..sync.records import buyer_record, order_record, payment_record, refund_record

SECRET = "webhook-secret-that-is-long-enough-0001"
Post = Callable[[str, dict[str, str], bytes], tuple[int, dict[str, Any]]]


@pytest.fixture
def source() -> SignedJsonWebhooks:
    return SignedJsonWebhooks([SECRET])


@pytest.fixture
def kit(source: SignedJsonWebhooks) -> PortalKit:
    kit = make_kit()
    kit.portal = Portal(test_config(), store=kit.store, mailer=kit.mailer,
                        gateway=kit.gateway, webhooks=[source], clock=kit.clock)
    return kit


def _signed(kit: PortalKit, body: bytes, *, secret: str = SECRET,
            age: timedelta = timedelta(0)) -> dict[str, str]:
    stamp = int((kit.clock.now() - age).timestamp())
    return {HEADER: sign(body, secret, stamp), "Content-Type": "application/json"}


def _direct(kit: PortalKit, _source: SignedJsonWebhooks) -> Post:
    web = PortalWebApp(kit.portal)

    def post(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        answer = web.handle(Request("POST", path, headers=headers, body=body))
        return answer.status, json.loads(answer.body)

    return post


def _wsgi_client(app: Any, prefix: str) -> Post:
    client = Client(app)

    def post(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        answer = client.post(prefix + path, data=body, headers=headers,
                             base_url="https://shop.example")
        return answer.status_code, json.loads(answer.get_data())

    return post


def _plain_wsgi(kit: PortalKit, _source: SignedJsonWebhooks) -> Post:
    return _wsgi_client(PortalWSGIApp(PortalWebApp(kit.portal)), "")


def _flask(kit: PortalKit, source: SignedJsonWebhooks) -> Post:
    app = flask.Flask(__name__)
    app.config.update(WAFFO_PORTAL_SECRET_KEYS=[SECRET + "x"],
                      WAFFO_PORTAL_BASE_URL="https://shop.example/billing",
                      WAFFO_PORTAL_BRANDING={"name": "Test Shop", "country": "US",
                                             "address": ["1 Market Street"]},
                      WAFFO_PORTAL_TAX_RATES={"*": "0", "US": "0"})
    WaffoPortal(app, store=kit.store, mailer=kit.mailer, gateway=kit.gateway,
                webhooks=[source], clock=kit.clock)
    return _wsgi_client(app, "/billing")


def _starlette(kit: PortalKit, _source: SignedJsonWebhooks) -> Post:
    app = Starlette(routes=portal_routes(PortalWebApp(kit.portal)))

    def post(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        answer = call_asgi(app, "POST", "/billing" + path, headers=headers, body=body)
        return answer.status, json.loads(answer.body)

    return post


def _django(kit: PortalKit, source: SignedJsonWebhooks) -> Iterator[Post]:
    configure_django()
    settings = {**BASE_PORTAL_SETTINGS, "STORE": kit.store, "MAILER": kit.mailer,
                "GATEWAY": kit.gateway, "CLOCK": kit.clock,
                "WEBHOOKS": [source]}
    with override_settings(WAFFO_PORTAL=settings):
        yield _wsgi_client(WSGIHandler(), "/billing")


@pytest.fixture(params=["direct", "wsgi", "flask", "starlette", "django"])
def post(request: pytest.FixtureRequest, kit: PortalKit,
         source: SignedJsonWebhooks) -> Iterator[Post]:
    if request.param == "django":
        yield from _django(kit, source)
    else:
        yield {"direct": _direct, "wsgi": _plain_wsgi, "flask": _flask,
               "starlette": _starlette}[request.param](kit, source)


def test_a_signed_delivery_is_taken_in_once(post: Post, kit: PortalKit) -> None:
    body = delivery_body("evt_1", "customer.updated", [buyer_record("cus_7", email="c@x.io")])
    assert post("/webhooks/portal", _signed(kit, body), body) == (
        200, {"status": "accepted", "delivery_id": "evt_1"})
    assert kit.store.get_buyer("cus_7") is not None
    again = post("/webhooks/portal", _signed(kit, body), body)
    assert again == (200, {"status": "duplicate", "delivery_id": "evt_1"})


def test_a_bad_signature_is_refused_before_anything_is_read(post: Post, kit: PortalKit) -> None:
    body = delivery_body("evt_2", "customer.updated", [buyer_record("cus_8")])
    for headers in (_signed(kit, body, secret="another-secret-that-is-long-enough-01"),
                    _signed(kit, body, age=timedelta(minutes=6)),
                    _signed(kit, body + b" "), {"Content-Type": "application/json"}):
        status, answer = post("/webhooks/portal", headers, body)
        assert (status, answer["key"]) == (400, "webhook.signature_invalid")
    assert kit.store.get_buyer("cus_8") is None
    assert post("/webhooks/portal", _signed(kit, body), body)[0] == 200  # then it is new


def test_an_unknown_event_type_is_acknowledged_and_an_unknown_source_is_404(
        post: Post, kit: PortalKit) -> None:
    body = delivery_body("evt_3", "invoice.upcoming", [])
    assert post("/webhooks/portal", _signed(kit, body), body) == (
        200, {"status": "accepted", "delivery_id": "evt_3"})
    assert post("/webhooks/stripe", _signed(kit, body), body)[0] == 404


def test_records_that_break_the_rules_are_422_and_write_nothing(
        post: Post, kit: PortalKit) -> None:
    body = delivery_body("evt_4", "customer.updated",
                         [buyer_record("cus_9", email="broken"), buyer_record("cus_10")])
    status, answer = post("/webhooks/portal", _signed(kit, body), body)
    assert (status, answer["fields"]) == (422, {"records[0].email": "login.email_invalid"})
    assert kit.store.get_buyer("cus_10") is None
    garbage = b'{"id": "evt_5", "type": "x", "records": [{"record": "order"}]}'
    status, answer = post("/webhooks/portal", _signed(kit, garbage), garbage)
    assert (status, answer["key"]) == (400, "webhook.payload_invalid")


def test_a_refund_before_its_payment_is_409_and_taken_in_on_redelivery(
        post: Post, kit: PortalKit) -> None:
    refund = delivery_body("evt_r", "refund.succeeded", [refund_record()])
    status, answer = post("/webhooks/portal", _signed(kit, refund), refund)
    assert (status, answer["key"]) == (409, "sync.payment_missing")
    paid = delivery_body("evt_p", "order.completed", [order_record(), payment_record()])
    assert post("/webhooks/portal", _signed(kit, paid), paid)[0] == 200
    assert post("/webhooks/portal", _signed(kit, refund), refund)[1]["status"] == "accepted"
    [payment] = kit.store.list_payments("ord_1")
    assert [r.id for r in payment.refunds] == ["re_1"]


def test_secrets_are_checked_at_start_up() -> None:
    with pytest.raises(ConfigurationError):
        SignedJsonWebhooks(["short"])
    with pytest.raises(ConfigurationError):
        Portal(test_config(), store=MemoryStore(), mailer=make_kit().mailer,
               gateway=make_kit().gateway,
               webhooks=[SignedJsonWebhooks([SECRET]), SignedJsonWebhooks([SECRET])])


def test_a_rotated_secret_is_accepted_and_future_stamps_are_not() -> None:
    source = SignedJsonWebhooks(["old-secret-that-is-long-enough-00000001", SECRET])
    clock = FrozenClock(make_kit().clock.now())
    body = b'{"id": "e", "type": "t", "records": []}'
    now = int(clock.now().timestamp())
    assert source.parse({HEADER: sign(body, SECRET, now)}, body, clock.now()).delivery_id == "e"
    with pytest.raises(Exception, match="signature"):
        source.parse({HEADER: sign(body, SECRET, now + 120)}, body, clock.now())
