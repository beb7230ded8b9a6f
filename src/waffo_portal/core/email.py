from __future__ import annotations

import attrs


@attrs.frozen
class EmailMessage:
    """A multipart message: plain text plus an optional HTML alternative."""

    to: str
    subject: str
    text: str
    html: str = ""
    headers: tuple[tuple[str, str], ...] = ()
