"""Waffo's two signatures, checked against a fixed key and an independent signer."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from waffo_portal.core.exceptions import ConfigurationError, InvalidWebhook
from waffo_portal.providers.waffo.signing import (
    BUILTIN_WEBHOOK_KEYS,
    canonical_request,
    load_private_key,
    load_public_key,
    request_headers,
    verify_webhook,
    webhook_signature,
)

DATA = Path(__file__).parent / "data"
KEY_PEM = (DATA / "known_answer_key.pem").read_text()
PATH = "/v1/actions/store/create-store"
BODY = b'{"name":"My Store"}'
# Computed with the openssl command line (dgst -sha256 -binary | base64, then
# dgst -sha256 -sign over the canonical text), not with the code under test.
BODY_HASH = "hdwD8gAaYdaLYqdMNnLbxLSIbCcpjVA5wvaR22mY0Uo="
SIGNATURE = (
    "sVFicCZUyBcm4FzvAeTmzAyK3wWsf0Z/kIx+cFWcu19L/D6XS8vFH7xcYGjK25tum0acsI8SRQCZDbdFvCO5VVAq"
    "xqhRlu25jQo3VLtHJvZRR87jbe0A2WWyQoPqEQj4TJuvjbvhB1z/0GTFC+A2qUbY8MQfReOVJWyWCUjMBwp0OQHf"
    "T9R9U4tVV6fbCH4zh1WAgEe791eROPh5hMioF/bIvZSc1UTPA6wdZ/hEJnlGWLNqsfReLRG3BG47ska4GWfas94y"
    "5UsbXIvQzS0fRbvjEHOngxgykPzP6fmjnMG1CWYPhNv3Kl9IKgsN/qyijNnt2EH747s0SIZFswmsLA==")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def test_the_canonical_request_is_method_path_seconds_and_base64_body_hash() -> None:
    expected = f"POST\n{PATH}\n1710000000\n{BODY_HASH}".encode()
    assert canonical_request(PATH, 1710000000, BODY) == expected


def test_known_answer_signature_and_headers() -> None:
    key = load_private_key(KEY_PEM)
    headers = request_headers(key, "MER_1mEbVHMBjMiSuPq6SNSkfm", PATH, 1710000000, BODY)
    assert headers == {"Content-Type": "application/json",
                       "X-Merchant-Id": "MER_1mEbVHMBjMiSuPq6SNSkfm",
                       "X-Timestamp": "1710000000", "X-Signature": SIGNATURE}


@pytest.mark.parametrize("variant", [
    "pkcs8", "pkcs1", "literal-newlines", "crlf", "bare-base64"])
def test_every_key_format_merchants_paste_signs_the_same(variant: str) -> None:
    pkcs1 = (DATA / "known_answer_key_pkcs1.pem").read_text()
    body = "".join(KEY_PEM.strip().splitlines()[1:-1])
    text = {"pkcs8": KEY_PEM, "pkcs1": pkcs1, "literal-newlines": KEY_PEM.replace("\n", "\\n"),
            "crlf": KEY_PEM.replace("\n", "\r\n"), "bare-base64": body}[variant]
    headers = request_headers(load_private_key(text), "MER_1mEbVHMBjMiSuPq6SNSkfm", PATH,
                              1710000000, BODY)
    assert headers["X-Signature"] == SIGNATURE


@pytest.mark.parametrize("text", ["", "not a key", BUILTIN_WEBHOOK_KEYS["test"]])
def test_unusable_private_keys_are_configuration_errors(text: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_private_key(text)
    assert caught.value.setting == "private_key"


@pytest.mark.openssl
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_verifies_our_signature_of_a_fresh_body(tmp_path: Path) -> None:
    body = json.dumps({"orderId": "ORD_0000000000000000000000", "note": "Grüße"},
                      ensure_ascii=False, separators=(",", ":")).encode()
    headers = request_headers(load_private_key(KEY_PEM), "MER_1mEbVHMBjMiSuPq6SNSkfm",
                              "/v1/actions/subscription-order/cancel-order", 1712345678, body)
    (tmp_path / "msg").write_bytes(canonical_request(
        "/v1/actions/subscription-order/cancel-order", 1712345678, body))
    (tmp_path / "sig").write_bytes(base64.b64decode(headers["X-Signature"]))
    (tmp_path / "key.pem").write_text(KEY_PEM)
    public = subprocess.run(["openssl", "pkey", "-in", str(tmp_path / "key.pem"), "-pubout"],
                            check=True, capture_output=True).stdout
    (tmp_path / "pub.pem").write_bytes(public)
    done = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(tmp_path / "pub.pem"),
                           "-signature", str(tmp_path / "sig"), str(tmp_path / "msg")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "Verified OK" in done.stdout


# -- webhooks -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def platform() -> tuple[object, object]:
    key = load_private_key(KEY_PEM)
    return key, key.public_key()


def _header(platform: tuple[object, object], body: bytes, at: datetime) -> str:
    return webhook_signature(platform[0], body, int(at.timestamp() * 1000))  # type: ignore[arg-type]


@pytest.mark.parametrize(("age", "accepted"), [
    (timedelta(0), True), (timedelta(minutes=44, seconds=59), True),
    (timedelta(minutes=45, seconds=1), False), (-timedelta(seconds=59), True),
    (-timedelta(seconds=61), False)])
def test_the_replay_window_is_45_minutes_back_and_one_minute_ahead(
        platform: tuple[object, object], age: timedelta, accepted: bool) -> None:
    body = b'{"id":"d1"}'
    header = _header(platform, body, NOW - age)
    if accepted:
        verify_webhook(header, body, [platform[1]], NOW)  # type: ignore[list-item]
    else:
        with pytest.raises(InvalidWebhook) as caught:
            verify_webhook(header, body, [platform[1]], NOW)  # type: ignore[list-item]
        assert caught.value.context["reason"] == "stale"


def test_a_timestamp_in_seconds_is_refused(platform: tuple[object, object]) -> None:
    body = b'{"id":"d1"}'
    seconds = int(NOW.timestamp())
    signature = _header(platform, body, NOW).split("v1=")[1]
    with pytest.raises(InvalidWebhook):
        verify_webhook(f"t={seconds},v1={signature}", body, [platform[1]], NOW)  # type: ignore[list-item]


@pytest.mark.parametrize("change", ["tampered", "reserialised", "no-t", "no-v1", "garbage-v1",
                                    "other-key"])
def test_bad_signatures_are_refused(platform: tuple[object, object], change: str) -> None:
    body = b'{"id": "d1", "data": {"amount": "9.99"}}'
    header = _header(platform, body, NOW)
    sent = body
    keys = [platform[1]]
    if change == "tampered":
        sent = body.replace(b"9.99", b"0.01")
    elif change == "reserialised":  # same JSON, other bytes: must not verify
        sent = json.dumps(json.loads(body), separators=(",", ":")).encode()
    elif change == "no-t":
        header = header.split(",", 1)[1]
    elif change == "no-v1":
        header = header.split(",", 1)[0]
    elif change == "garbage-v1":
        header = header.split(",", 1)[0] + ",v1=%%%not-base64"
    else:  # Waffo's real production key never verifies a locally signed delivery
        keys = [load_public_key(BUILTIN_WEBHOOK_KEYS["prod"])]
    with pytest.raises(InvalidWebhook) as caught:
        verify_webhook(header, sent, keys, NOW)  # type: ignore[arg-type]
    assert caught.value.key == "webhook.signature_invalid"


@pytest.mark.parametrize("header", [
    "t=" + "9" * 400 + ",v1=AAAA",  # would overflow a float before any signature check
    "t=" + "9" * 5000 + ",v1=AAAA",  # beyond int()'s digit limit
    "t=1772359200000,v1=" + "A" * 100_000,
    "t=-1772359200000,v1=AAAA", "t=１７７２,v1=AAAA",  # a sign, full-width digits
])
def test_absurd_headers_are_refused_not_crashed_on(header: str) -> None:
    key = load_private_key(KEY_PEM).public_key()
    with pytest.raises(InvalidWebhook):
        verify_webhook(header, b"{}", [key], NOW)


def test_the_header_tolerates_spaces_and_extra_fields(platform: tuple[object, object]) -> None:
    body = b'{"id":"d1"}'
    stamp, signature = _header(platform, body, NOW).split(",")
    verify_webhook(f" {stamp} , v0=ignored, {signature} ", body, [platform[1]], NOW)  # type: ignore[list-item]
