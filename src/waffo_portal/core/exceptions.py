"""One exception hierarchy for the whole portal.

Every error the portal raises on purpose is a :class:`PortalError`. Each class
carries an HTTP-ish ``status_code`` so adapters can map the root once, a stable
machine ``code`` and its context as attributes (never inside the message only).
An error a buyer may read carries a message ``key`` of :data:`core.messages.MESSAGES`
(``ValidationError`` one per field, in ``keys``); the web layer translates the key,
never the English text. Third-party errors are wrapped where they enter the portal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from .messages import message_for


class PortalError(Exception):
    """Root of every error the portal raises deliberately."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "portal_error"

    def __init__(self, message: str | None = None, *, key: str | None = None,
                 **context: object) -> None:
        """``key`` names a buyer-facing message (and gives the English ``message`` if none is
        passed); without a key the buyer sees a generic text for the error's class."""
        if message is None:
            if key is None:
                raise TypeError("a PortalError needs a message or a message key")
            message = message_for(key)
        elif key is not None:
            message_for(key)  # an unknown key fails here, not when a buyer sees it
        super().__init__(message)
        self.message = message
        self.key = key
        self.context: Mapping[str, object] = context

    def __str__(self) -> str:
        return self.message


class ConfigurationError(PortalError):
    """The portal was configured in a way that is unsafe or cannot work.

    ``problems`` holds every ``(setting, "setting: problem")`` found at once, in order (the
    message lists them one a line); ``setting`` is the first one's.
    """

    code = "configuration_error"

    def __init__(self, message: str, *, setting: str | None = None,
                 problems: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message, setting=setting)
        self.setting = setting
        self.problems: tuple[tuple[str, str], ...] = problems or ((setting or "", message),)

    @classmethod
    def listing(cls, problems: Sequence[tuple[str, str]]) -> ConfigurationError:
        """One error for all ``problems`` (at least one), so a fix never reveals the next."""
        if len(problems) == 1:
            message = problems[0][1]
        else:
            message = f"{len(problems)} configuration problems:\n" + "\n".join(
                f"  {line}" for _, line in problems)
        return cls(message, setting=problems[0][0], problems=tuple(problems))


class NotFound(PortalError):
    """The object does not exist, or it belongs to another buyer.

    The two cases are deliberately indistinguishable so that ids cannot be probed.
    """

    status_code = 404
    code = "not_found"

    def __init__(self, kind: str, object_id: str) -> None:
        super().__init__(f"{kind} not found", kind=kind, object_id=object_id)
        self.kind = kind
        self.object_id = object_id


class PermissionDenied(PortalError):
    """A form POST the web layer refused before acting: no valid CSRF token, or sent from
    another origin (``context["reason"]`` is ``csrf`` or ``origin``). Nothing was changed."""

    status_code = 403
    code = "permission_denied"


class AuthenticationRequired(PortalError):
    """No valid buyer session; the buyer must log in (again)."""

    status_code = 401
    code = "authentication_required"

    def __init__(self, message: str = "Please log in", *, key: str | None = None,
                 expired: bool = False) -> None:
        super().__init__(None if key else message, key=key, expired=expired)
        self.expired = expired


class InvalidToken(PortalError):
    """A link or session token is malformed, tampered with or unknown."""

    status_code = 400
    code = "invalid_token"


class TokenExpired(InvalidToken):
    """The link or form token was valid but is past its lifetime (``link.expired``,
    ``form.expired``)."""

    code = "token_expired"


class TokenUsed(InvalidToken):
    """A single-use login link that was used already (``link.used``)."""

    code = "token_used"


class RateLimited(PortalError):
    """Too many attempts in the window (invoice renders: ``invoice.render_limit``,
    ``invoice.render_busy``). Login emails over the limit are not an error: the answer
    stays the same and nothing is sent."""

    status_code = 429
    code = "rate_limited"


class DocumentPreparing(PortalError):
    """Not an error: a large document is being drawn in the background. Ask again in
    ``retry_after`` seconds; nothing was counted twice."""

    status_code = 202
    code = "document_preparing"

    def __init__(self, *, order_id: str, retry_after: int = 2) -> None:
        super().__init__(key="invoice.preparing", order_id=order_id, retry_after=retry_after)
        self.order_id = order_id
        self.retry_after = retry_after


