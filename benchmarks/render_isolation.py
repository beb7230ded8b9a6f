"""How long another buyer waits for a small PDF while one buyer keeps asking for large
ones (issue #19, item 10): large documents drawn on the request's process (``--mode
inline``, the behaviour before) against a worker process (``--mode background``).

    PYTHONPATH=src python benchmarks/render_isolation.py [--rounds 40] [--lines 250]

A thread plays the heavy buyer: it downloads its 250-line invoice in a new language each
time (a cold render each time; budgets lifted), as the web download does. The main thread
is the other buyer, timing cold renders of its one-line invoice. Both modes run in the same
process, one after the other, with ``alone`` (no heavy buyer) as the floor; prints the
median and 90th percentile in milliseconds.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import statistics
import threading
import time

import attrs

from waffo_portal.core.config import SUPPORTED_LOCALES
from waffo_portal.core.exceptions import DocumentPreparing, RateLimited
from waffo_portal.invoices import background, render
from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.factories import test_config


def _kit(lines: int) -> PortalKit:
    kit = make_kit(config=test_config(cold_renders_per_minute=100_000))
    seed_history(kit)
    order = kit.store.get_order("ord_1")
    assert order is not None
    first = order.line_items[0]
    items = tuple(attrs.evolve(first, description=f"Seat {n}") for n in range(lines))
    kit.store.save_order(attrs.evolve(order, line_items=items))
    other = kit.store.get_order("ord_2")
    assert other is not None
    kit.store.save_order(attrs.evolve(other, buyer_id=kit.other_buyer.id))
    return kit


def _heavy(kit: PortalKit, wait: bool, stop: threading.Event) -> int:
    drawn = 0
    for locale in itertools.cycle(SUPPORTED_LOCALES):
        if stop.is_set():
            return drawn
        render.CACHE.clear()
        try:
            kit.portal.render_invoice_pdf(kit.buyer.id, "ord_1", locale, wait=wait)
            drawn += 1
        except (DocumentPreparing, RateLimited):  # busy with its last one: asks again
            time.sleep(0.01)
    return drawn


def measure(mode: str, rounds: int, lines: int) -> list[float]:
    kit = _kit(lines)
    stop = threading.Event()
    heavy = threading.Thread(target=_heavy, args=(kit, mode == "inline", stop))
    if mode != "alone":
        heavy.start()
    time.sleep(1.0)  # the heavy buyer is busy (and the worker warm) before we time
    timings = []
    for _ in range(rounds):
        render.CACHE.clear()
        started = time.perf_counter()
        kit.portal.render_invoice_pdf(kit.other_buyer.id, "ord_2", "en", wait=False)
        timings.append((time.perf_counter() - started) * 1000)
    stop.set()
    if mode != "alone":
        heavy.join()
    background.BACKGROUND.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--lines", type=int, default=250)
    args = parser.parse_args()
    logging.getLogger("waffo_portal").setLevel(logging.ERROR)  # the seats do not add up
    measure("alone", 5, args.lines)  # warm-up: fonts, templates
    results = {}
    for mode in ("alone", "inline", "background"):
        results[mode] = timings = measure(mode, args.rounds, args.lines)
        ordered = sorted(timings)
        print(f"{mode:>10}: median {statistics.median(timings):7.1f} ms, "
              f"p90 {ordered[int(len(ordered) * 0.9)]:7.1f} ms  ({args.rounds} renders)")
    floor = statistics.median(results["alone"])
    for mode in ("inline", "background"):
        print(f"{mode:>10}: {statistics.median(results[mode]) / floor:.1f}x the floor")


if __name__ == "__main__":
    main()
