"""The login email in every supported locale: escaped, localized, link and lifetime present."""

from __future__ import annotations

import pytest

from waffo_portal import SUPPORTED_LOCALES, Branding
from waffo_portal.mail.login_email import login_email, resolve_locale

LINK = "https://shop.example/billing/login/confirm?token=a.b-c_d"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_locale_has_its_own_complete_email(locale: str) -> None:
    message = login_email("ada@example.com", locale, LINK, 12, Branding(name="Acme"))
    english = login_email("ada@example.com", "en", LINK, 12, Branding(name="Acme"))
    for body in (message.text, message.html):
        assert LINK in body and "12" in body and "Acme" in body
    assert "Acme" in message.subject
    if locale != "en":
        assert message.subject != english.subject
        assert message.text != english.text
    assert ('dir="rtl"' in message.html) == (locale == "ar")
    assert f'lang="{locale}"' in message.html


def test_merchant_name_is_escaped_in_html_and_kept_out_of_headers() -> None:
    message = login_email("a@example.com", "en", LINK, 15,
                          Branding(name='<img src=x onerror="alert(1)">\r\nBcc: x@evil'))
    assert "<img" not in message.html and "&lt;img" in message.html
    assert "\r" not in message.subject and "\n" not in message.subject


@pytest.mark.parametrize(("candidates", "expected"), [
    (("de", "fr"), "de"), ((None, "fr-CA"), "fr"), ((None, "zh-TW"), "zh-Hant"),
    (("zh_CN",), "zh-Hans"), (("pt",), "pt-BR"), (("xx", None), "en"), ((), "en"),
])
def test_resolve_locale(candidates: tuple[str | None, ...], expected: str) -> None:
    assert resolve_locale(candidates) == expected