class ValidationError(PortalError):
    """Input was rejected. ``keys`` maps a field name to the message key of its problem;
    ``errors`` maps it to the English message (for logs and developers).

    The web layer translates each key for the buyer's locale.
    """

    status_code = 422
    code = "validation_error"

    def __init__(self, keys: Mapping[str, str], *,
                 details: Mapping[str, str] | None = None) -> None:
        """``details`` replaces a field's English text in ``errors`` and the message: a rule
        stated for developers where the buyer's key says less (``idempotency_key``)."""
        errors = {field: message_for(key) for field, key in keys.items()} | dict(details or {})
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()),
                         errors=errors)
        self.keys: dict[str, str] = dict(keys)
        self.errors: dict[str, str] = errors


class Conflict(PortalError):
    """The request collides with the current state (concurrent change, reused key...)."""

    status_code = 409
    code = "conflict"


class ChangeSuperseded(Conflict):
    """Another change to the subscription was saved while this one was being charged;
    this one's charge was voided and nothing of it was saved. Final for its key."""

    code = "change_superseded"


class IdempotencyKeyReused(Conflict):
    """The same idempotency key was sent with different parameters."""

    code = "idempotency_key_reused"


class PlanChangeNotAllowed(Conflict):
    """The subscription is in a state that forbids this change (e.g. past due)."""

    code = "plan_change_not_allowed"


class PaymentFailed(PortalError):
    """The payment provider declined or could not be reached; nothing was changed."""

    status_code = 402
    code = "payment_failed"

    def __init__(self, message: str | None = None, *, reason: str, key: str | None = None,
                 retryable: bool = False) -> None:
        super().__init__(message, key=key, reason=reason, retryable=retryable)
        self.reason = reason
        self.retryable = retryable


class PaymentDeclined(PaymentFailed):
    """The gateway or provider refused the charge (``payment.declined``); nothing was
    changed. ``reason`` holds the provider's reason."""

    code = "payment_declined"


class PaymentTimeout(PaymentFailed):
    """The provider did not answer in time; the charge may or may not have happened.

    Retrying with the same idempotency key is safe: the provider deduplicates.
    """

    code = "payment_timeout"


class InvalidWebhook(PortalError):
    """A webhook delivery whose signature, timestamp or body was refused; nothing was
    written. Key ``webhook.signature_invalid`` or ``webhook.payload_invalid``."""

    status_code = 400
    code = "invalid_webhook"


class ProviderUnavailable(PortalError):
    """The billing provider failed or did not answer in time; nothing was changed in the
    portal. Retrying with the same idempotency key is safe (the provider deduplicates)."""

    status_code = 503
    code = "provider_unavailable"

    def __init__(self, message: str | None = None, *, key: str = "provider.unavailable",
                 **context: object) -> None:
        super().__init__(message, key=key, **context)


class DeliveryFailed(PortalError):
    """An email could not be handed to the mail server."""

    status_code = 503
    code = "delivery_failed"


class MissingGlyphs(PortalError):
    """A document holds characters no bundled font can draw (they would print as boxes),
    or the PDF converter warned that it fell back to another font."""

    code = "missing_glyphs"

    def __init__(self, characters: str, *, locale: str,
                 warnings: tuple[str, ...] = ()) -> None:
        codepoints = " ".join(f"U+{ord(ch):04X}" for ch in characters)
        detail = codepoints or "; ".join(warnings)
        super().__init__(f"cannot draw {detail} for locale {locale!r}",
                         characters=characters, locale=locale, warnings=warnings)
        self.characters = characters
        self.warnings = warnings


__all__ = [
    "AuthenticationRequired", "ChangeSuperseded", "ConfigurationError", "Conflict",
    "DeliveryFailed",
    "IdempotencyKeyReused", "InvalidToken", "InvalidWebhook", "MissingGlyphs", "NotFound",
    "PaymentDeclined",
    "PaymentFailed", "PaymentTimeout", "PermissionDenied", "PlanChangeNotAllowed", "PortalError",
    "ProviderUnavailable",
    "RateLimited", "TokenExpired", "TokenUsed", "ValidationError",
]
