"""The ``waffo_*`` management commands, run as cron and a merchant would: call_command."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from pypdf import PdfReader

from waffo_portal.clock import FrozenClock
from waffo_portal.core.models import OrderStatus
from waffo_portal.integrations.django.conf import get_portal
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.payments import GatewayMode
from waffo_portal.providers.waffo import WaffoProvider
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.factories import EPOCH, sample_order
from waffo_portal.testing.fake_waffo import FakeWaffo

from ..conftest import WaffoKeys
from ..django_settings import BASE_PORTAL_SETTINGS
from .test_views import portal_settings


@pytest.fixture
def kit() -> Iterator[PortalKit]:
    kit = make_kit()
    seed_history(kit)
    with override_settings(WAFFO_PORTAL=portal_settings(kit)):
        yield kit


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_apply_due_renews_what_is_due(kit: PortalKit) -> None:
    assert run("waffo_apply_due")[0] == "nothing was due\n"
    kit.clock.advance(timedelta(days=40))
    out, _ = run("waffo_apply_due")
    assert out.startswith("renewed: 1")
    assert run("waffo_apply_due")[0] == "nothing was due\n"  # applied once


def test_apply_due_with_a_provider_of_record_applies_nothing(kit: PortalKit) -> None:
    settings = {key: value for key, value in portal_settings(kit).items() if key != "GATEWAY"}
    with override_settings(WAFFO_PORTAL={
            **settings, "PROVIDER": "tests.provider.fake.ScriptedProvider"}):
        out, _ = run("waffo_apply_due")
    assert out.startswith("nothing to apply: the billing provider of record renews")


def test_worker_sends_the_outbox_once(kit: PortalKit) -> None:
    with override_settings(WAFFO_PORTAL=portal_settings(kit, MAIL_DELIVERY="external")):
        get_portal().request_login_link("ada@example.com", client_ip="203.0.113.9")
        assert kit.mailer.outbox == []  # external: nothing sends until the worker runs
        out, _ = run("waffo_worker", "--once")
    assert out == "sent: 1, retrying: 0, given up: 0\n"
    assert [m.to for m in kit.mailer.outbox] == ["ada@example.com"]


def test_apply_due_takes_a_pretend_time_and_refuses_a_bad_one(kit: PortalKit) -> None:
    later = (EPOCH + timedelta(days=40)).isoformat()
    assert run("waffo_apply_due", "--now", later)[0].startswith("renewed: 1")
    with pytest.raises(CommandError, match="'soon' is not a date"):
        run("waffo_apply_due", "--now", "soon")


def test_apply_due_fails_when_a_renewal_fails(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.TIMEOUT_BEFORE_CHARGE
    kit.clock.advance(timedelta(days=40))
    with pytest.raises(CommandError, match="some subscriptions failed") as failed:
        run("waffo_apply_due")
    assert failed.value.returncode == 1


def test_cancellation_report_prints_reasons_and_comments(kit: PortalKit) -> None:
    kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, reason="too_expensive",
                                   comment="Too pricey, sorry",
                                   idempotency_key="django-cancel-key-01")
    out, _ = run("waffo_cancellation_report", "--since", "2026-01-01", "--until",
                 "2026-12-31")
    assert out.startswith("Cancellations 2026-01-01 – 2026-12-31: 1\n")
    assert "too_expensive" in out and "Too pricey, sorry" in out
    csv_out, _ = run("waffo_cancellation_report", "--since", "2026-01-01", "--format", "csv")
    assert csv_out.splitlines()[0] == "requested_at,subscription_id,plan_id,reason,comment"


def test_cancellation_report_errors(kit: PortalKit) -> None:
    with pytest.raises(CommandError, match="'last week' is not a date"):
        run("waffo_cancellation_report", "--since", "last week")
    with pytest.raises(CommandError) as reversed_range:
        run("waffo_cancellation_report", "--since", "2026-02-01", "--until", "2026-01-01")
    assert "until" in str(reversed_range.value)


def test_render_invoice_writes_the_pdf(kit: PortalKit, tmp_path: Path) -> None:
    target = tmp_path / "ord_1.pdf"
    out, _ = run("waffo_render_invoice", "ord_1", "--locale", "de", "--output", str(target))
    number = kit.store.get_invoice("ord_1").number  # type: ignore[union-attr]
    assert out == f"wrote {target} (invoice {number}, {target.stat().st_size} bytes)\n"
    assert "Rechnung" in PdfReader(target).pages[0].extract_text()


def test_render_invoice_names_the_file_after_the_number(kit: PortalKit, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    number = kit.store.get_invoice("ord_2").number  # type: ignore[union-attr]
    run("waffo_render_invoice", "ord_2", "--receipt")
    assert (tmp_path / f"{number}.pdf").read_bytes().startswith(b"%PDF")


def test_render_invoice_numbers_a_paid_order_first(kit: PortalKit, tmp_path: Path) -> None:
    # Paid before numbering moved to payment time: numbered now, as Portal.issue_invoice.
    kit.store.save_order(sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, "old_paid"))
    assert kit.store.get_invoice("old_paid") is None
    out, _ = run("waffo_render_invoice", "old_paid", "-o", str(tmp_path / "old.pdf"))
    number = kit.store.get_invoice("old_paid").number  # type: ignore[union-attr]
    assert f"(invoice {number}," in out


@pytest.mark.parametrize(("args", "message"), [
    (("nope",), "order not found"),
    (("ord_1", "--locale", "xx"), "unsupported locale 'xx'"),
    (("unpaid",), "This order has no invoice yet"),
    (("ord_1", "--output", "/nonexistent-dir/x.pdf"), "cannot write /nonexistent-dir/x.pdf"),
])
def test_render_invoice_errors(kit: PortalKit, args: tuple[str, ...], message: str) -> None:
    unpaid = sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, "unpaid")
    kit.store.save_order(attrs.evolve(unpaid, status=OrderStatus.PENDING))
    with pytest.raises(CommandError, match=message):
        run("waffo_render_invoice", *args)


def test_render_invoice_needs_an_order_id(kit: PortalKit) -> None:
    with pytest.raises(CommandError, match="order_id"):
        run("waffo_render_invoice")


def test_waffo_sync_needs_a_waffo_provider(kit: PortalKit) -> None:
    with pytest.raises(CommandError, match="needs a portal whose provider is a WaffoProvider"):
        run("waffo_sync")


@pytest.mark.parametrize(("args", "message"), [
    (("--page-size", "0"), "between 1 and 1000"),
    (("--kinds", "refunds"), "comma-separated list of subscription, onetime"),
])
def test_waffo_sync_refuses_bad_options(kit: PortalKit, args: tuple[str, ...],
                                        message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("waffo_sync", *args)


def test_waffo_sync_reads_waffo_into_the_store(waffo_keys: WaffoKeys, tmp_path: Path) -> None:
    clock = FrozenClock(EPOCH)
    fake = FakeWaffo(clock=clock.now, merchant_key=waffo_keys[0],
                     platform_key=waffo_keys[1]).start()
    try:
        plan = fake.books.add_product("Pro", "29.00", group="Plans")
        for buyer in ("ada", "bob"):
            clock.advance(timedelta(minutes=1))
            fake.books.subscribe(plan.id, email=f"{buyer}@example.com", identity=buyer)
        provider = WaffoProvider(fake.settings(), clock=clock)
        store = MemoryStore()
        settings = {key: value for key, value in BASE_PORTAL_SETTINGS.items()
                    if key != "GATEWAY"}
        with override_settings(WAFFO_PORTAL={
                **settings, "PROVIDER": provider, "WEBHOOKS": [provider.webhooks()],
                "STORE": store, "MAILER": MemoryMailer(), "CLOCK": clock}):
            state = tmp_path / "sync.json"
            out, err = run("waffo_sync", "--state", str(state))
            assert "plans: written 1 (plan 1)" in out
            assert "subscriptions: 2 orders in 1 page; written" in out
            assert "\rsubscriptions [" in err  # the progress bar, on the command's stderr
            assert len(store.list_subscriptions("ada")) == 1
            again, _ = run("waffo_sync", "--state", str(state))
            assert again.startswith("already finished at ") and "--restart" in again
            # A state file that cannot be written is a command error, not a traceback.
            with pytest.raises(CommandError, match="No such file or directory"):
                run("waffo_sync", "--restart", "--state", str(tmp_path / "no" / "s.json"))
    finally:
        fake.stop()
