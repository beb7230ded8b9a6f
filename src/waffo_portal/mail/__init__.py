"""Mailers: console (demo), in-memory outbox (tests) and SMTP (production)."""

from __future__ import annotations

from .memory import MemoryMailer
from .message import EmailMessage

__all__ = ["EmailMessage", "MemoryMailer"]
