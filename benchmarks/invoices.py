"""Invoice rendering benchmark: python benchmarks/invoices.py [--runs N]

Per script (en, zh-Hans, ar, th): warm median ms, first render in a fresh
process, cached re-download, PDF size; ratios against WeasyPrint on the same
HTML and against a hand-written ReportLab canvas invoice (the floor); batch
speed-up on 2 processes (a new pool, and one already warm).

Ours, the floor and WeasyPrint run interleaved, round by round, so a shared
machine that slows down mid-run slows all three alike; times are CPU time of
this process (time.process_time: every renderer here is single-threaded),
which time stolen by other tenants does not inflate. Wall medians are
printed beside them.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from waffo_portal.invoices import RenderJob, RenderPool, render, render_many  # noqa: E402
from waffo_portal.invoices import fonts as bundled  # noqa: E402
from waffo_portal.invoices.batch import families_for  # noqa: E402
from waffo_portal.invoices.demo import DEMO_BRANDING, demo_records  # noqa: E402
from waffo_portal.invoices.document import build_document  # noqa: E402
from waffo_portal.invoices.shaping import arabic_shape, thai_preshape  # noqa: E402

LOCALES = ("en", "zh-Hans", "ar", "th")
FRESH = ("import sys,time; sys.path.insert(0, {src!r}); t=time.perf_counter();"
         "from waffo_portal.invoices import render_demo_invoice; import xhtml2pdf.pisa;"
         "i=time.perf_counter(); render_demo_invoice({loc!r});"
         "print((i-t)*1000, (time.perf_counter()-t)*1000)")


def median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def interleaved_ms(works: dict[str, Callable[[], object]], runs: int,
                   every: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Median (CPU ms, wall ms) of each work, run in turn each round; a work
    in ``every`` only runs every n-th round (WeasyPrint is slow)."""
    cpu: dict[str, list[float]] = {name: [] for name in works}
    wall: dict[str, list[float]] = {name: [] for name in works}
    for work in works.values():
        work()  # warm
    for round_ in range(runs):
        for name, work in works.items():
            if round_ % every.get(name, 1):
                continue
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            work()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start_wall)
    return {name: (statistics.median(cpu[name]) * 1000, statistics.median(wall[name]) * 1000)
            for name in works}


def canvas_invoice(locale: str) -> bytes:
    """The floor: the same content drawn straight on a ReportLab canvas."""
    from reportlab.pdfgen.canvas import Canvas

    order, invoice, payments = demo_records(locale)
    doc = build_document(order, invoice, payments, DEMO_BRANDING, locale)
    bundled.register_fonts()
    family = bundled.font_family_for(locale)
    prep = (arabic_shape if locale == "ar" else thai_preshape if locale == "th"
            else (lambda s: s))
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=(595, 842))
    y = 800.0
    lines = [doc.number, doc.issue_date, *doc.seller.lines, doc.seller.tax_id,
             *doc.buyer.lines, doc.buyer.tax_id]
    lines += [f"{r.description} {r.quantity} {r.unit_price} {r.amount} {r.period}"
              for r in doc.rows]
    lines += [f"{line.label} {line.amount}" for line in doc.sums]
    pdf.setFont(family + "-Bold", 18)
    pdf.drawString(50, y, prep("Invoice"))
    pdf.setFont(family, 10)
    for line in lines:
        y -= 16
        pdf.drawString(50, y, prep(line))
    pdf.save()
    return out.getvalue()


def weasy_work(locale: str) -> Callable[[], object] | None:
    try:
        from weasyprint import HTML
    except ImportError:
        return None
    order, invoice, payments = demo_records(locale)
    html = render.render_invoice_html(order, invoice, payments, DEMO_BRANDING, locale)
    return lambda: HTML(string=html).write_pdf()


