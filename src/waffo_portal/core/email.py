from __future__ import annotations

from datetime import datetime

import attrs

from .models import _utc


@attrs.frozen
class EmailMessage:
    """A multipart message: plain text plus an optional HTML alternative."""

    to: str
    subject: str
    text: str
    html: str = ""
    headers: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class OutboxEmail:
    """One message waiting in the durable outbox (written with the change that caused it).

    ``next_attempt_at`` is when a sender may (re)try it; a claim pushes it to the end of
    the claim's lease, so a sender that died mid-send leaves it due again. None: given up.
    ``attempts`` counts claims, so a message that crashes its sender is given up too.
    """

    id: str
    message: EmailMessage
    created_at: datetime = attrs.field(validator=_utc)
    next_attempt_at: datetime | None
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str = ""
