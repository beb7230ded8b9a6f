"""Records behind passwordless login: one-time links and server-side sessions.

Neither record holds a secret in the clear: a link is found by its random id
(which is only useful inside a signed token) and a session by the SHA-256 of
its cookie value.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from .models import _utc

# The login page's query parameter that carries an email portal link (it fills in the
# address, nothing more); shared by the code that writes the link and the page.
PREFILL_PARAM = "prefill"


class LinkPurpose(enum.StrEnum):
    EMAIL_LOGIN = "email_login"  # the buyer asked for a link by email
    MERCHANT_SESSION = "merchant_session"  # minted server-side by the merchant's app


@attrs.frozen
class LoginLink:
    id: str  # >= 128 random bits, url-safe
    buyer_id: str
    purpose: LinkPurpose
    created_at: datetime = attrs.field(validator=_utc)
    expires_at: datetime = attrs.field(validator=_utc)
    return_to: str = ""
    used_at: datetime | None = attrs.field(default=None, validator=_utc)
    revoked_at: datetime | None = attrs.field(default=None, validator=_utc)

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


@attrs.frozen
class BuyerSession:
    id_hash: str
    buyer_id: str
    created_at: datetime = attrs.field(validator=_utc)
    expires_at: datetime = attrs.field(validator=_utc)
    revoked_at: datetime | None = attrs.field(default=None, validator=_utc)

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