def script_row(locale: str, runs: int) -> dict[str, float | None]:
    order, invoice, payments = demo_records(locale)
    args = (order, invoice, payments, DEMO_BRANDING, locale)
    pdf = render.render_invoice_pdf(*args)

    def uncached() -> bytes:
        render.CACHE.clear()
        return render.render_invoice_pdf(*args)

    works: dict[str, Callable[[], object]] = {
        "ours": uncached, "floor": lambda: canvas_invoice(locale)}
    weasy = weasy_work(locale)
    if weasy is not None:
        works["weasy"] = weasy
    times = interleaved_ms(works, runs, every={"weasy": 3})
    render.render_invoice_pdf(*args)
    cached = median_ms(lambda: render.render_invoice_pdf(*args), runs * 20)
    imports, fresh = map(float, subprocess.run(
        [sys.executable, "-c", FRESH.format(src=str(ROOT / "src"), loc=locale)],
        capture_output=True, text=True, check=True).stdout.split()[-2:])
    return {"warm": times["ours"][0], "warm_wall": times["ours"][1], "fresh": fresh,
            "imports": imports, "cached": cached, "kb": len(pdf) / 1024,
            "floor": times["floor"][0], "floor_wall": times["floor"][1],
            "weasy": times["weasy"][0] if "weasy" in times else None}


def _jobs(count: int, prefix: str) -> list[RenderJob]:
    import attrs

    jobs = []
    for i, loc in enumerate(LOCALES * (count // len(LOCALES))):
        order, invoice, payments = demo_records(loc)
        invoice = attrs.evolve(invoice, number=f"{prefix}-{i:06d}")  # distinct: no cache hits
        jobs.append(RenderJob(order, invoice, tuple(payments), DEMO_BRANDING, loc))
    return jobs


def _seconds(work: Callable[[], object]) -> float:
    render.CACHE.clear()
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def batch_speedup(count: int) -> tuple[float, float, float, float]:
    """Seconds for ``count`` jobs: in this process, on a new 2-process pool
    (start-up included), and on warm pools of 1 and of 2 processes. The
    warm 1-process pool is the fair baseline: this process carries
    WeasyPrint and every earlier result, so its collector works harder."""
    jobs, more = _jobs(count, "INV"), _jobs(count, "NXT")
    here = _seconds(lambda: render_many(jobs, processes=1))
    cold = _seconds(lambda: render_many(jobs, processes=2))
    warm = []
    for processes in (1, 2):
        with RenderPool(processes, families=families_for(jobs)) as pool:
            pool.render(_jobs(8, "WRM"))  # start and warm the workers
            warm.append(_seconds(lambda: pool.render(more)))  # runs now
    return here, cold, warm[0], warm[1]


def _spin(_: object = None) -> None:
    total = 0
    for i in range(3_000_000):
        total += i


def cpu_parallelism() -> float:
    """How much faster two busy processes finish than one after another: the
    ceiling for any 2-process speed-up right now (a shared VM may give < 2)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, range(2)))  # start both workers first
        start = time.perf_counter()
        list(pool.map(_spin, range(2)))
        both = time.perf_counter() - start
    start = time.perf_counter()
    _spin()
    _spin()
    return (time.perf_counter() - start) / both


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--batch", type=int, default=48)
    args = parser.parse_args()
    runs = args.runs
    print("| script | warm CPU ms (wall) | first (fresh process) ms (of which imports) | "
          "cached ms | PDF KB | canvas floor CPU ms (wall) | ×floor | WeasyPrint CPU ms | "
          "WeasyPrint / ours |")
    print("|---|---|---|---|---|---|---|---|---|")
    for locale in LOCALES:
        r = script_row(locale, runs)
        weasy, warm, floor = r["weasy"], r["warm"], r["floor"]
        assert warm is not None and floor is not None
        ratio = f"{weasy / warm:.1f}×" if weasy else "n/a"
        weasy_ms = f"{weasy:.0f}" if weasy else "n/a"
        print(f"| {locale} | {warm:.1f} ({r['warm_wall']:.1f}) | {r['fresh']:.0f} "
              f"({r['imports']:.0f}) | {r['cached']:.3f} | {r['kb']:.1f} | {floor:.1f} "
              f"({r['floor_wall']:.1f}) | {warm / floor:.1f}× | {weasy_ms} | {ratio} |")
    count = args.batch
    control = cpu_parallelism()
    here, cold, one, two = batch_speedup(count)
    print(f"\nbatch of {count}: in this process {here:.2f} s; new 2-process pool {cold:.2f} s "
          f"(start-up included, {here / cold:.2f}×); warm pools: 1 process {one:.2f} s, "
          f"2 processes {two:.2f} s ({one / two:.2f}×); CPU control (2 busy loops in "
          f"parallel vs in a row, before/after): {control:.2f}×/{cpu_parallelism():.2f}×")


if __name__ == "__main__":
    main()
