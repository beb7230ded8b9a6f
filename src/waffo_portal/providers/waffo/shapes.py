"""Reading Waffo's JSON defensively: every value is checked for its shape before use.

Reads and webhooks come from the network; a field that is missing, null or of another
type than Waffo's SDKs describe becomes a ValidationError naming it (webhooks answer 422,
``waffo sync`` skips and reports the order), never an AttributeError deep in a mapping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from ...core.exceptions import ValidationError

UNREADABLE: Final = "provider.order_unreadable"
_SHORT_ID: Final = re.compile(r"^[A-Z]{2,5}_[0-9A-Za-z]{22}$")

Node = Mapping[str, Any]


def unreadable(field: str) -> ValidationError:
    return ValidationError({field: UNREADABLE})


def node(value: object, field: str) -> Node:
    if not isinstance(value, Mapping):
        raise unreadable(field)
    return value


def nodes(value: object, field: str) -> list[Node]:
    """A list of objects (null: none)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise unreadable(field)
    return value


def short_id(value: object, field: str) -> str:
    """One of Waffo's ids: ``ORD_``, ``PAY_``, ``PROD_``... and 22 letters or digits."""
    if not isinstance(value, str) or not _SHORT_ID.match(value):
        raise unreadable(field)
    return value


def text(value: object, field: str, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise unreadable(field)
    return value


def moment(value: object, field: str) -> datetime:
    """An ISO 8601 date or date-time, as aware UTC."""
    if not isinstance(value, str):
        raise unreadable(field)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise unreadable(field) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def optional_moment(value: object, field: str) -> datetime | None:
    return None if value in (None, "") else moment(value, field)
