"""Idempotency keys, login links, sessions, rate-limit attempts and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update

from ...core.auth_models import BuyerSession, LoginLink
from ...core.exceptions import Conflict, IdempotencyKeyReused
from ...core.models import AuditEvent
from .. import codec
from . import schema as t
from .base import SqlBase, lookup
from .prepared import Prepared

# A key may vanish between our INSERT and SELECT (abandoned meanwhile): retry that often.
_IDEMPOTENCY_RETRIES = 3
_LOGIN_LINK = Prepared(lookup(t.login_links, "id"))
_SESSION = Prepared(lookup(t.sessions, "id_hash"))  # read on every logged-in request

LEGACY_ATTEMPT_AGE = timedelta(days=1)


class RecordsMixin(SqlBase):
    # Idempotency
    def begin_idempotent(self, scope: str, key: str, fingerprint: str,
                         now: datetime) -> str | None:
        """INSERT … ON CONFLICT DO NOTHING, then read the winner's row. On PostgreSQL a
        concurrent uncommitted insert of the same key makes ours wait for its outcome; no
        IntegrityError is raised, so a surrounding transaction stays usable."""
        keys = t.idempotency_keys
        for _ in range(_IDEMPOTENCY_RETRIES):
            with self._tx(write=True) as conn:
                inserted = conn.execute(
                    self._insert(keys).values(scope=scope, key=key, fingerprint=fingerprint,
                                              result=None, created_at=now)
                    .on_conflict_do_nothing().returning(keys.c.key)).first()
                if inserted is not None:
                    return None
                row = conn.execute(select(keys.c.fingerprint, keys.c.result)
                                   .where(keys.c.scope == scope, keys.c.key == key)).first()
            if row is None:
                continue  # abandoned between the two statements; try to own it again
            if row.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    "This request key was already used for another request", scope=scope)
            if row.result is None:
                raise Conflict("The same request is already being processed", scope=scope)
            return str(row.result)
        raise Conflict("The same request is already being processed", scope=scope)

    def finish_idempotent(self, scope: str, key: str, result: str) -> None:
        keys = t.idempotency_keys
        with self._tx(write=True) as conn:
            conn.execute(update(keys).values(result=result)
                         .where(keys.c.scope == scope, keys.c.key == key))

    def abandon_idempotent(self, scope: str, key: str) -> None:
        keys = t.idempotency_keys
        with self._tx(write=True) as conn:
            conn.execute(delete(keys).where(keys.c.scope == scope, keys.c.key == key,
                                            keys.c.result.is_(None)))

    # Login links
    def save_login_link(self, link: LoginLink) -> None:
        with self._tx(write=True) as conn:
            conn.execute(t.login_links.insert().values(codec.link_values(link)))

    def get_login_link(self, link_id: str) -> LoginLink | None:
        row = self._one(_LOGIN_LINK, key=link_id)
        return None if row is None else codec.link_from(row)

    def consume_login_link(self, link_id: str, now: datetime) -> LoginLink | None:
        """One conditional UPDATE … RETURNING: of two concurrent confirmations, the second
        finds ``used_at`` already set (PostgreSQL re-checks the WHERE after the row lock)."""
        links = t.login_links
        stmt = (update(links).values(used_at=now)
                .where(links.c.id == link_id, links.c.used_at.is_(None),
                       links.c.revoked_at.is_(None), links.c.expires_at > now)
                .returning(*links.c))
        with self._tx(write=True) as conn:
            row = conn.execute(stmt).first()
        return None if row is None else codec.link_from(row)

    def revoke_login_links(self, buyer_id: str, now: datetime) -> None:
        links = t.login_links
        with self._tx(write=True) as conn:
            conn.execute(update(links).values(revoked_at=now)
                         .where(links.c.buyer_id == buyer_id, links.c.used_at.is_(None),
                                links.c.revoked_at.is_(None)))

    # Sessions
    def save_session(self, session: BuyerSession) -> None:
        with self._tx(write=True) as conn:
            conn.execute(t.sessions.insert().values(codec.session_values(session)))

    def get_session(self, id_hash: str) -> BuyerSession | None:
        row = self._one(_SESSION, key=id_hash)
        return None if row is None else codec.session_from(row)

    def revoke_session(self, id_hash: str, now: datetime) -> None:
        sessions = t.sessions
        with self._tx(write=True) as conn:
            conn.execute(update(sessions).values(revoked_at=now)
                         .where(sessions.c.id_hash == id_hash, sessions.c.revoked_at.is_(None)))

    def revoke_buyer_sessions(self, buyer_id: str, now: datetime) -> None:
        sessions = t.sessions
        with self._tx(write=True) as conn:
            conn.execute(update(sessions).values(revoked_at=now)
                         .where(sessions.c.buyer_id == buyer_id, sessions.c.revoked_at.is_(None)))

    # Rate limits
    def count_attempt(self, bucket: str, window: timedelta, now: datetime,
                      limit: int | None = None) -> int:
        """Prune, count and insert under a per-bucket lock (a transaction-scoped advisory
        lock on PostgreSQL, the write lock on SQLite) so that concurrent attempts each see
        the others: two simultaneous attempts count 1 and 2, never 1 and 1."""
        attempts, start = t.attempts, now - window
        with self._tx(write=True) as conn:
            if self._postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:b, 0))"),
                             {"b": f"waffo_attempts:{bucket}"})
            conn.execute(delete(attempts).where(attempts.c.bucket == bucket,
                                                attempts.c.at <= start))
            # Every bucket's expired rows (an index range); rows from before expires_at
            # existed go once a day has passed (no window the portal uses is longer).
            conn.execute(delete(attempts).where(attempts.c.expires_at <= now))
            conn.execute(delete(attempts).where(attempts.c.expires_at.is_(None),
                                                attempts.c.at <= now - LEGACY_ATTEMPT_AGE))
            count = int(conn.execute(select(func.count()).select_from(attempts)
                                     .where(attempts.c.bucket == bucket,
                                            attempts.c.at > start)).scalar_one())
            if limit is not None and count >= limit:
                return limit + 1  # over the limit: counted, not recorded
            conn.execute(attempts.insert().values(bucket=bucket, at=now,
                                                  expires_at=now + window))
        return count + 1

    # Audit
    def add_audit_event(self, event: AuditEvent) -> None:
        with self._tx(write=True) as conn:
            conn.execute(t.audit_events.insert().values(codec.audit_values(event)))

    def list_audit_events(self, subject: str | None = None,
                          limit: int = 100) -> Sequence[AuditEvent]:
        audit = t.audit_events
        query = select(audit)
        if subject is not None:
            query = query.where(audit.c.subject == subject)
        query = query.order_by(audit.c.at.desc(), audit.c.seq.desc()).limit(limit)
        return [codec.audit_from(r) for r in self._all(query)]
