"""Mailers: console (demo), in-memory outbox (tests) and SMTP (production)."""

from __future__ import annotations

from ..core.email import EmailMessage
from .console import ConsoleMailer
from .memory import MemoryMailer
from .smtp import SmtpMailer

__all__ = ["ConsoleMailer", "EmailMessage", "MemoryMailer", "SmtpMailer"]
