from __future__ import annotations

import threading

from ..core.email import EmailMessage
from ..core.exceptions import DeliveryFailed


class MemoryMailer:
    """Keeps every sent message in ``outbox``; can be told to fail, for tests."""

    def __init__(self) -> None:
        self.outbox: list[EmailMessage] = []
        self.fail_with: str | None = None
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        if self.fail_with is not None:
            raise DeliveryFailed("The email could not be sent", reason=self.fail_with)
        with self._lock:
            self.outbox.append(message)

    def last_to(self, address: str) -> EmailMessage:
        for message in reversed(self.outbox):
            if message.to == address:
                return message
        raise LookupError(f"no message to {address}")
