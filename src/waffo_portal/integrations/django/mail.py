"""A Mailer on ``django.core.mail``: uses the project's EMAIL_BACKEND and settings."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from ...core.email import EmailMessage
from ...core.exceptions import DeliveryFailed


class DjangoMailer:
    """Sends through Django's configured backend; any backend error -> DeliveryFailed."""

    def __init__(self, from_email: str | None = None, *, using: str | None = None) -> None:
        self.from_email = from_email  # None: settings.DEFAULT_FROM_EMAIL
        self.using = using  # an EMAIL_BACKEND dotted path; None: the project's default

    def send(self, message: EmailMessage) -> None:
        from django.core.mail import get_connection

        mail = EmailMultiAlternatives(
            subject=message.subject, body=message.text, from_email=self.from_email,
            to=[message.to], headers=dict(message.headers),
            connection=get_connection(self.using) if self.using else None)
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        try:
            sent = mail.send(fail_silently=False)
        except Exception as exc:  # SMTP, socket and backend errors alike
            raise DeliveryFailed("could not hand the message to Django's mail backend",
                                 to=message.to) from exc
        if sent != 1:
            raise DeliveryFailed("Django's mail backend accepted no message", to=message.to)
