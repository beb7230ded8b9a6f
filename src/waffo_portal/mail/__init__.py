"""Mailers: console (demo), in-memory outbox (tests) and SMTP (production)."""

from __future__ import annotations

from .console import ConsoleMailer
from .memory import MemoryMailer
from .message import EmailMessage
from .smtp import SmtpMailer

__all__ = ["ConsoleMailer", "EmailMessage", "MemoryMailer", "SmtpMailer"]
