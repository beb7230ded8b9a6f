"""The portal's own webhook format: sync records as JSON, signed with a shared secret.

    POST <portal>/webhooks/<name>
    Waffo-Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

    {"id": "<delivery id>", "type": "<event type>", "records": [<record>, ...]}

Records are ``json_records``' encoding. Several ``v1=`` values may be sent while a
secret is rotated; any one matching one of the configured secrets is enough. A
signature older than ``tolerance`` (or more than a minute in the future) is refused,
which bounds how long a captured delivery can be replayed (the inbox catches the rest).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from ..core.exceptions import ConfigurationError, InvalidWebhook
from ..core.provider import WebhookDelivery
from ..core.sync import SyncRecord
from .json_records import decode_record, encode_record

HEADER: Final = "waffo-portal-signature"
MIN_SECRET_LENGTH: Final = 32
_FUTURE: Final = timedelta(minutes=1)
_MAX_DELIVERY_ID: Final = 255


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def delivery_body(delivery_id: str, event_type: str, records: Iterable[SyncRecord]) -> bytes:
    """The JSON body of one delivery (what a merchant's forwarder sends)."""
    return json.dumps({"id": delivery_id, "type": event_type,
                       "records": [encode_record(r) for r in records]},
                      separators=(",", ":")).encode()


class SignedJsonWebhooks:
    """A ``WebhookSource`` for the portal's own signed JSON deliveries."""

    def __init__(self, secrets: Sequence[str], *, name: str = "portal",
                 tolerance: timedelta = timedelta(minutes=5)) -> None:
        if not secrets or any(len(secret) < MIN_SECRET_LENGTH for secret in secrets):
            raise ConfigurationError(
                f"webhook secrets must be at least {MIN_SECRET_LENGTH} characters",
                setting="webhook secrets")
        self.name = name
        self._secrets = tuple(secrets)
        self._tolerance = tolerance

    def parse(self, headers: Mapping[str, str], body: bytes,
              now: datetime) -> WebhookDelivery:
        self._verify(headers.get(HEADER, ""), body, now)
        try:
            payload: Any = json.loads(body)
        except ValueError:
            raise InvalidWebhook(key="webhook.payload_invalid") from None
        if not isinstance(payload, dict):
            raise InvalidWebhook(key="webhook.payload_invalid")
        delivery_id, event_type = payload.get("id"), payload.get("type")
        records = payload.get("records", [])
        if (not isinstance(delivery_id, str) or not 0 < len(delivery_id) <= _MAX_DELIVERY_ID
                or not isinstance(event_type, str) or not event_type
                or not isinstance(records, list)):
            raise InvalidWebhook(key="webhook.payload_invalid")
        return WebhookDelivery(delivery_id=delivery_id, event_type=event_type[:128],
                               records=tuple(decode_record(raw) for raw in records))

    def _verify(self, header: str, body: bytes, now: datetime) -> None:
        parts = [part.strip().partition("=") for part in header.split(",")]
        stamps = [value for name, _, value in parts if name == "t"]
        given = [value for name, _, value in parts if name == "v1"]
        if len(stamps) != 1 or not stamps[0].isdigit() or not given:
            raise InvalidWebhook(key="webhook.signature_invalid")
        timestamp = int(stamps[0])
        age = now.timestamp() - timestamp
        if age > self._tolerance.total_seconds() or -age > _FUTURE.total_seconds():
            raise InvalidWebhook(key="webhook.signature_invalid", reason="stale")
        expected = [sign(body, secret, timestamp).rpartition("v1=")[2]
                    for secret in self._secrets]
        if not any(hmac.compare_digest(e, g) for e in expected for g in given):
            raise InvalidWebhook(key="webhook.signature_invalid")
