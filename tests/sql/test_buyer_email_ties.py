from __future__ import annotations

from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from waffo_portal.stores.sql import SqlStore
from waffo_portal.stores.sql.schema import buyers

from ..buyer_email_ties import check_email_ties_resolve_to_the_lowest_id


def test_sqlite_store_resolves_email_ties_by_id(tmp_path: Path) -> None:
    made: list[SqlStore] = []
    numbers = count()

    def fresh() -> SqlStore:
        made.append(SqlStore.from_url(f"sqlite:///{tmp_path}/{next(numbers)}.db", migrate=True))
        return made[-1]

    check_email_ties_resolve_to_the_lowest_id(fresh)
    for store in made:
        store.engine.dispose()


@pytest.mark.postgres
def test_postgres_store_resolves_email_ties_by_id(pg_store: SqlStore, pg_engine: Engine) -> None:
    def fresh() -> SqlStore:
        with pg_engine.begin() as conn:
            conn.execute(delete(buyers))
        return pg_store

    check_email_ties_resolve_to_the_lowest_id(fresh)
