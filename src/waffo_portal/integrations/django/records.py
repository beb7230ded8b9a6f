"""Idempotency keys, login links, sessions, rate-limit attempts and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connections, transaction

from ...core.auth_models import BuyerSession, LoginLink
from ...core.exceptions import Conflict, IdempotencyKeyReused
from ...core.models import AuditEvent
from ...core.money import Money
from ...stores import codec
from . import models as m

# A key may vanish between our INSERT and SELECT (abandoned meanwhile): retry that often.
_IDEMPOTENCY_RETRIES = 3


class RecordsMixin:
    using: str

    def _q(self, model: Any) -> Any:
        return model.objects.using(self.using)

    # Idempotency
    def begin_idempotent(self, scope: str, key: str, fingerprint: str,
                         now: datetime) -> str | None:
        for _ in range(_IDEMPOTENCY_RETRIES):
            try:
                with transaction.atomic(using=self.using):  # savepoint: keeps an outer tx usable
                    self._q(m.IdempotencyKey).create(scope=scope, key=key,
                                                     fingerprint=fingerprint, created_at=now)
                return None
            except IntegrityError:
                pass
            row = (self._q(m.IdempotencyKey).filter(scope=scope, key=key)
                   .values_list("fingerprint", "result").first())
            if row is None:
                continue  # abandoned between the two statements; try to own it again
            if row[0] != fingerprint:
                raise IdempotencyKeyReused(
                    "This request key was already used for another request", scope=scope)
            if row[1] is None:
                raise Conflict("The same request is already being processed", scope=scope)
            return str(row[1])
        raise Conflict("The same request is already being processed", scope=scope)

    def finish_idempotent(self, scope: str, key: str, result: str) -> None:
        self._q(m.IdempotencyKey).filter(scope=scope, key=key).update(result=result)

    def abandon_idempotent(self, scope: str, key: str) -> None:
        self._q(m.IdempotencyKey).filter(scope=scope, key=key, result__isnull=True).delete()

    # Login links
    def save_login_link(self, link: LoginLink) -> None:
        self._q(m.LoginLink).create(**codec.link_values(link))

    def get_login_link(self, link_id: str) -> LoginLink | None:
        row = self._q(m.LoginLink).filter(id=link_id).first()
        return None if row is None else codec.link_from(row)

    def consume_login_link(self, link_id: str, now: datetime) -> LoginLink | None:
        """A conditional UPDATE: of two concurrent confirmations only one matches
        ``used_at IS NULL`` (PostgreSQL re-checks the WHERE after the row lock)."""
        with transaction.atomic(using=self.using):
            won = self._q(m.LoginLink).filter(
                id=link_id, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now,
            ).update(used_at=now)
            return self.get_login_link(link_id) if won == 1 else None

    def revoke_login_links(self, buyer_id: str, now: datetime) -> None:
        self._q(m.LoginLink).filter(buyer_id=buyer_id, used_at__isnull=True,
                                    revoked_at__isnull=True).update(revoked_at=now)

    # Sessions
    def save_session(self, session: BuyerSession) -> None:
        self._q(m.BuyerSession).create(**codec.session_values(session))

    def get_session(self, id_hash: str) -> BuyerSession | None:
        row = self._q(m.BuyerSession).filter(id_hash=id_hash).first()
        return None if row is None else codec.session_from(row)

    def revoke_session(self, id_hash: str, now: datetime) -> None:
        self._q(m.BuyerSession).filter(id_hash=id_hash, revoked_at__isnull=True).update(
            revoked_at=now)

    def revoke_buyer_sessions(self, buyer_id: str, now: datetime) -> None:
        self._q(m.BuyerSession).filter(buyer_id=buyer_id, revoked_at__isnull=True).update(
            revoked_at=now)

    # Rate limits
    def count_attempt(self, bucket: str, window: timedelta, now: datetime,
                      limit: int | None = None) -> int:
        """Prune, count and insert under a per-bucket lock (an advisory lock on PostgreSQL,
        the write lock on SQLite), so two simultaneous attempts count 1 and 2."""
        start = now - window
        with transaction.atomic(using=self.using):
            connection = connections[self.using]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                                   [f"waffo_attempts:{bucket}"])
            attempts = self._q(m.Attempt)
            attempts.filter(bucket=bucket, at__lte=start).delete()
            # Every bucket's expired rows, so one-off buckets never accumulate.
            attempts.filter(expires_at__lte=now).delete()
            attempts.filter(expires_at__isnull=True, at__lte=now - timedelta(days=1)).delete()
            count: int = attempts.filter(bucket=bucket, at__gt=start).count()
            if limit is not None and count >= limit:
                return limit + 1  # over the limit: counted, not recorded
            attempts.create(bucket=bucket, at=now, expires_at=now + window)
        return count + 1

    # Audit
    def add_audit_event(self, event: AuditEvent) -> None:
        values = codec.audit_values(event)
        values["event_id"] = values.pop("id")
        self._q(m.AuditEvent).create(**values)

    def list_audit_events(self, subject: str | None = None,
                          limit: int = 100) -> Sequence[AuditEvent]:
        query = self._q(m.AuditEvent).all()
        if subject is not None:
            query = query.filter(subject=subject)
        return [_audit_from(r) for r in query.order_by("-at", "-seq")[:limit]]


def _audit_from(row: Any) -> AuditEvent:
    amount = None if row.amount_minor is None else Money(row.amount_minor, row.currency)
    return AuditEvent(row.event_id, row.at, row.actor, row.action, row.subject, dict(row.old),
                      dict(row.new), amount, row.idempotency_key)
