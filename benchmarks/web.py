"""Portal page vs. two hand-written Flask views, all behind gunicorn (2 sync workers).

    python benchmarks/web.py [--client wrk|python] [--requests 2000] [--concurrency 8]
                             [--rounds 4] [--seconds 5] [--time-limit 60]

Seeds the demo data into a SQLite file, starts gunicorn on 127.0.0.1 with the Flask
example app (``benchmarks/web_app.py``), mints a buyer session server-side, then GETs,
with a bounded load client: wrk (Debian package ``wrk``, C, one thread) when it is
installed, else threads + http.client in Python. The Python client shares the 2 cores
with the server and spends as much CPU per request as a light view does, which
compresses the ratios; wrk leaves the cores to the server. Targets:

* the portal's logged-in /billing/subscriptions;
* /plain/subscriptions: the thinnest view (buyer id from the query string: no login,
  raw amounts and dates);
* /merchant/subscriptions: what a merchant minimally writes by hand for a logged-in
  buyer (session cookie checked against the same database, buyer, subscriptions and
  plans, babel-formatted prices and dates).

The requests are split into ``--rounds`` rounds that visit the three targets in a
rotating order, so a change in machine load during the run hits all of them alike.
Prints req/s, p50 and p99 per target and the portal's cost ratio against each baseline.
Loopback only; timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from waffo_portal import ConsoleMailer, Portal, PortalConfig, TestGateway
from waffo_portal.clock import SystemClock
from waffo_portal.demo import DEMO_BRANDING, DEMO_TAX_RATES, seed_demo
from waffo_portal.stores.sql import SqlStore

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(db: Path, secret: str, base: str) -> tuple[str, str]:
    """Seed the database; return (buyer id, session cookie value) minted server-side."""
    store = SqlStore.from_url(f"sqlite:///{db}", migrate=True)
    seed_demo(store, SystemClock().now())
    config = PortalConfig(secret_keys=[secret], base_url=base + "/billing",
                          cookie_secure=False, cookie_name="shop_portal",
                          branding=DEMO_BRANDING, tax_rates=DEMO_TAX_RATES)
    portal = Portal(config, store=store, mailer=ConsoleMailer(), gateway=TestGateway())
    buyer = store.find_buyer_by_email("ada@example.com")
    assert buyer is not None
    link = portal.create_login_link(buyer.id, return_url="")
    session = portal.confirm_login(parse_qs(urlsplit(link).query)["token"][0])
    store.engine.dispose()
    return buyer.id, session.session_id


def start_gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT / "benchmarks"),
               "--log-level", "warning", "web_app:create()"]
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def load(port: int, path: str, headers: dict[str, str], total: int, concurrency: int,
         time_limit: float) -> tuple[list[float], float]:
    """``total`` GETs spread over ``concurrency`` threads, each on a keep-alive-free
    connection per request (gunicorn's sync workers close it anyway)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            answer.read()
            conn.close()
            if answer.status != 200:
                raise RuntimeError(f"{path}: HTTP {answer.status}")
            with lock:
                latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - began


def report(name: str, latencies: list[float], elapsed: float) -> tuple[float, float]:
    """Print one target's line; return (req/s, p50)."""
    cuts = statistics.quantiles(latencies, n=100)
    rate = len(latencies) / elapsed
    print(f"{name:<34} {len(latencies):>6} req  {rate:8.1f} req/s  "
          f"p50 {cuts[49] * 1000:6.2f} ms  p99 {cuts[98] * 1000:6.2f} ms")
    return rate, cuts[49]


def measure(port: int, targets: list[tuple[str, str, dict[str, str]]],
            args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """Each target's (req/s, p50) over ``args.rounds`` rotating rounds."""
    for _, path, headers in targets:  # warm every worker's template and statement caches
        load(port, path, headers, 50, args.concurrency, args.time_limit)
    latencies: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    elapsed = dict.fromkeys(latencies, 0.0)
    per_round = max(1, args.requests // args.rounds)
    for index in range(args.rounds):
        for name, path, headers in targets[index % 3:] + targets[:index % 3]:
            found, took = load(port, path, headers, per_round, args.concurrency,
                               args.time_limit)
            latencies[name] += found
            elapsed[name] += took
    return {name: report(name, latencies[name], elapsed[name]) for name, _, _ in targets}


def _wrk_ms(text: str, percentile: str) -> float:
    found = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\b", text, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no {percentile}% latency in wrk output:\n{text}")
    return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]


def measure_wrk(port: int, targets: list[tuple[str, str, dict[str, str]]],
                args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """Like ``measure`` with wrk: ``args.rounds`` rotating rounds of ``args.seconds`` each;
    req/s over all rounds, p50/p99 the median of the rounds'."""
    def run(path: str, headers: dict[str, str], seconds: int) -> tuple[int, float, str]:
        command = ["wrk", "-t1", f"-c{args.concurrency}", f"-d{seconds}s", "--latency"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], check=True,
                             capture_output=True, text=True, timeout=seconds + 60).stdout
        if "Non-2xx" in out or "Socket errors" in out:
            raise RuntimeError(f"{path}: errors under load:\n{out}")
        done = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", out)
        if done is None:
            raise RuntimeError(f"unexpected wrk output:\n{out}")
        took = float(done[2]) / (1000 if done[3] == "ms" else 1)
        return int(done[1]), took, out

    for _, path, headers in targets:  # warm every worker's template and statement caches
        run(path, headers, 2)
    totals: dict[str, list[float]] = {name: [0.0, 0.0] for name, _, _ in targets}
    p50s: dict[str, list[float]] = {name: [] for name in totals}
    p99s: dict[str, list[float]] = {name: [] for name in totals}
    for index in range(args.rounds):
        for name, path, headers in targets[index % 3:] + targets[:index % 3]:
            count, took, out = run(path, headers, args.seconds)
            totals[name][0] += count
            totals[name][1] += took
            p50s[name].append(_wrk_ms(out, "50"))
            p99s[name].append(_wrk_ms(out, "99"))
    results = {}
    for name, (requests, seconds) in totals.items():
        rate, p50 = requests / seconds, statistics.median(p50s[name])
        print(f"{name:<34} {int(requests):>6} req  {rate:8.1f} req/s  p50 {p50:6.2f} ms  "
              f"p99 {statistics.median(p99s[name]):6.2f} ms")
        results[name] = (rate, p50 / 1000)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--seconds", type=int, default=5, help="per wrk round")
    args = parser.parse_args()
    print(f"load client: {args.client}, concurrency {args.concurrency}, {args.rounds} rounds")
    port, secret = free_port(), secrets.token_urlsafe(32)
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        buyer_id, session_id = prepare(db, secret, base)
        env = {**os.environ, "BENCH_DB": str(db), "BENCH_SECRET": secret, "BENCH_URL": base,
               "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        server = start_gunicorn(port, env)
        try:
            cookie = {"Cookie": f"shop_portal={session_id}"}
            results = (measure_wrk if args.client == "wrk" else measure)(port, [
                ("portal   /billing/subscriptions", "/billing/subscriptions", cookie),
                ("plain    /plain/subscriptions", f"/plain/subscriptions?buyer={buyer_id}", {}),
                ("merchant /merchant/subscriptions", "/merchant/subscriptions", cookie),
            ], args)
            (portal_rate, portal_p50), *baselines = results.values()
            for label, (rate, p50) in zip(("plain (no login, raw values)",
                                           "merchant (session, babel)"), baselines, strict=True):
                print(f"portal cost vs {label:<29} {rate / portal_rate:.2f}x by throughput, "
                      f"{portal_p50 / p50:.2f}x by p50")
            print("target: <= 1.5x the hand-written view")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
