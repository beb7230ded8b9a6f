"""Shared helpers for the auth tests."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from waffo_portal import EmailMessage
from waffo_portal.testing import PortalKit

_LINK = re.compile(r"https?://\S+/login/confirm\?token=\S+")


def link_in(message: EmailMessage) -> str:
    found = _LINK.findall(message.text)
    assert len(found) == 1, message.text
    return str(found[0])


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def email_token(kit: PortalKit, email: str = "ada@example.com", ip: str = "203.0.113.7",
                return_to: str | None = None) -> str:
    """Request a link for ``email`` and return the token from the email that was sent."""
    before = len(kit.mailer.outbox)
    kit.portal.request_login_link(email, client_ip=ip, return_to=return_to)
    assert len(kit.mailer.outbox) == before + 1
    return token_of(link_in(kit.mailer.outbox[-1]))


def login(kit: PortalKit) -> str:
    """A fresh raw session id for the kit's buyer."""
    return kit.portal.confirm_login(email_token(kit)).session_id
