"""Hot reads compiled once per engine and run on the DB-API cursor.

Every page view reads its session, its buyer and a few rows by key. Through
``Connection.execute`` each such SELECT costs SQLAlchemy's per-execution machinery
(cache key, execution context, event dispatch for the engine's hooks, result
metadata): on SQLite about three times what the database itself spends. A
``Prepared`` statement is compiled by SQLAlchemy once per engine, then run with
the driver's cursor and decoded with the column types' own result processors, so
values come back exactly as ``Connection.execute`` would return them (the store
tests run both ways and compare).

Only what is safe to take this path takes it: statements whose every bound value
needs no conversion, outside a write transaction. Any driver error falls back to
``Connection.execute``, which reports it (and drops a dead connection) the usual way.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
from sqlalchemy import Select
from sqlalchemy.engine import Dialect

_Processor = Callable[[Any], Any]


class Prepared:
    """A SELECT with one bound value, ``:key``, for ``SqlBase._one``/``_all``."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        names = list(statement.selected_columns.keys())
        self.row_type = row_type(names)

    def compile(self, dialect: Dialect) -> Compiled | None:
        """The statement ready for ``dialect``'s driver; None if it must go through
        ``Connection.execute`` (a bound value needs converting, or the SQL is only
        finished at execution time)."""
        compiled = self.statement.compile(dialect=dialect)
        sql = compiled.string
        if "POSTCOMPILE" in sql:
            return None
        for bind in compiled.binds.values():
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                return None
        defaults = compiled.construct_params({"key": None})
        if dialect.positional:
            order = tuple(compiled.positiontup or ())
            fixed: tuple[Any, ...] = tuple(defaults[name] for name in order)
            key_at = tuple(index for index, name in enumerate(order) if name == "key")
        else:
            fixed, key_at = (), ()
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                      for column in self.statement.selected_columns]
        return Compiled(
            sql=sql, positional=dialect.positional, named=MappingProxyType(dict(defaults)),
            fixed=fixed,
            key_at=key_at, row_type=self.row_type,
            converters=tuple((index, processor) for index, processor in enumerate(processors)
                             if processor is not None))


@attrs.frozen
class Compiled:
    """One ``Prepared`` statement for one engine's dialect."""

    sql: str
    positional: bool
    named: Mapping[str, Any]  # every bound value by name (pyformat/named drivers)
    fixed: tuple[Any, ...]  # every bound value in order (qmark/format drivers)
    key_at: tuple[int, ...]  # where ``key`` goes in ``fixed``
    row_type: Any
    converters: tuple[tuple[int, _Processor], ...]  # the columns that need decoding

    def parameters(self, key: object) -> Sequence[Any] | dict[str, Any]:
        if not self.positional:
            return {**self.named, "key": key}
        values = list(self.fixed)
        for index in self.key_at:
            values[index] = key
        return values

    def run(self, dbapi_connection: Any, key: object) -> list[Any]:
        """The rows as named tuples, values decoded as SQLAlchemy would."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, self.parameters(key))
            raw = cursor.fetchall()
        finally:
            cursor.close()
        make, converters = self.row_type._make, self.converters
        if not converters:
            return [make(row) for row in raw]
        rows = []
        for row in raw:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            rows.append(make(values))
        return rows


def row_type(names: list[str]) -> Any:
    """A named tuple class of the columns, with ``_mapping`` as on SQLAlchemy's rows."""
    base = namedtuple("PreparedRow", names)  # type: ignore[misc]

    class PreparedRow(base):
        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(zip(self._fields, self, strict=True))

    return PreparedRow
