"""A mailer that prints messages: for the demo and local development only.

It prints login links (tokens included) in the clear, which is the point on a developer's
terminal and the reason it must never be configured in production.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from ..core.email import EmailMessage


class ConsoleMailer:
    def __init__(self, stream: TextIO | None = None, *, show_html: bool = False) -> None:
        self._stream = stream
        self._show_html = show_html
        self._lock = threading.Lock()  # one message at a time, never interleaved

    def send(self, message: EmailMessage) -> None:
        stream = self._stream if self._stream is not None else sys.stdout
        lines = [f"To: {message.to}", f"Subject: {message.subject}",
                 *(f"{name}: {value}" for name, value in message.headers), "", message.text]
        if self._show_html and message.html:
            lines += ["--- html ---", message.html]
        with self._lock:
            stream.write("\n".join(["=" * 72, *lines, "=" * 72, ""]))
            stream.flush()
