"""The fake Waffo Pancake server: Waffo's API, hosted change page and webhooks, locally.

It checks what Waffo's gateway checks (the merchant's request signature within the
clock window, buyer tokens with their environment, idempotency keys) and answers in
the envelope shapes of Waffo's SDKs. Each business change sends the webhooks Waffo
would send, signed with a locally generated platform key.

    fake = FakeWaffo().start()            # http://127.0.0.1:<port>
    settings = fake.settings()            # WaffoSettings pointing at it
    fake.webhook_target = portal_webhook  # a URL, or a callable(headers, body) -> status
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

import attrs
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...demo_server import QuietHandler, ThreadingWSGIServer
from ...providers.waffo.settings import WaffoSettings
from ...providers.waffo.signing import request_signature_valid, webhook_signature
from .graphql import execute
from .state import Books, Event, display, iso, short_id

log = logging.getLogger("waffo_portal.testing.fake_waffo")
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WebhookTarget = Callable[[Mapping[str, str], bytes], int]
_PAST_WINDOW = timedelta(minutes=5)
_FUTURE_WINDOW = timedelta(minutes=1)
_TOKEN_LIFETIME = timedelta(minutes=5)
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def generate_key() -> tuple[str, str]:
    """A fresh RSA-2048 pair as (private PKCS#8 PEM, public SPKI PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@attrs.define
class Fault:
    """What the next matching request gets instead of (or before) its normal answer."""

    path: str
    status: int = 500
    message: str = "Internal error"
    delay: float = 0.0  # seconds slept first; status 0: then handled (a slow answer)
    times: int = 1


@attrs.define
class Delivery:
    event: Event
    body: bytes
    headers: dict[str, str]
    status: int | None = None


class _Refusal(Exception):
    def __init__(self, status: int, message: str, layer: str = "gateway") -> None:
        super().__init__(message)
        self.status, self.message, self.layer = status, message, layer


class FakeWaffo:
    """One fake store in one environment. ``clock``: the time the fake lives in (share
    the portal's frozen clock in tests)."""

    def __init__(self, *, environment: str = "test", clock: Callable[[], datetime] | None = None,
                 merchant_key: tuple[str, str] | None = None,
                 platform_key: tuple[str, str] | None = None) -> None:
        self.environment = environment
        self.now = clock or (lambda: datetime.now(UTC))
        self.merchant_id = "MER_" + short_id("X")[2:]
        self.store_id = short_id("STO")
        self.store_slug = "fake-store"
        self.merchant_private_pem, merchant_public = merchant_key or generate_key()
        self._merchant_public = serialization.load_pem_public_key(merchant_public.encode())
        platform_private, self.platform_public_pem = platform_key or generate_key()
        self._platform_key = serialization.load_pem_private_key(platform_private.encode(), None)
        self.books = Books(self.store_id, environment, self.now)
        self.requests: list[dict[str, Any]] = []
        self.deliveries: list[Delivery] = []
        self.faults: list[Fault] = []
        self.webhook_target: str | WebhookTarget | None = None
        self.auto_deliver = True
        self._tokens: dict[str, tuple[str, datetime]] = {}
        self._idempotent: dict[str, tuple[int, bytes]] = {}
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingWSGIServer | None = None
        self.url = ""

    # -- running -----------------------------------------------------------------
    def start(self, port: int = 0) -> FakeWaffo:
        self._server = make_server("127.0.0.1", port, self, server_class=ThreadingWSGIServer,
                                   handler_class=QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True,
                         name="fake-waffo").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def settings(self, **overrides: Any) -> WaffoSettings:
        """Settings for the portal's Waffo adapter, pointing at this fake."""
        values: dict[str, Any] = {
            "merchant_id": self.merchant_id, "private_key": self.merchant_private_pem,
            "store_id": self.store_id, "environment": self.environment,
            "base_url": self.url, "hosted_origins": (self.url,),
            "consumer_portal_url": f"{self.url}/consumer/portal/login",
            "webhook_public_keys": {self.environment: self.platform_public_pem}}
        values.update(overrides)
        return WaffoSettings(**values)

    # -- webhooks ----------------------------------------------------------------
    def signed(self, event: Event, *, at: datetime | None = None) -> Delivery:
        envelope = {"id": event.delivery_id, "timestamp": iso(event.at),
                    "eventType": event.event_type, "eventId": event.event_id,
                    "storeId": self.store_id, "storeName": "Fake Store",
                    "mode": self.environment, "data": event.data}
        body = json.dumps(envelope, separators=(",", ":")).encode()
        stamp = int((at or self.now()).timestamp() * 1000)
        header = webhook_signature(self._platform_key, body, stamp)  # type: ignore[arg-type]
        return Delivery(event, body, {"Content-Type": "application/json",
                                      "X-Waffo-Signature": header})

    def send(self, delivery: Delivery) -> int:
        target = self.webhook_target
        if target is None:
            raise RuntimeError("FakeWaffo.webhook_target is not set")
        if callable(target):
            delivery.status = target(delivery.headers, delivery.body)
        else:
            try:
                delivery.status = httpx.post(target, content=delivery.body,
                                             headers=delivery.headers, timeout=30).status_code
            except httpx.HTTPError as error:
                log.warning("webhook delivery failed: %s", error)
                delivery.status = 0
        self.deliveries.append(delivery)
        return delivery.status

    def pending(self) -> list[Event]:
        """Take the events not yet delivered (to send them yourself, in any order)."""
        with self.books.lock:
            events, self.books.outbox[:] = list(self.books.outbox), []
        return events

    def deliver(self) -> list[Delivery]:
        """Send every pending event, oldest first; a failed one is retried once."""
        sent = []
        for event in self.pending():
            delivery = self.signed(event)
            if self.send(delivery) >= 300:
                self.send(self.signed(event))
            sent.append(delivery)
        return sent

    def _after_change(self) -> None:
        if self.auto_deliver and self.webhook_target is not None:
            # As Waffo does: the answer first, the webhooks just after it.
            threading.Timer(0.05, self.deliver).start()

    # -- WSGI --------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        if path.startswith("/store/") and "/change/" in path:
            return self._change_page(path, method, body, start_response)
        if path == "/consumer/portal/login":
            return _page(start_response, "200 OK", "<h1>Waffo consumer portal (fake)</h1>")
        if method != "POST":
            return _page(start_response, "404 Not Found", "<h1>Not found</h1>")
        status, answer = self._api(path, headers, body)
        start_response(f"{status} {'OK' if status < 300 else 'Error'}",
                       [("Content-Type", "application/json"),
                        ("Content-Length", str(len(answer)))])
        return [answer]

    def _api(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        self.requests.append({"path": path, "headers": headers, "body": body})
        delay = 0.0
        with self._lock:
            fault = next((f for f in self.faults if f.path == path), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if fault is not None and fault.status:
            time.sleep(fault.delay)
            return fault.status, _envelope_error(fault.message, "gateway")
        if fault is not None:
            delay = fault.delay  # a slow answer: the work is done, just late
        key = headers.get("x-idempotency-key")
        try:
            buyer = self._authenticate(path, headers, body)
            if key is not None:
                if not _KEY.match(key):
                    raise _Refusal(400, "Invalid idempotency key")
                with self._lock:
                    if key in self._idempotent:
                        return self._idempotent[key]
                    if key in self._in_flight:
                        raise _Refusal(409, "Idempotent request is already being processed")
                    self._in_flight.add(key)
            try:
                time.sleep(delay)
                payload = self._handle(path, json.loads(body or b"{}"), buyer)
            finally:
                if key is not None:
                    with self._lock:
                        self._in_flight.discard(key)
        except _Refusal as refusal:
            return refusal.status, _envelope_error(refusal.message, refusal.layer)
        except (ValueError, KeyError, TypeError) as error:
            return 400, _envelope_error(f"Bad request: {error}", "gateway")
        answer = (200, json.dumps(payload).encode())
        if key is not None:
            with self._lock:
                self._idempotent[key] = answer  # 2xx only: a refusal frees the key
        return answer

    def _authenticate(self, path: str, headers: Mapping[str, str], body: bytes) -> str | None:
        """None for the merchant's API key, the buyer identity for a buyer token."""
        bearer = headers.get("authorization", "")
        if bearer.startswith("Bearer "):
            environment = headers.get("x-environment")
            if environment is None:
                raise _Refusal(400, "Incomplete JWT authentication headers")
            held = self._tokens.get(bearer[7:])
            if held is None or environment != self.environment:
                raise _Refusal(401, "Authentication failed")
            if held[1] <= self.now():
                raise _Refusal(401, "Session expired")
            return held[0]
        stamp, signature = headers.get("x-timestamp", ""), headers.get("x-signature", "")
        if headers.get("x-merchant-id") != self.merchant_id or not stamp.isdigit():
            raise _Refusal(401, "Authentication failed")
        age = self.now().timestamp() - int(stamp)
        if age > _PAST_WINDOW.total_seconds() or -age > _FUTURE_WINDOW.total_seconds():
            raise _Refusal(401, "Authentication failed")
        if not request_signature_valid(self._merchant_public, path, int(stamp), body,  # type: ignore[arg-type]
                                       signature):
            raise _Refusal(401, "Authentication failed")
        return None

    def _handle(self, path: str, body: dict[str, Any], buyer: str | None) -> dict[str, Any]:
        books = self.books
        if path == "/v1/graphql":
            return execute(books, body["query"], body.get("variables"), buyer)
        if path == "/v1/actions/auth/issue-session-token":
            if buyer is not None:
                raise _Refusal(403, "Forbidden")
            if body.get("storeId") != self.store_id or not body.get("buyerIdentity"):
                raise _Refusal(400, "buyerIdentity and storeId are required", "user")
            token = "jwt." + secrets.token_urlsafe(16)
            expires = self.now() + _TOKEN_LIFETIME
            self._tokens[token] = (str(body["buyerIdentity"]), expires)
            return {"data": {"token": token, "expiresAt": iso(expires)}}
        order = books.orders.get(str(body.get("orderId") or body.get("originOrderId") or ""))
        if order is None or (buyer is not None and order.buyer_identity != buyer):
            raise _Refusal(404 if buyer is None else 403,
                           "Not found" if buyer is None else
                           "Subscription order does not belong to this credential", "order")
        if path == "/v1/actions/subscription-order/cancel-order":
            status = books.cancel(order.id)
            self._after_change()
            return {"data": {"orderId": order.id, "status": status}}
        if path == "/v1/actions/subscription-order/reactivate-order":
            if buyer is None:
                raise _Refusal(403, "Forbidden")  # the SDKs expose it on buyer tokens only
            if order.status != "canceling":
                raise _Refusal(400, "Subscription is not canceling", "order")
            if any(p.status == "failed" for p in order.payments):
                raise _Refusal(400, "Subscription with an unpaid balance cannot be reactivated",
                               "order")
            books.reactivate(order.id)
            self._after_change()
            return {"data": {"orderId": order.id, "status": "active"}}
        if path == "/v1/actions/checkout/create-session":
            return self._plan_change(order.id, body)
        raise _Refusal(404, "Not found", "gateway")

    def _plan_change(self, order_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        books = self.books
        order = books.orders[order_id]
        product = books.products.get(str(body.get("productId")))
        if product is None:
            raise _Refusal(400, "productId is not a subscription product", "product")
        if product.id == order.product_id and not order.scheduled_product_id:
            raise _Refusal(400, "The target plan is the current plan", "order")
        if body.get("currency") != order.currency:
            raise _Refusal(400, "currency must match the origin subscription", "order")
        if order.status not in ("active", "past_due"):
            raise _Refusal(400, "Subscription cannot change plan in this status", "order")
        timing = body.get("changeTiming")
        if timing not in (None, "immediate", "next_period"):
            raise _Refusal(400, "changeTiming must be immediate or next_period", "order")
        session = books.open_session(order_id, product.id, order.currency, timing,
                                     str(body.get("successUrl") or ""))
        return {"data": {"sessionId": session.id, "expiresAt": iso(session.expires_at),
                         "checkoutUrl": f"{self.url}/store/{self.store_slug}/change/{session.id}"}}

    # -- the hosted plan-change page -------------------------------------------------
    def _change_page(self, path: str, method: str, body: bytes,
                     start_response: StartResponse) -> Iterable[bytes]:
        session = self.books.sessions.get(path.rsplit("/", 1)[-1])
        if session is None or session.expires_at <= self.now():
            return _page(start_response, "404 Not Found", "<h1>This link has expired</h1>")
        if method == "POST":
            choice = parse_qs(body.decode()).get("choice", ["confirm"])[0]
            self.books.confirm(session.id, succeed=choice == "confirm")
            self._after_change()
            start_response("303 See Other", [("Location", session.success_url or "/"),
                                             ("Content-Length", "0")])
            return [b""]
        order = self.books.orders[session.order_id]
        product = self.books.products[session.product_id]
        charge = self.books.change_charge(session)
        when = ("now" if session.timing == "immediate" else
                f"on {order.period_end:%Y-%m-%d}" if order.period_end else "next period")
        return _page(start_response, "200 OK", (
            f"<h1>Change to {html.escape(product.name)}</h1>"
            f"<p id='summary'>Takes effect {when}. Charged now: "
            f"{display(charge, order.currency)} {order.currency} (plus tax)</p>"
            # An explicit action: posting to the page's own URL would carry the #token
            # fragment through the 303 back to the merchant's page.
            f"<form method='post' action='{html.escape(path)}'>"
            "<button name='choice' value='confirm'>Confirm change</button>"
            "<button name='choice' value='decline'>Cancel</button></form>"))


def _envelope_error(message: str, layer: str) -> bytes:
    return json.dumps({"data": None, "errors": [{"message": message, "layer": layer}]}).encode()


def _page(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Waffo (fake)"
            f"</title></head><body>{body}</body></html>").encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Length", str(len(data)))])
    return [data]
