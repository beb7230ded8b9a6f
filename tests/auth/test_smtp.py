"""SmtpMailer against a real SMTP server (aiosmtpd on 127.0.0.1), plus the console mailer."""

from __future__ import annotations

import email
import email.policy
import io
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from waffo_portal import ConfigurationError, DeliveryFailed, EmailMessage
from waffo_portal.mail import ConsoleMailer, SmtpMailer
from waffo_portal.mail.login_email import login_email
from waffo_portal.testing.factories import test_config

LINK = "https://shop.example/billing/login/confirm?token=abc.DEF-123_x"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Recorder:
    """An aiosmtpd handler that keeps what it received, or refuses recipients."""

    def __init__(self, refuse_rcpt: bool = False) -> None:
        self.refuse_rcpt = refuse_rcpt
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.refuse_rcpt:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"


def running(handler: Recorder, **options: Any) -> Iterator[Controller]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(recorder: Recorder) -> Iterator[Controller]:
    yield from running(recorder)


def message() -> EmailMessage:
    return login_email("ada@example.com", "de", LINK, 15, test_config().branding)


def parse(raw: bytes) -> MimeMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, MimeMessage)
    return parsed


def check_received(recorder: Recorder) -> None:
    [(recipients, raw)] = recorder.received
    assert recipients == ["ada@example.com"]
    parsed = parse(raw)
    assert parsed["Subject"] == "Ihr Anmeldelink für Merchant"
    assert parsed["From"] == "billing@shop.example"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert text is not None and html is not None
    assert LINK in text.get_content()
    assert f'href="{LINK}"' in html.get_content()


def test_smtp_delivers_text_and_html_alternatives(server: Controller,
                                                  recorder: Recorder) -> None:
    SmtpMailer("127.0.0.1", "billing@shop.example", port=server.port, security="none",
               timeout=5).send(message())
    check_received(recorder)


def test_nothing_listening_is_delivery_failed() -> None:
    mailer = SmtpMailer("127.0.0.1", "billing@shop.example", port=free_port(),
                        security="none", timeout=2)
    with pytest.raises(DeliveryFailed) as info:
        mailer.send(message())
    assert info.value.context["reason"] == "smtp" and info.value.__cause__ is None


def test_refused_recipient_is_delivery_failed_without_the_body() -> None:
    refusing = Recorder(refuse_rcpt=True)
    for controller in running(refusing):
        mailer = SmtpMailer("127.0.0.1", "billing@shop.example", port=controller.port,
                            security="none", timeout=5)
        with pytest.raises(DeliveryFailed) as info:
            mailer.send(message())
        assert "token" not in str(info.value) + repr(info.value.context)
        assert refusing.received == []


def test_header_injection_is_refused_before_connecting() -> None:
    mailer = SmtpMailer("127.0.0.1", "billing@shop.example", port=free_port(),
                        security="none")
    bad = EmailMessage(to="ada@example.com\r\nBcc: evil@example.com", subject="x", text="y")
    with pytest.raises(DeliveryFailed) as info:
        mailer.send(bad)
    assert info.value.context["reason"] == "bad_message"


def test_credentials_without_tls_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        SmtpMailer("mail.example", "a@b.example", username="u", password="p", security="none")
    assert "p'" not in repr(SmtpMailer("mail.example", "a@b.example", username="u",
                                       password="hunter2-secret"))


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@pytest.mark.openssl
def test_starttls_with_a_verified_certificate(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    recorder = Recorder()
    for controller in running(recorder, tls_context=server_context, require_starttls=True):
        client_context = ssl.create_default_context(cafile=str(cert))
        SmtpMailer("127.0.0.1", "billing@shop.example", port=controller.port,
                   security="starttls", ssl_context=client_context, timeout=5).send(message())
        # Without trusting the self-signed certificate the handshake must fail.
        with pytest.raises(DeliveryFailed):
            SmtpMailer("127.0.0.1", "billing@shop.example", port=controller.port,
                       security="starttls", timeout=5).send(message())
    check_received(recorder)


def test_console_mailer_prints_to_its_stream() -> None:
    stream = io.StringIO()
    ConsoleMailer(stream).send(message())
    printed = stream.getvalue()
    assert "To: ada@example.com" in printed and LINK in printed
    assert "<html" not in printed
