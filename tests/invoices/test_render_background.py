"""Large documents are drawn on a worker process, not on the request (security issue item
10): the request is told to ask again, and the renderer of this process stays free."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import attrs
import pytest

from waffo_portal.core.exceptions import DocumentPreparing, RateLimited
from waffo_portal.core.models import BACKGROUND_LINE_ITEMS
from waffo_portal.invoices import background, render
from waffo_portal.invoices.batch import RenderJob
from waffo_portal.testing import PortalKit, make_kit, seed_history

from .helpers import pdf_text


def _large(kit: PortalKit, order_id: str = "ord_1", lines: int = BACKGROUND_LINE_ITEMS + 10
           ) -> None:
    stored = kit.store.get_order(order_id)
    assert stored is not None
    items = tuple(attrs.evolve(stored.line_items[0], description=f"Seat {n}")
                  for n in range(lines))
    kit.store.save_order(attrs.evolve(stored, line_items=items))


@pytest.fixture
def kit() -> Iterator[PortalKit]:
    render.CACHE.clear()
    kit = make_kit()
    seed_history(kit)
    yield kit
    background.BACKGROUND.close()


def _poll(kit: PortalKit, order_id: str = "ord_1", timeout: float = 90.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return kit.portal.render_invoice_pdf(kit.buyer.id, order_id, "de", wait=False)
        except DocumentPreparing:
            time.sleep(0.05)
    raise AssertionError("the background render never landed")


def test_a_large_document_is_drawn_on_a_worker_process_and_then_downloaded(
        kit: PortalKit, monkeypatch: pytest.MonkeyPatch) -> None:
    _large(kit)

    def not_here(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a large document was drawn on the request's process")

    monkeypatch.setattr(render, "pdf_for", not_here)  # the worker process keeps the real one
    with pytest.raises(DocumentPreparing) as first:
        kit.portal.render_invoice_pdf(kit.buyer.id, "ord_1", "de", wait=False)
    assert first.value.key == "invoice.preparing" and first.value.retry_after > 0
    # While it is drawn, the same buyer cannot start a second cold render...
    with pytest.raises(RateLimited) as busy:
        kit.portal.render_invoice_pdf(kit.buyer.id, "ord_2", "de", wait=False)
    assert busy.value.key == "invoice.render_busy"
    pdf = _poll(kit)
    text = pdf_text(pdf)
    assert "Rechnung" in text and "Seat 0" in text and f"Seat {BACKGROUND_LINE_ITEMS + 9}" in text
    assert background.BACKGROUND.pending() == 0
    # ... and once it landed, the next download comes from the cache, not a new render.
    misses = render.CACHE.misses
    assert kit.portal.render_invoice_pdf(kit.buyer.id, "ord_1", "de", wait=False) == pdf
    assert render.CACHE.misses == misses


def test_code_that_waits_and_small_documents_render_on_the_spot(kit: PortalKit) -> None:
    _large(kit)
    assert kit.portal.render_invoice_pdf(kit.buyer.id, "ord_1", "de").startswith(b"%PDF")
    assert kit.portal.render_invoice_pdf(kit.buyer.id, "ord_2", "de",
                                         wait=False).startswith(b"%PDF")
    assert background.BACKGROUND.pending() == 0


class _Threads:
    """A stand-in worker on a thread, whose renders wait for ``release``."""

    def __init__(self, fail: bool = False) -> None:
        self.release = threading.Event()
        self.started = 0
        self.fail = fail
        self._pool = ThreadPoolExecutor(1)

    def submit(self, job: RenderJob) -> Future[bytes]:
        self.started += 1

        def draw() -> bytes:
            self.release.wait(10)
            if self.fail:
                raise RuntimeError("the renderer crashed")
            return f"%PDF {job.locale}".encode()

        return self._pool.submit(draw)

    def close(self, *, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


def _job() -> RenderJob:
    kit = make_kit()
    seed_history(kit)
    order, invoice = kit.store.get_order("ord_1"), kit.store.get_invoice("ord_1")
    assert order is not None and invoice is not None
    return RenderJob(order, invoice, locale="fr")


def _wait_idle(renders: background.BackgroundRenders) -> None:
    deadline = time.monotonic() + 10
    while renders.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert renders.pending() == 0


def test_one_render_per_document_and_the_admission_is_held_until_it_lands() -> None:
    worker = _Threads()
    renders = background.BackgroundRenders(render.RenderCache(), lambda: worker)
    held: list[str] = []

    @contextmanager
    def admission() -> Iterator[None]:
        held.append("in")
        yield
        held.append("out")

    job = _job()
    assert renders.fetch("key", job, admission) is None
    assert renders.fetch("key", job, admission) is None  # asked again: not started twice
    assert worker.started == 1 and held == ["in"]
    worker.release.set()
    _wait_idle(renders)
    assert held == ["in", "out"]
    assert renders.fetch("key", job, admission) == b"%PDF fr"
    assert worker.started == 1
    renders.close()


def test_a_refused_admission_starts_nothing() -> None:
    worker = _Threads()
    renders = background.BackgroundRenders(render.RenderCache(), lambda: worker)

    @contextmanager
    def refused() -> Iterator[None]:
        raise RateLimited(key="invoice.render_limit")
        yield

    with pytest.raises(RateLimited):
        renders.fetch("key", _job(), refused)
    assert worker.started == 0 and renders.pending() == 0


def test_a_failed_render_is_logged_and_the_next_request_starts_again(
        caplog: pytest.LogCaptureFixture) -> None:
    worker = _Threads(fail=True)
    renders = background.BackgroundRenders(render.RenderCache(), lambda: worker)

    @contextmanager
    def admitted() -> Iterator[None]:
        yield

    job = _job()
    assert renders.fetch("key", job, admitted) is None
    worker.release.set()
    _wait_idle(renders)
    assert "a background render failed" in caplog.text
    worker.fail = False
    assert renders.fetch("key", job, admitted) is None
    assert worker.started == 2
    _wait_idle(renders)
    assert renders.fetch("key", job, admitted) == b"%PDF fr"
    renders.close()
