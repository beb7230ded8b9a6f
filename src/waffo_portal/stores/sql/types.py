"""Column types shared by the live schema and the hand-written migrations.

Kept apart from ``schema.py`` on purpose: a migration must keep meaning what it
meant when it was written, so it may import these stable types but never the
current table definitions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import CHAR, JSON, BigInteger, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TIMESTAMP, TypeDecorator, TypeEngine

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant.

    PostgreSQL: ``timestamptz`` (microsecond precision, compared as instants).
    SQLite has no date type; ISO text compares wrongly across offsets and
    precisions, so we store integer microseconds since the Unix epoch, which
    orders and compares exactly like the instants themselves.
    """

    impl = BigInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TIMESTAMP(timezone=True))
        return dialect.type_descriptor(BigInteger())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; the store only accepts timezone-aware UTC")
        if dialect.name == "postgresql":
            return value.astimezone(UTC)
        return (value - _EPOCH) // _MICROSECOND

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return _EPOCH + int(value) * _MICROSECOND


def json_type() -> TypeEngine[Any]:
    """JSON on SQLite, JSONB on PostgreSQL (smaller, and indexable should anyone need it)."""
    return JSON().with_variant(JSONB(), "postgresql")


def serial_type() -> TypeEngine[int]:
    """A 64-bit auto-increment key; SQLite only auto-increments ``INTEGER PRIMARY KEY``."""
    return BigInteger().with_variant(Integer(), "sqlite")


def currency_type() -> CHAR:
    """An ISO 4217 code: always exactly three letters, so CHAR(3) never pads."""
    return CHAR(3)
