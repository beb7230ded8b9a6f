from __future__ import annotations

import pytest

from waffo_portal.integrations.django.store import DjangoStore

from ..buyer_email_ties import check_email_ties_resolve_to_the_lowest_id
from ..django_settings import clear_tables, require_postgres


@pytest.mark.parametrize("using", ["default", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_django_store_resolves_email_ties_by_id(using: str) -> None:
    require_postgres(using)

    def fresh() -> DjangoStore:
        clear_tables(using)
        return DjangoStore(using=using)

    try:
        check_email_ties_resolve_to_the_lowest_id(fresh)
    finally:
        clear_tables(using)
