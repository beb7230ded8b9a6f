"""The signed JSON webhook format, rule by rule: signature header, tolerance boundaries,
body shape, and the exact key and reason of every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from waffo_portal.core.exceptions import ConfigurationError, InvalidWebhook
from waffo_portal.providers.signed_json import (
    HEADER,
    MIN_SECRET_LENGTH,
    SignedJsonWebhooks,
    delivery_body,
    sign,
)

SECRET = "s" * MIN_SECRET_LENGTH
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())


def _parse(body: bytes, *, header: str | None = None, at: datetime = NOW,
           source: SignedJsonWebhooks | None = None) -> Any:
    source = source or SignedJsonWebhooks([SECRET])
    value = sign(body, SECRET, STAMP) if header is None else header
    return source.parse({HEADER: value}, body, at)


def _refused(body: bytes, **kwargs: Any) -> tuple[str | None, object]:
    with pytest.raises(InvalidWebhook) as refused:
        _parse(body, **kwargs)
    return refused.value.key, refused.value.context.get("reason")


def test_the_body_is_compact_json() -> None:
    assert delivery_body("d1", "t", []) == b'{"id":"d1","type":"t","records":[]}'


def test_a_secret_needs_32_characters() -> None:
    SignedJsonWebhooks(["x" * MIN_SECRET_LENGTH])
    for secrets in ([], ["x" * (MIN_SECRET_LENGTH - 1)], [SECRET, "short"]):
        with pytest.raises(ConfigurationError) as refused:
            SignedJsonWebhooks(secrets)
        assert refused.value.context["setting"] == "webhook secrets"


def test_a_delivery_without_records_is_an_empty_one() -> None:
    delivery = _parse(b'{"id": "d1", "type": "ping"}')
    assert (delivery.delivery_id, delivery.event_type, delivery.records) == ("d1", "ping", ())


@pytest.mark.parametrize("body", [
    b"not json", b"[1, 2]", b'"text"', b'{"id": "", "type": "t"}', b'{"id": 5, "type": "t"}',
    b'{"type": "t"}', b'{"id": "d", "type": ""}', b'{"id": "d", "type": 5}',
    b'{"id": "d", "type": "t", "records": {}}', b'{"id": "d", "type": "t", "records": null}',
    b'{"id": "' + b"x" * 256 + b'", "type": "t"}',
])
def test_a_body_of_the_wrong_shape_is_payload_invalid(body: bytes) -> None:
    assert _refused(body) == ("webhook.payload_invalid", None)


def test_delivery_ids_up_to_255_characters_and_types_cut_at_128() -> None:
    delivery = _parse(b'{"id": "' + b"x" * 255 + b'", "type": "' + b"t" * 200 + b'"}')
    assert len(delivery.delivery_id) == 255 and delivery.event_type == "t" * 128


@pytest.mark.parametrize("header", [
    "", f"v1={'0' * 64}", f"t={STAMP}", f"t=abc,v1={'0' * 64}", f"t={STAMP},t={STAMP},v1=00",
    f"t={STAMP},v1={'0' * 64}",
])
def test_a_missing_or_wrong_signature_is_refused(header: str) -> None:
    assert _refused(b"{}", header=header) == ("webhook.signature_invalid", None)


def test_the_tolerance_boundaries_are_inclusive() -> None:
    body = b'{"id": "d", "type": "t"}'
    assert _parse(body, at=NOW + timedelta(minutes=5)).delivery_id == "d"
    assert _refused(body, at=NOW + timedelta(minutes=5, seconds=1)) == (
        "webhook.signature_invalid", "stale")
    assert _parse(body, at=NOW - timedelta(minutes=1)).delivery_id == "d"
    assert _refused(body, at=NOW - timedelta(minutes=1, seconds=1)) == (
        "webhook.signature_invalid", "stale")
    patient = SignedJsonWebhooks([SECRET], tolerance=timedelta(minutes=45))
    assert _parse(body, at=NOW + timedelta(minutes=45), source=patient).delivery_id == "d"


def test_any_matching_v1_of_any_configured_secret_is_enough() -> None:
    body = b'{"id": "d", "type": "t"}'
    other = "o" * MIN_SECRET_LENGTH
    signature = sign(body, SECRET, STAMP).split("v1=")[1]
    header = f"t={STAMP},v1={'0' * 64},v1={signature}"
    assert _parse(body, header=header).delivery_id == "d"
    rotated = SignedJsonWebhooks([other, SECRET])
    assert _parse(body, source=rotated).delivery_id == "d"
    assert _refused(body, source=SignedJsonWebhooks([other])) == (
        "webhook.signature_invalid", None)


def test_the_name_defaults_to_portal() -> None:
    assert SignedJsonWebhooks([SECRET]).name == "portal"
    assert SignedJsonWebhooks([SECRET], name="billing").name == "billing"
