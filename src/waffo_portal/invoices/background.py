"""Large documents are drawn in a worker process, not on the request that asks for them.

xhtml2pdf draws one document at a time per process, so an invoice of a few hundred lines
would hold the renderer (and a request thread) for most of a second, in front of every
other buyer's download. Above ``core.models.BACKGROUND_LINE_ITEMS`` lines, the first request starts
the render on one warm worker process and is told to ask again; the file lands in the
cache the request path reads, so the next request downloads it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from typing import Final, Protocol

from ..core.config import Branding
from ..core.models import Buyer, Invoice, Order, Payment
from .batch import RenderJob, RenderPool
from .document import build_document
from .render import CACHE, RenderCache, cache_key

log = logging.getLogger("waffo_portal.invoices")

class Worker(Protocol):
    """Where background renders run: a `RenderPool` of one process, or a test's stand-in."""

    def submit(self, job: RenderJob) -> Future[bytes]: ...

    def close(self, *, wait: bool = True) -> None: ...


def _one_process() -> Worker:
    return RenderPool(processes=1)


class BackgroundRenders:
    """Renders in flight, by cache key; at most one per document."""

    def __init__(self, cache: RenderCache, start_worker: Callable[[], Worker] = _one_process
                 ) -> None:
        self._cache = cache
        self._start_worker = start_worker
        self._worker: Worker | None = None
        self._pending: dict[str, Future[bytes]] = {}
        self._lock = threading.Lock()

    def fetch(self, key: str, job: RenderJob,
              cold: Callable[[], AbstractContextManager[object]]) -> bytes | None:
        """The rendered file, or None while it is being drawn (a render is started if none
        is). ``cold()`` admits a new render (it may raise) and is held until it lands."""
        found = self._cache.get(key)
        if found is not None:
            return found
        with self._lock:
            if key in self._pending:
                return None
        admission = cold()
        admission.__enter__()
        try:
            with self._lock:
                if key in self._pending:  # another request started it meanwhile
                    admission.__exit__(None, None, None)
                    return None
                future = self._worker_now().submit(job)
                self._pending[key] = future
        except BaseException:
            self.close()
            admission.__exit__(None, None, None)
            raise
        future.add_done_callback(lambda done: self._landed(key, done, admission))
        return None

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def close(self) -> None:
        """Stop the worker process (renders in flight are dropped; a broken one is
        dropped the same way); a later fetch starts a new one."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.close(wait=False)

    def _worker_now(self) -> Worker:
        if self._worker is None:
            self._worker = self._start_worker()
        return self._worker

    def _landed(self, key: str, future: Future[bytes],
                admission: AbstractContextManager[object]) -> None:
        try:
            error = None if future.cancelled() else future.exception()
            if error is not None:
                # The buyer's next request starts a new render, within their budget.
                log.error("a background render failed", exc_info=error)
                if isinstance(error, BrokenProcessPool):
                    self.close()
            elif not future.cancelled():
                self._cache.put(key, future.result())  # before it stops being pending
        finally:
            with self._lock:
                self._pending.pop(key, None)
            admission.__exit__(None, None, None)



BACKGROUND: Final = BackgroundRenders(CACHE)


def render_pdf_in_background(order: Order, invoice: Invoice, payments: Sequence[Payment],
                             branding: Branding, locale: str, *, receipt: bool,
                             buyer: Buyer | None,
                             cold: Callable[[], AbstractContextManager[object]]
                             ) -> bytes | None:
    """The PDF if it is cached, else None and a render on the worker (the same file, under
    the same key, as :func:`render.render_invoice_pdf` would draw)."""
    kind = "receipt" if receipt else "invoice"
    doc = build_document(order, invoice, payments, branding, locale, kind, buyer)
    job = RenderJob(order, invoice, tuple(payments), branding, locale, kind, "pdf", buyer)
    return BACKGROUND.fetch(cache_key(doc, branding, "pdf"), job, cold)
