"""Sync records to and from JSON, driven by their attrs fields (one rule per value type).

Each record is an object with ``"record"`` naming its kind (``"order"``, ...) and its
fields. Money is ``{"amount": <minor units>, "currency": "EUR"}``, instants ISO-8601 with an
offset, decimals strings, enums their value, tuples lists. Decoding checks shapes and
types only (``InvalidWebhook`` ``webhook.payload_invalid`` otherwise); the sync rules
check the meaning afterwards.
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..core import sync
from ..core.exceptions import InvalidWebhook
from ..core.models import utc
from ..core.money import Money

RECORD_TYPES: dict[str, type[Any]] = {
    "plan": sync.PlanRecord, "buyer": sync.BuyerRecord,
    "billing_details": sync.BillingDetailsRecord, "subscription": sync.SubscriptionRecord,
    "order": sync.OrderRecord, "payment": sync.PaymentRecord, "refund": sync.RefundRecord,
    "invoice": sync.InvoiceRecord,
}


class _Bad(ValueError):
    pass


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


def encode(value: Any) -> Any:
    """A JSON-ready value (dicts, lists, strings, numbers, bools, None)."""
    if isinstance(value, Money):
        return {"amount": value.amount, "currency": value.currency}
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [encode(item) for item in value]
    if attrs.has(type(value)):
        return {field.name: encode(getattr(value, field.name))
                for field in attrs.fields(type(value)) if field.init}
    return value


def encode_record(record: sync.SyncRecord) -> dict[str, Any]:
    return {"record": record.record_kind.value, **encode(record)}


def _decode(hint: Any, raw: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if raw is None and type(None) in options:
            return None
        (inner,) = [o for o in options if o is not type(None)]
        return _decode(inner, raw)
    if origin is tuple:
        if not isinstance(raw, list):
            raise _Bad("a list")
        item = typing.get_args(hint)[0]
        return tuple(_decode(item, element) for element in raw)
    return _scalar(hint, raw)


def _scalar(hint: Any, raw: Any) -> Any:
    if hint is Money:
        if not isinstance(raw, dict) or not isinstance(raw.get("amount"), int):
            raise _Bad("money")
        return Money(raw["amount"], str(raw.get("currency", "")))
    if hint is datetime:
        if not isinstance(raw, str):
            raise _Bad("a timestamp")
        return utc(datetime.fromisoformat(raw))
    if hint is Decimal:
        return Decimal(str(raw))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(raw)
    if hint is bool:
        if not isinstance(raw, bool):
            raise _Bad("a boolean")
        return raw
    if hint is int:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise _Bad("an integer")
        return raw
    if hint is str:
        if not isinstance(raw, str):
            raise _Bad("a string")
        return raw
    if attrs.has(hint):
        return _attrs(hint, raw)
    raise _Bad(f"a value of {hint!r}")


def _attrs(cls: type[Any], raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise _Bad("an object")
    hints = _hints(cls)
    values = {}
    for field in attrs.fields(cls):
        if not field.init:
            continue
        if field.name in raw:
            values[field.name] = _decode(hints[field.name], raw[field.name])
        elif field.default is attrs.NOTHING:
            raise _Bad(f"field {field.name!r}")
    return cls(**values)


def decode_record(raw: Any) -> sync.SyncRecord:
    """One record from its JSON form; raises InvalidWebhook for a wrong shape."""
    try:
        if not isinstance(raw, dict):
            raise _Bad("an object")
        cls = RECORD_TYPES.get(str(raw.get("record")))
        if cls is None:
            raise _Bad("a known record kind")
        body = {k: v for k, v in raw.items() if k != "record"}
        return typing.cast(sync.SyncRecord, _attrs(cls, body))
    except (_Bad, ValueError, TypeError, InvalidOperation, KeyError) as exc:
        raise InvalidWebhook(key="webhook.payload_invalid", detail=str(exc)) from None
