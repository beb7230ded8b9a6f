from __future__ import annotations

import attrs
import pytest

from waffo_portal.invoices import RenderJob, RenderPool, batch, render_many
from waffo_portal.invoices.demo import DEMO_BRANDING, demo_records

from .helpers import pdf_text


def _job(locale: str, number: str = "INV-000042", kind: str = "invoice") -> RenderJob:
    order, invoice, payments = demo_records(locale)
    invoice = attrs.evolve(invoice, number=number)
    return RenderJob(order, invoice, tuple(payments), DEMO_BRANDING, locale, kind=kind)


def test_render_many_on_two_processes_keeps_order() -> None:
    jobs = [_job(locale, kind="receipt" if locale == "th" else "invoice")
            for locale in ("en", "th", "ar", "de")]
    pdfs = render_many(jobs, processes=2, chunksize=1)
    titles = ["Invoice", "ใบเสร็จรับเงิน", "فاتورة", "Rechnung"]
    assert [title in pdf_text(pdf) for pdf, title in zip(pdfs, titles, strict=True)] == [True] * 4


def test_pool_stays_warm_across_batches_and_chunks_jobs() -> None:
    with RenderPool(2, families=batch.families_for([_job("th")])) as pool:
        first = pool.render([_job("th", f"INV-1{i:05d}") for i in range(5)])
        second = pool.render([_job("en", f"INV-2{i:05d}") for i in range(5)], chunksize=2)
    assert [f"INV-1{i:05d}" in pdf_text(pdf) for i, pdf in enumerate(first)] == [True] * 5
    assert [f"INV-2{i:05d}" in pdf_text(pdf) for i, pdf in enumerate(second)] == [True] * 5


def test_families_for_lists_each_needed_family_once() -> None:
    jobs = [_job("ja"), _job("en"), _job("de"), _job("ja")]
    assert batch.families_for(jobs) == ["WaffoSans", "WaffoSansCJKJP"]


def test_warm_worker_registers_only_the_batch_families(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(batch.fonts, "register_family", seen.append)
    batch.warm_worker(("WaffoSansThai",))
    assert seen == ["WaffoSansThai"]
