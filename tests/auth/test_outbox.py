"""The login mail outbox: nothing is sent on the request path, nothing is lost, failures
are retried with back-off and reported, and concurrent senders send each message once."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from waffo_portal import EmailMessage, MemoryMailer, Portal, TestGateway
from waffo_portal.stores.sql import SqlStore
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import test_config
from waffo_portal.use_cases import outbox
from waffo_portal.use_cases.outbox import MAX_ATTEMPTS, BackgroundSender, retry_delay

from .helpers import link_in, token_of

IP = "203.0.113.7"


class ThreadRecordingMailer(MemoryMailer):
    """Notes the thread of every send, and signals each one."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []
        self.sent = threading.Event()

    def send(self, message: EmailMessage) -> None:
        self.threads.append(threading.current_thread().name)
        super().send(message)
        self.sent.set()


def _portal(kit: PortalKit, mailer: MemoryMailer, **config: object) -> Portal:
    return Portal(test_config(**config), store=kit.store, mailer=mailer, gateway=kit.gateway,
                  clock=kit.clock)


def test_external_delivery_sends_nothing_on_the_request_path(kit: PortalKit) -> None:
    mailer = ThreadRecordingMailer()
    portal = _portal(kit, mailer, mail_delivery="external")
    portal.request_login_link("ada@example.com", client_ip=IP)
    assert mailer.threads == []
    report = portal.deliver_mail()
    assert (report.sent, report.retrying, report.given_up) == (1, 0, 0)
    assert token_of(link_in(mailer.last_to("ada@example.com")))


def test_background_delivery_sends_from_its_own_thread(kit: PortalKit) -> None:
    mailer = ThreadRecordingMailer()
    portal = _portal(kit, mailer, mail_delivery="background")
    try:
        portal.request_login_link("ada@example.com", client_ip=IP)
        assert mailer.sent.wait(10)
    finally:
        portal.close()
    assert mailer.threads == ["waffo-portal-mail"]
    assert threading.current_thread().name != "waffo-portal-mail"


def test_the_background_sender_polls_for_mail_nobody_woke_it_for() -> None:
    passes = threading.Semaphore(0)
    sender = BackgroundSender(passes.release, poll=0.01)
    sender.start()
    try:
        assert passes.acquire(timeout=5) and passes.acquire(timeout=5)
    finally:
        sender.stop()


def test_a_crash_between_enqueue_and_send_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    kit = make_kit(SqlStore.from_url(url, migrate=True))
    dying = _portal(kit, MemoryMailer(), mail_delivery="external")  # dies before sending
    dying.request_login_link("ada@example.com", client_ip=IP)
    mailer = ThreadRecordingMailer()
    restarted = Portal(test_config(mail_delivery="background"), store=SqlStore.from_url(url),
                       mailer=mailer, gateway=TestGateway(), clock=kit.clock)
    try:
        assert mailer.sent.wait(10)  # sent at start-up, without a new request
    finally:
        restarted.close()
    token = token_of(link_in(mailer.last_to("ada@example.com")))
    assert restarted.confirm_login(token).buyer_id == kit.buyer.id


def test_a_failing_mailer_is_retried_with_back_off_then_reported(
        kit: PortalKit, caplog: pytest.LogCaptureFixture) -> None:
    kit.mailer.fail_with = "refused"
    kit.portal.request_login_link("ada@example.com", client_ip=IP)  # the first try fails
    for attempts in range(1, MAX_ATTEMPTS):
        kit.clock.advance(retry_delay(attempts) - timedelta(seconds=1))
        assert kit.portal.deliver_mail().total == 0  # not yet due
        kit.clock.advance(timedelta(seconds=1))
        report = kit.portal.deliver_mail()
        assert (report.retrying, report.given_up) == ((0, 1) if attempts + 1 == MAX_ATTEMPTS
                                                      else (1, 0))
    assert [r.levelno for r in caplog.records if "given up" in r.message] == [logging.ERROR]
    failed = [e for e in kit.store.list_audit_events() if e.action == "mail.failed"]
    assert len(failed) == 1 and failed[0].new == {"attempts": str(MAX_ATTEMPTS),
                                                  "error": "DeliveryFailed: refused"}
    kit.mailer.fail_with = None
    kit.clock.advance(timedelta(days=1))
    assert kit.portal.deliver_mail().total == 0  # given up is final
    assert kit.mailer.outbox == []


def test_back_off_doubles_from_a_minute_and_is_capped() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(50) == timedelta(hours=1)


def test_the_link_works_once_a_retry_delivers_it(kit: PortalKit) -> None:
    kit.mailer.fail_with = "refused"
    kit.portal.request_login_link("ada@example.com", client_ip=IP)
    kit.mailer.fail_with = None
    kit.clock.advance(retry_delay(1))
    assert kit.portal.deliver_mail().sent == 1
    token = token_of(link_in(kit.mailer.last_to("ada@example.com")))
    assert kit.portal.confirm_login(token).buyer_id == kit.buyer.id


def test_mail_of_a_rolled_back_transaction_is_never_sent(kit: PortalKit) -> None:
    deps = kit.portal._deps
    message = EmailMessage("ada@example.com", "s", "t")
    with pytest.raises(RuntimeError), kit.store.atomic():
        outbox.enqueue(deps, message)
        raise RuntimeError("boom")
    assert kit.portal.deliver_mail().total == 0 and kit.mailer.outbox == []


def test_two_senders_at_once_send_each_message_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    kit = make_kit(SqlStore.from_url(url, migrate=True))
    writer = _portal(kit, MemoryMailer(), mail_delivery="external")
    with kit.store.atomic():
        for index in range(40):
            outbox.enqueue(writer._deps, EmailMessage(f"b{index}@example.com", "s", "t"))
    mailer = MemoryMailer()
    senders = [Portal(test_config(mail_delivery="external"), store=SqlStore.from_url(url),
                      mailer=mailer, gateway=TestGateway(), clock=kit.clock) for _ in range(4)]
    barrier = threading.Barrier(len(senders))

    def run(portal: Portal) -> None:
        barrier.wait()
        while portal.deliver_mail(limit=3).total:
            pass

    threads = [threading.Thread(target=run, args=(p,)) for p in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = sorted(m.to for m in mailer.outbox)
    assert sent == sorted(f"b{index}@example.com" for index in range(40))


class DyingMailer(MemoryMailer):
    """Hands the message over, then the process dies before the send is recorded."""

    def send(self, message: EmailMessage) -> None:
        super().send(message)
        raise KeyboardInterrupt  # not an Exception: nothing in the sender catches it


def test_a_death_between_send_and_record_resends_after_the_lease(kit: PortalKit) -> None:
    dying = DyingMailer()
    portal = _portal(kit, dying, mail_delivery="external")
    portal.request_login_link("ada@example.com", client_ip=IP)
    with pytest.raises(KeyboardInterrupt):
        portal.deliver_mail()
    assert len(dying.outbox) == 1
    assert kit.portal.deliver_mail().total == 0  # claimed: nobody sends it meanwhile
    kit.clock.advance(outbox.SEND_LEASE)
    assert kit.portal.deliver_mail().sent == 1  # at least once: a resend, not a loss
    assert kit.mailer.last_to("ada@example.com").subject == dying.outbox[0].subject
