"""One buyer cannot occupy the PDF renderer (security issue item 10): a budget of cold
renders per minute, one at a time per buyer, and a cap on line items."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal.core.exceptions import Conflict, RateLimited, ValidationError
from waffo_portal.core.models import MAX_LINE_ITEMS
from waffo_portal.invoices import render
from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.factories import test_config

from ..sync.records import buyer_record, order_record


@pytest.fixture
def limited() -> PortalKit:
    render.CACHE.clear()
    kit = make_kit(config=test_config(cold_renders_per_minute=3))
    seed_history(kit)
    return kit


def test_a_buyer_has_a_budget_of_cold_renders_and_cached_copies_stay_free(
        limited: PortalKit) -> None:
    portal, buyer = limited.portal, limited.buyer.id
    for locale in ("en", "de", "fr"):
        portal.render_invoice_pdf(buyer, "ord_1", locale)
    with pytest.raises(RateLimited) as caught:
        portal.render_invoice_pdf(buyer, "ord_1", "ja")
    assert caught.value.key == "invoice.render_limit"
    assert portal.render_invoice_pdf(buyer, "ord_1", "de").startswith(b"%PDF")  # cached
    other = limited.other_buyer.id
    limited.store.save_order(attrs.evolve(limited.store.get_order("ord_1"), id="ord_o",
                                          buyer_id=other))
    limited.store.issue_invoice(limited.store.get_order("ord_o"), "INV-",  # type: ignore[arg-type]
                                limited.clock.now())
    assert portal.render_invoice_pdf(other, "ord_o", "ja").startswith(b"%PDF")
    limited.clock.advance(timedelta(minutes=1, seconds=1))
    assert portal.render_invoice_pdf(buyer, "ord_1", "ja").startswith(b"%PDF")


def test_one_cold_render_at_a_time_per_buyer(limited: PortalKit,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    draw = render.pdf_for
    seen: list[str] = []

    def drawing(*args: object, **kwargs: object) -> bytes:
        if not seen:  # while the first render is being drawn, the same buyer asks again
            seen.append("nested")
            with pytest.raises(RateLimited) as caught:
                limited.portal.render_invoice_pdf(limited.buyer.id, "ord_2", "de")
            seen.append(caught.value.key)
        return draw(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "pdf_for", drawing)
    assert limited.portal.render_invoice_pdf(limited.buyer.id, "ord_1", "en")
    assert seen == ["nested", "invoice.render_busy"]
    assert limited.portal.render_invoice_pdf(limited.buyer.id, "ord_2", "de")  # free again


def test_more_lines_than_the_cap_are_refused_by_sync_and_never_drawn() -> None:
    kit = make_kit()
    record = order_record()
    too_many = attrs.evolve(record, lines=record.lines * (MAX_LINE_ITEMS + 1))
    with pytest.raises(ValidationError) as caught:
        kit.portal.sync.apply([buyer_record(), too_many])
    assert caught.value.keys["records[1].lines"] == "sync.too_many_lines"
    assert kit.store.get_order("ord_1") is None  # nothing written
    seed_history(kit)
    stored = kit.store.get_order("ord_1")
    assert stored is not None
    lines = stored.line_items * (MAX_LINE_ITEMS + 1)
    kit.store.save_order(attrs.evolve(stored, line_items=lines))
    with pytest.raises(Conflict) as refused:
        kit.portal.render_invoice_pdf(kit.buyer.id, "ord_1")
    assert refused.value.key == "invoice.too_large"
