"""Render many documents on several processes.

xhtml2pdf renders one document at a time per process (a process-wide lock
around ReportLab's global font state), so threads do not help; processes do.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor

import attrs

from ..config import Branding
from ..models import Invoice, Order, Payment
from . import render

_RENDERERS = {
    ("invoice", "pdf"): render.render_invoice_pdf, ("receipt", "pdf"): render.render_receipt_pdf,
}


@attrs.frozen
class RenderJob:
    """One document to render; every field pickles, so a job can cross processes."""

    order: Order
    invoice: Invoice
    payments: tuple[Payment, ...] = ()
    branding: Branding = attrs.field(factory=Branding)
    locale: str = "en"
    kind: str = "invoice"  # or "receipt"
    fmt: str = "pdf"  # or "html"


def render_job(job: RenderJob) -> bytes:
    """Render one job in this process (through the cache)."""
    if job.fmt == "html":
        html = (render.render_receipt_html if job.kind == "receipt"
                else render.render_invoice_html)
        return html(job.order, job.invoice, job.payments, job.branding, job.locale).encode()
    renderer = _RENDERERS[(job.kind, job.fmt)]
    return renderer(job.order, job.invoice, job.payments, job.branding, job.locale)


def render_many(jobs: Iterable[RenderJob], processes: int = 2, *,
                start_method: str = "spawn", chunksize: int = 4) -> list[bytes]:
    """Render ``jobs`` on ``processes`` worker processes; results keep the jobs' order.

    ``spawn`` is the default because forking a threaded host (a web server)
    can copy a held lock into the child; pass "fork" from a single-threaded
    batch script to skip the workers' start-up imports.
    """
    todo: Sequence[RenderJob] = list(jobs)
    if processes <= 1 or len(todo) <= 1:
        return [render_job(job) for job in todo]
    context = multiprocessing.get_context(start_method)
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        return list(pool.map(render_job, todo, chunksize=chunksize))
