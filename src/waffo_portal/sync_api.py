"""``Portal.sync``: the supported way in for the billing provider of record's data."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from .core.exceptions import NotFound
from .core.sync import SyncRecord
from .ports import WebhookSource
from .use_cases import sync, webhooks
from .use_cases.context import Deps
from .use_cases.sync import SyncReport
from .use_cases.webhooks import IntakeResult


class Sync:
    """The supported way in for the billing provider of record's data (``Portal.sync``).

    Upserts keyed by the provider's ids, each record stamped with the provider's
    revision (``core.sync.revision_at`` turns an event time into one): a record is
    written only if its revision is newer than the one last written for that key, so an
    import can be re-run and webhooks may arrive late, twice or out of order.
    """

    def __init__(self, deps: Deps, sources: Mapping[str, WebhookSource]) -> None:
        self._deps = deps
        self._sources = sources

    def apply(self, records: Iterable[SyncRecord], *, batch_size: int = sync.DEFAULT_BATCH,
              on_progress: Callable[[int], None] | None = None) -> SyncReport:
        """Validate every record (ValidationError naming ``records[i].<field>``, nothing
        written), then write them ``batch_size`` (1-5000) per transaction, each kind in a
        fixed order. ``on_progress`` gets the count done after each batch. Idempotent:
        a second run reports every record as unchanged. Raises Conflict
        (``sync.payment_missing``) for a refund whose payment is not stored yet; the
        batches before it stay written, and a re-run completes the rest."""
        return sync.apply(self._deps, records, batch_size=batch_size, on_progress=on_progress)

    def receive_webhook(self, source: str, headers: Mapping[str, str],
                        body: bytes) -> IntakeResult:
        """Take in one webhook delivery of the named source (``Portal(webhooks=...)``):
        signature checked on the raw body, the delivery noted in the inbox together with
        the records it carried (once per delivery id, even across processes). Raises
        NotFound (unknown source), InvalidWebhook (bad signature or body), ValidationError
        or Conflict (a record that depends on one not received yet)."""
        found = self._sources.get(source)
        if found is None:
            raise NotFound("webhook source", source)
        return webhooks.receive(self._deps, found, headers, body)


__all__ = ["Sync"]
