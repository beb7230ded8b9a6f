from __future__ import annotations

from waffo_portal.invoices import RenderJob, render_many
from waffo_portal.invoices.demo import DEMO_BRANDING, demo_records

from .helpers import pdf_text


def test_render_many_on_two_processes_keeps_order() -> None:
    jobs = []
    for locale in ("en", "th", "ar", "de"):
        order, invoice, payments = demo_records(locale)
        jobs.append(RenderJob(order, invoice, tuple(payments), DEMO_BRANDING, locale,
                              kind="receipt" if locale == "th" else "invoice"))
    pdfs = render_many(jobs, processes=2, chunksize=1)
    titles = ["Invoice", "ใบเสร็จรับเงิน", "فاتورة", "Rechnung"]
    assert [title in pdf_text(pdf) for pdf, title in zip(pdfs, titles, strict=True)] == [True] * 4
