"""The durable mail outbox: mail is written with the change that caused it, sent later.

Why: sending on the request path made a known address measurably slower than an unknown
one (the mailer's round-trip), and a send that failed or a process that died lost the
message. Now a use case calls :func:`enqueue` inside its ``atomic()``; after the commit a
sender (:class:`InlineSender`, :class:`BackgroundSender`, ``waffo-portal worker`` or the
merchant's task queue calling ``Portal.deliver_mail()``) runs :func:`deliver_due`.

Guarantees: at least once. A message is claimed for ``SEND_LEASE``; a sender that dies
between the send and ``mark_email_sent`` leaves it due again, so it may be sent twice,
never lost. A failed send is retried with exponential back-off and given up after
``MAX_ATTEMPTS`` claims (logged at ERROR and audited as ``mail.failed``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from ..core.email import EmailMessage, OutboxEmail
from ..core.exceptions import PortalError
from .context import Deps, MailSender, NoSender, new_id

log = logging.getLogger("waffo_portal.mail")

BACKOFF_START = timedelta(minutes=1)  # 1, 2, 4, 8, 16 minutes ...
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 6
SEND_LEASE = timedelta(minutes=5)  # a claim older than this is due again (its sender died)
RETENTION = timedelta(days=7)  # sent and given-up rows (bodies erased) are kept this long
POLL_INTERVAL = 30.0  # seconds: the background sender's fallback when nothing woke it

__all__ = ["BackgroundSender", "InlineSender", "MailReport", "NoSender", "deliver_due",
           "enqueue", "retry_delay", "sender_for"]


@attrs.frozen
class MailReport:
    """What one :func:`deliver_due` pass did."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.given_up


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: doubling from a minute, capped."""
    delay: timedelta = BACKOFF_START * 2 ** max(0, min(attempts - 1, 16))
    return min(BACKOFF_CAP, delay)


def enqueue(deps: Deps, message: EmailMessage) -> OutboxEmail:
    """Put ``message`` in the outbox, inside the caller's ``atomic()``; the sender is woken
    once that commits (never for a rolled-back change)."""
    now = deps.clock.now()
    item = OutboxEmail(id=new_id("mail"), message=message, created_at=now,
                       next_attempt_at=now)
    deps.store.enqueue_email(item)
    deps.store.on_commit(lambda: deps.mail_sender.wake(deps))
    return item


def deliver_due(deps: Deps, now: datetime | None = None, limit: int = 100) -> MailReport:
    """Send every due message once (at most ``limit``); never raises for a mailer error."""
    now = now or deps.clock.now()
    deps.store.prune_outbox(now - RETENTION)
    claimed = deps.store.claim_due_emails(now, limit, now + SEND_LEASE)
    sent = retrying = given_up = 0
    for item in claimed:
        error = _try_send(deps, item)
        if error is None:
            deps.store.mark_email_sent(item.id, deps.clock.now())
            sent += 1
        elif item.attempts >= MAX_ATTEMPTS:
            _give_up(deps, item, error)
            given_up += 1
        else:
            retry_at = deps.clock.now() + retry_delay(item.attempts)
            deps.store.mark_email_failed(item.id, retry_at, error)
            log.warning("mail %s not sent (%s), try %d; retrying at %s", item.id, error,
                        item.attempts, retry_at.isoformat())
            retrying += 1
    return MailReport(sent, retrying, given_up)


def _try_send(deps: Deps, item: OutboxEmail) -> str | None:
    try:
        deps.mailer.send(item.message)
    except Exception as exc:
        # the type (and a PortalError's reason) only: a message could quote the body
        reason = exc.context.get("reason") if isinstance(exc, PortalError) else None
        return type(exc).__name__ + (f": {str(reason)[:200]}" if reason else "")
    return None


def _give_up(deps: Deps, item: OutboxEmail, error: str) -> None:
    with deps.store.atomic():
        deps.store.mark_email_failed(item.id, None, error)
        deps.audit(actor="system", action="mail.failed", subject=f"mail:{item.id}",
                   new={"attempts": str(item.attempts), "error": error})
    log.error("mail %s given up after %d tries (%s)", item.id, item.attempts, error)


def sender_for(mode: str, deliver: Callable[[], object]) -> MailSender:
    """The sender of a ``mail_delivery`` mode (``deliver`` runs one pass, in background)."""
    if mode == "inline":
        return InlineSender()
    if mode == "background":
        return BackgroundSender(deliver)
    return NoSender()


class InlineSender:
    """``mail_delivery="inline"``: send right after the commit, in the caller's thread."""

    def wake(self, deps: Deps) -> None:
        try:
            deliver_due(deps)
        except Exception:  # a store error must not turn a committed request into a 500
            log.exception("inline mail delivery failed; the outbox keeps the mail")


class BackgroundSender:
    """``mail_delivery="background"``: one daemon thread per process, woken after each
    commit and polling every ``poll`` seconds for mail left by a crash or a retry."""

    def __init__(self, deliver: Callable[[], object], poll: float = POLL_INTERVAL) -> None:
        self._deliver, self._poll = deliver, poll
        self._event, self._lock = threading.Event(), threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def wake(self, deps: Deps | None = None) -> None:
        self.start()
        self._event.set()

    def start(self) -> None:
        """Start the thread unless it runs (again after a fork, which keeps no threads)."""
        with self._lock:
            if self._stopped or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._run, name="waffo-portal-mail",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._stopped, thread = True, self._thread
        self._event.set()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped:
            try:
                self._deliver()
            except Exception:  # the store may be briefly down: keep the thread alive
                log.exception("background mail delivery failed; retrying")
            self._event.wait(self._poll)
            self._event.clear()
