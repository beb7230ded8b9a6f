"""The merchant's logo in the login email (issue #17, item 13): an absolute URL of the
portal's public /static/logo, with the merchant's name as its alt text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from aiosmtpd.controller import Controller

from waffo_portal.mail import SmtpMailer
from waffo_portal.mail.login_email import login_email
from waffo_portal.testing import make_kit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import TEST_SELLER, test_config
from waffo_portal.web import PortalWebApp

from .test_smtp import LINK, Recorder, parse, running

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
LOGO = '<img src="https://shop.example/billing/static/logo" alt="Acme &amp; Co"'


@pytest.fixture
def logo(tmp_path: Path) -> str:
    path = tmp_path / "acme.png"
    path.write_bytes(PNG)
    return str(path)


def test_the_html_email_shows_the_logo_from_the_portal(logo: str) -> None:
    branding = attrs.evolve(TEST_SELLER, name="Acme & Co", logo_path=logo)
    message = login_email("ada@example.com", "en", LINK, 15, branding,
                          portal_url="https://shop.example/billing/")
    assert LOGO in message.html
    assert "static/logo" not in message.text


def test_no_logo_without_a_logo_file_or_a_portal_url(logo: str) -> None:
    plain = login_email("ada@example.com", "en", LINK, 15, TEST_SELLER,
                        portal_url="https://shop.example/billing")
    unplaced = login_email("ada@example.com", "en", LINK, 15,
                           attrs.evolve(TEST_SELLER, logo_path=logo))
    assert "<img" not in plain.html and "<img" not in unplaced.html


def test_a_light_brand_colour_gets_dark_button_text() -> None:
    light = attrs.evolve(TEST_SELLER, primary_color="#ffd43b")
    html = login_email("ada@example.com", "en", LINK, 15, light).html
    assert "background:#ffd43b;color:#111111;" in html


def test_the_sign_in_flow_sends_the_logo_and_the_portal_serves_it(logo: str) -> None:
    config = test_config(branding=attrs.evolve(TEST_SELLER, name="Acme & Co", logo_path=logo))
    kit = make_kit(config=config)
    client = PortalTestClient(PortalWebApp(kit.portal))
    page = client.get("/login")
    client.submit(page, "/login", {"email": "ada@example.com"})
    assert LOGO in kit.mailer.last_to("ada@example.com").html
    fresh = PortalTestClient(PortalWebApp(kit.portal))  # a mail client has no session
    image = fresh.get("/static/logo")
    assert image.status == 200 and image.header("Content-Type") == "image/png"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(recorder: Recorder) -> Iterator[Controller]:
    yield from running(recorder)


def test_smtp_carries_the_logo_in_the_html_alternative(logo: str, server: Controller,
                                                       recorder: Recorder) -> None:
    branding = attrs.evolve(TEST_SELLER, name="Acme & Co", logo_path=logo)
    message = login_email("ada@example.com", "en", LINK, 15, branding,
                          portal_url="https://shop.example/billing")
    SmtpMailer("127.0.0.1", "billing@shop.example", port=server.port, security="none",
               timeout=5).send(message)
    [(_, raw)] = recorder.received
    parsed = parse(raw)
    assert parsed.get_content_type() == "multipart/alternative"
    html = parsed.get_body(("html",))
    assert html is not None and LOGO in html.get_content()
