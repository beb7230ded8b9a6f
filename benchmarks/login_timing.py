"""Known vs unknown address: how long ``request_login_link`` takes for each (issue #19).

    PYTHONPATH=src python benchmarks/login_timing.py [--rounds 400] [--store sqlite|memory]
    [--delivery external|inline]

Alternates the two addresses so drift hits both alike; rate limits are lifted (a fresh
client IP per request and a large per-address budget). Prints the median and the 10th/90th
percentiles in milliseconds. With ``--delivery inline`` the console mailer runs on the
request path (the behaviour before the outbox), for comparison.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import attrs

from waffo_portal import ConsoleMailer, Portal, PortalConfig, TestGateway
from waffo_portal.ports import Store
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing import make_kit
from waffo_portal.testing.factories import test_config


def _store(kind: str, folder: Path) -> Store:
    if kind == "memory":
        return MemoryStore()
    from waffo_portal.stores.sql import SqlStore

    return SqlStore.from_url(f"sqlite:///{folder / 'timing.db'}", migrate=True)


def measure(kind: str, delivery: str, rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        kit = make_kit(_store(kind, Path(folder)))
        limits = {"login_rate_per_email": 10**6, "login_rate_per_ip": 10**6}
        # (without the setting: a checkout from before the outbox, which sends inline)
        if "mail_delivery" in attrs.fields_dict(PortalConfig):
            limits["mail_delivery"] = delivery
        config = test_config(**limits)
        portal = Portal(config, store=kit.store, mailer=ConsoleMailer(stream=io.StringIO()),
                        gateway=TestGateway(), clock=kit.clock)
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for index in range(rounds):
            for label, email in (("known", "ada@example.com"), ("unknown", "no@example.com")):
                first = 10 if label == "known" else 11
                ip = f"{first}.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
                start = time.perf_counter()
                portal.request_login_link(email, client_ip=ip)
                times[label].append((time.perf_counter() - start) * 1000)
        return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    parser.add_argument("--delivery", choices=("external", "inline"), default="external")
    args = parser.parse_args()
    times = measure(args.store, args.delivery, args.rounds)
    for label, values in times.items():
        values = values[len(values) // 10:]  # warm-up
        deciles = statistics.quantiles(values, n=10)
        print(f"{args.store}/{args.delivery} {label:>7}: median {statistics.median(values):.3f}"
              f" ms, p10 {deciles[0]:.3f}, p90 {deciles[-1]:.3f}")


if __name__ == "__main__":
    main()
