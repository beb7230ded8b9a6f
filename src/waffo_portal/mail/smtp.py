"""Send mail through an SMTP server with the standard library only.

Each message opens its own connection: login emails are rare, and a fresh connection
never hands a message to a half-dead socket. Every failure becomes DeliveryFailed whose
context names the error class and SMTP code only; server replies can quote the message,
and the message holds a login token.
"""

from __future__ import annotations

import email.message
import email.utils
import smtplib
import ssl
from typing import Literal

from ..core.email import EmailMessage
from ..core.exceptions import ConfigurationError, DeliveryFailed

Security = Literal["none", "starttls", "ssl"]
_DEFAULT_PORTS: dict[str, int] = {"none": 25, "starttls": 587, "ssl": 465}


class SmtpMailer:
    def __init__(self, host: str, from_address: str, *, port: int | None = None,
                 username: str | None = None, password: str | None = None,
                 security: Security = "starttls", timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None,
                 local_hostname: str | None = None) -> None:
        if security not in _DEFAULT_PORTS:
            raise ConfigurationError(f"unknown SMTP security {security!r}", setting="security")
        if username and security == "none":
            # smtplib would send the password in the clear
            raise ConfigurationError("SMTP credentials need security='starttls' or 'ssl'",
                                     setting="security")
        self.host = host
        self.port = port if port is not None else _DEFAULT_PORTS[security]
        self.from_address = from_address
        self.security = security
        self.timeout = timeout
        self._username = username
        self._password = password
        self._context = ssl_context
        self._local_hostname = local_hostname

    def __repr__(self) -> str:  # never show the password
        return f"SmtpMailer(host={self.host!r}, port={self.port}, security={self.security!r})"

    def build(self, message: EmailMessage) -> email.message.EmailMessage:
        """The MIME message: text/plain, plus text/html as a multipart/alternative."""
        mime = email.message.EmailMessage()
        mime["From"] = self.from_address
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = email.utils.formatdate(localtime=False)
        domain = self.from_address.rpartition("@")[2].strip("> ") or None
        mime["Message-ID"] = email.utils.make_msgid(domain=domain)
        for name, value in message.headers:
            mime[name] = value
        mime.set_content(message.text)
        if message.html:
            mime.add_alternative(message.html, subtype="html")
        return mime

    def send(self, message: EmailMessage) -> None:
        try:
            mime = self.build(message)
        except (ValueError, TypeError) as exc:  # e.g. CR/LF in a header value
            raise DeliveryFailed("The email could not be sent", reason="bad_message",
                                 error=type(exc).__name__) from None
        try:
            self._deliver(mime)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed("The email could not be sent", reason="smtp",
                                 error=type(exc).__name__, host=self.host,
                                 smtp_code=getattr(exc, "smtp_code", None)) from None

    def _context_or_default(self) -> ssl.SSLContext:
        return self._context if self._context is not None else ssl.create_default_context()

    def _deliver(self, mime: email.message.EmailMessage) -> None:
        client: smtplib.SMTP
        if self.security == "ssl":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                      local_hostname=self._local_hostname,
                                      context=self._context_or_default())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout,
                                  local_hostname=self._local_hostname)
        with client:
            if self.security == "starttls":
                client.starttls(context=self._context_or_default())
                client.ehlo()
            if self._username:
                client.login(self._username, self._password or "")
            client.send_message(mime)
