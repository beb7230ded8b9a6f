"""Waffo Pancake's two signatures: the merchant's on each API request, Waffo's on webhooks.

Requests (the merchant's RSA key, RSASSA-PKCS1-v1_5 with SHA-256)::

    canonical = "POST\\n" + path + "\\n" + unix_seconds + "\\n" + base64(sha256(body))
    X-Signature: base64(sign(canonical))

Webhooks (Waffo's RSA key of the environment)::

    X-Waffo-Signature: t=<unix milliseconds>,v1=<base64(sign(t + "." + raw body))>

The body is serialised once and the bytes signed are the bytes sent; a webhook is
verified over the raw bytes received, never over re-serialised JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ...core.exceptions import ConfigurationError, InvalidWebhook

WEBHOOK_HEADER: Final = "x-waffo-signature"
# Waffo stamps ``t`` once, before the first attempt, and retries reuse it (seen > 31 min
# late): the past window is wide. The future window matches Waffo's own API-key check.
WEBHOOK_PAST_TOLERANCE: Final = timedelta(minutes=45)
WEBHOOK_FUTURE_TOLERANCE: Final = timedelta(minutes=1)
MIN_KEY_BITS: Final = 2048
MAX_STAMP_DIGITS: Final = 15
MAX_SIGNATURE_LENGTH: Final = 2048  # base64 of a 4096-bit signature is 684 characters

# Waffo's published webhook keys (identical in its TypeScript, Go and Ruby SDKs).
# They can rotate: ``WaffoSettings.webhook_public_keys`` overrides them.
BUILTIN_WEBHOOK_KEYS: Final[Mapping[str, str]] = {
    "test": """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxnmRY6yMMA3lVqmAU6ZG
b1sjL/+r/z6E+ZjkXaDAKiqOhk9rpazni0bNsGXwmftTPk9jy2wn+j6JHODD/WH/
SCnSfvKkLIjy4Hk7BuCgB174C0ydan7J+KgXLkOwgCAxxB68t2tezldwo74ZpXgn
F49opzMvQ9prEwIAWOE+kV9iK6gx/AckSMtHIHpUesoPDkldpmFHlB2qpf1vsFTZ
5kD6DmGl+2GIVK01aChy2lk8pLv0yUMu18v44sLkO5M44TkGPJD9qG09wrvVG2wp
OTVCn1n5pP8P+HRLcgzbUB3OlZVfdFurn6EZwtyL4ZD9kdkQ4EZE/9inKcp3c1h4
xwIDAQAB
-----END PUBLIC KEY-----
""",
    "prod": """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAz+xApdTIb4ua+DgZKQ54
iBsD82ybyhGCLRETONW4Jgbb3A8DUM1LqBk6r/CmTOCHqLalTQHNigvP3R5zkDNX
iRJz6gA4MJ/+8K0+mnEE2RISQzN+Qu65TNd6svb+INm/kMaftY4uIXr6y6kchtTJ
dwnQhcKdAL2v7h7IFnkVelQsKxDdb2PqX8xX/qwd01iXvMcpCCaXovUwZsxH2QN5
ZKBTseJivbhUeyJCco4fdUyxOMHe2ybCVhyvim2uxAl1nkvL5L8RCWMCAV55LLo0
9OhmLahz/DYNu13YLVP6dvIT09ZFBYU6Owj1NxdinTynlJCFS9VYwBgmftosSE1U
dwIDAQAB
-----END PUBLIC KEY-----
""",
}

_BASE64_BODY = re.compile(r"^[A-Za-z0-9+/=\s]+$")


def _pem_text(text: str, label: str) -> bytes:
    """Accept what merchants paste: real or literal ``\\n`` newlines, CRLF, or bare
    base64 without the BEGIN/END lines."""
    cleaned = text.replace("\\n", "\n").replace("\r\n", "\n").strip()
    if "-----BEGIN" not in cleaned and _BASE64_BODY.match(cleaned):
        body = "".join(cleaned.split())
        lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
        cleaned = f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----"
    return cleaned.encode()


def load_private_key(text: str, *, setting: str = "private_key") -> rsa.RSAPrivateKey:
    """An RSA private key from PEM (PKCS#8 or PKCS#1) or bare PKCS#8 base64."""
    try:
        key = serialization.load_pem_private_key(_pem_text(text, "PRIVATE KEY"), None)
    except (ValueError, TypeError):
        raise ConfigurationError("not a readable unencrypted RSA private key in PEM",
                                 setting=setting) from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_KEY_BITS:
        raise ConfigurationError(f"an RSA key of at least {MIN_KEY_BITS} bits is needed",
                                 setting=setting)
    return key


def load_public_key(text: str, *, setting: str = "webhook_public_keys") -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(_pem_text(text, "PUBLIC KEY"))
    except (ValueError, TypeError):
        raise ConfigurationError("not a readable RSA public key in PEM",
                                 setting=setting) from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_KEY_BITS:
        raise ConfigurationError(f"an RSA key of at least {MIN_KEY_BITS} bits is needed",
                                 setting=setting)
    return key


def canonical_request(path: str, timestamp: int, body: bytes) -> bytes:
    """What the merchant signs: method, path (no host, no query), seconds, body hash."""
    body_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
    return f"POST\n{path}\n{timestamp}\n{body_hash}".encode()


def _sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def _valid(key: rsa.RSAPublicKey, signature: str, message: bytes) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def request_headers(key: rsa.RSAPrivateKey, merchant_id: str, path: str, timestamp: int,
                    body: bytes) -> dict[str, str]:
    """The headers of one API-key request whose body is exactly ``body``."""
    return {"Content-Type": "application/json", "X-Merchant-Id": merchant_id,
            "X-Timestamp": str(timestamp),
            "X-Signature": _sign(key, canonical_request(path, timestamp, body))}


def request_signature_valid(key: rsa.RSAPublicKey, path: str, timestamp: int, body: bytes,
                            signature: str) -> bool:
    """The check Waffo's gateway makes (used by the fake Waffo server)."""
    return _valid(key, signature, canonical_request(path, timestamp, body))


def webhook_signature(key: rsa.RSAPrivateKey, body: bytes, timestamp_ms: int) -> str:
    """The ``X-Waffo-Signature`` value for ``body`` (used by the fake Waffo server)."""
    return f"t={timestamp_ms},v1={_sign(key, f'{timestamp_ms}.'.encode() + body)}"


def verify_webhook(header: str, body: bytes, keys: Sequence[rsa.RSAPublicKey],
                   now: datetime) -> None:
    """Raise InvalidWebhook unless one of ``keys`` signed ``body`` within the window."""
    fields: dict[str, str] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name.strip(), value.strip())
    stamp, signature = fields.get("t", ""), fields.get("v1", "")
    # Unix milliseconds have 13 digits until the year 2286: anything longer is not one
    # (and would overflow the comparison below before the signature is even looked at).
    if (not stamp.isascii() or not stamp.isdigit() or len(stamp) > MAX_STAMP_DIGITS
            or not signature or len(signature) > MAX_SIGNATURE_LENGTH):
        raise InvalidWebhook(key="webhook.signature_invalid")
    age_ms = int(now.timestamp() * 1000) - int(stamp)
    if (age_ms > WEBHOOK_PAST_TOLERANCE.total_seconds() * 1000
            or -age_ms > WEBHOOK_FUTURE_TOLERANCE.total_seconds() * 1000):
        raise InvalidWebhook(key="webhook.signature_invalid", reason="stale")
    message = f"{stamp}.".encode() + body
    if not any(_valid(key, signature, message) for key in keys):
        raise InvalidWebhook(key="webhook.signature_invalid")
