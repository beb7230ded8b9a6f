"""Render many documents on several processes.

xhtml2pdf renders one document at a time per process (a process-wide lock
around ReportLab's global font state), so threads do not help; processes do.
A worker is made warm before its first job (imports, and the font families
the batch needs), and jobs go out in chunks, so the pool's cost is start-up
once rather than per document. `RenderPool` keeps workers across batches.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

import attrs

from ..core.config import Branding
from ..core.models import Buyer, Invoice, Order, Payment
from . import fonts, render

_RENDERERS = {
    ("invoice", "pdf"): render.render_invoice_pdf, ("receipt", "pdf"): render.render_receipt_pdf,
}
#: Imported once by the fork server, so every worker forked from it starts warm.
_PRELOAD = ["waffo_portal.invoices.render", "xhtml2pdf.pisa"]


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
    buyer: Buyer | None = None  # adds their name and email to "Bill to"


def render_job(job: RenderJob) -> bytes:
    """Render one job in this process (through the cache)."""
    if job.fmt == "html":
        html = (render.render_receipt_html if job.kind == "receipt"
                else render.render_invoice_html)
        return html(job.order, job.invoice, job.payments, job.branding, job.locale,
                    buyer=job.buyer).encode()
    renderer = _RENDERERS[(job.kind, job.fmt)]
    return renderer(job.order, job.invoice, job.payments, job.branding, job.locale,
                    buyer=job.buyer)


def warm_worker(families: Sequence[str]) -> None:
    """Pool initializer: import the PDF stack and parse ``families`` up front."""
    import xhtml2pdf.pisa  # noqa: F401  # the first render would otherwise pay for it

    fonts.register_fonts(families)


def families_for(jobs: Iterable[RenderJob]) -> list[str]:
    """The bundled families the jobs' locales draw in (buyer text may add more later)."""
    return sorted({fonts.font_family_for(job.locale) for job in jobs})


def default_start_method() -> str:
    """``forkserver`` where there is one, else ``spawn``.

    Both are safe from a threaded host (a web server): neither forks the
    caller. The fork server imports the renderer once and forks warm
    workers from it, for this pool and every later one.
    """
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class RenderPool:
    """Worker processes that stay warm across batches; use as a context manager."""

    def __init__(self, processes: int = 2, *, families: Sequence[str] = (),
                 start_method: str | None = None) -> None:
        method = start_method or default_start_method()
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(_PRELOAD)  # only before the server starts
        self.processes = processes
        self._pool = ProcessPoolExecutor(max_workers=processes, mp_context=context,
                                         initializer=warm_worker, initargs=(tuple(families),))

    def render(self, jobs: Sequence[RenderJob], chunksize: int | None = None) -> list[bytes]:
        """Render ``jobs`` in order. Default chunks: about four per worker, so
        an uneven mix still balances while each hand-off carries several jobs."""
        size = chunksize or max(1, math.ceil(len(jobs) / (self.processes * 4)))
        return list(self._pool.map(render_job, jobs, chunksize=size))

    def submit(self, job: RenderJob) -> Future[bytes]:
        """Render one job on a worker; the future holds the file."""
        return self._pool.submit(render_job, job)

    def close(self, *, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def render_many(jobs: Iterable[RenderJob], processes: int = 2, *,
                start_method: str | None = None, chunksize: int | None = None) -> list[bytes]:
    """Render ``jobs`` on ``processes`` worker processes; results keep the jobs' order.

    ``start_method`` defaults to `default_start_method`; pass "fork" from a
    single-threaded batch script to skip even the fork server's start-up.
    For several batches in a row, keep one `RenderPool` open instead.
    """
    todo: Sequence[RenderJob] = list(jobs)
    if processes <= 1 or len(todo) <= 1:
        return [render_job(job) for job in todo]
    with RenderPool(processes, families=families_for(todo), start_method=start_method) as pool:
        return pool.render(todo, chunksize)
