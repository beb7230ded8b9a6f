from __future__ import annotations

import re

from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient, TestResponse

LINK = re.compile(r"https?://[a-z.:0-9]+/billing/login/confirm\?token=[A-Za-z0-9_.%\-]+")


def link_from_outbox(kit: PortalKit, email: str = "ada@example.com") -> str:
    found = LINK.search(kit.mailer.last_to(email).text)
    assert found is not None
    return found.group(0)


def request_link(client: PortalTestClient, email: str = "ada@example.com",
                 next_path: str = "") -> TestResponse:
    page = client.get("/login", query={"next": next_path} if next_path else None)
    return client.submit(page, "/login", {"email": email})


def login(client: PortalTestClient, kit: PortalKit, email: str = "ada@example.com",
          next_path: str = "") -> TestResponse:
    """Log in through the real pages; returns the redirect after the confirm POST."""
    sent = request_link(client, email, next_path)
    assert sent.status == 303
    confirm = client.get(link_from_outbox(kit, email))
    assert confirm.status == 200
    done = client.submit(confirm, "/login/confirm")
    assert done.status == 303
    return done
