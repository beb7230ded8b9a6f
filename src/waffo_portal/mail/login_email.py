"""The login-link email: plain text + HTML, in the buyer's language.

The strings are in the ``portal`` gettext catalogues (with a real plural for the
lifetime). Both bodies are jinja2 templates; the HTML one is autoescaped, so a merchant name such as
``<b>`` is shown, never interpreted.
"""

from __future__ import annotations

import re
from functools import cache

import jinja2

from ..core.colors import text_on
from ..core.config import Branding
from ..core.email import EmailMessage
from ..i18n import get_translations, normalize_locale, text_direction

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DOMAIN = "portal"  # the email's strings live in the portal UI's gettext catalogs


def _strings(locale: str, merchant: str, minutes: int) -> dict[str, str]:
    translations = get_translations(locale, DOMAIN)
    _ = translations.gettext
    return {
        "subject": _("Your sign-in link for %(merchant)s") % {"merchant": merchant},
        "greeting": _("Hello,"),
        "intro": _("Use the link below to sign in to your %(merchant)s billing portal.")
        % {"merchant": merchant},
        "button": _("Sign in"),
        "expires": translations.ngettext(
            "This link expires in %(num)d minute and can be used once.",
            "This link expires in %(num)d minutes and can be used once.", minutes)
        % {"num": minutes},
        "ignore": _("If you did not ask for this, you can ignore this email."),
    }


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("waffo_portal.mail", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",),
                                            disabled_extensions=("txt",),
                                            default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )


def _one_line(text: str) -> str:
    """Header-safe: a merchant name must never inject CR/LF into the subject."""
    return _CONTROL.sub(" ", text).strip()


def logo_url(branding: Branding, portal_url: str) -> str:
    """Where mail clients fetch the merchant's logo: the portal's public ``/static/logo``.

    A URL, not an attachment: the outbox stores text bodies only, Gmail drops ``data:``
    images, and a remote image degrades to its alt text (the merchant's name) in clients
    that block images until asked.
    """
    if not (branding.logo_path and portal_url):
        return ""
    return f"{portal_url.rstrip('/')}/static/logo"


def login_email(to: str, locale: str, link: str, minutes: int,
                branding: Branding, *, portal_url: str = "") -> EmailMessage:
    """``portal_url`` (the config's ``base_url``) adds the logo to the HTML body."""
    lang = normalize_locale(locale) or "en"
    merchant = _one_line(branding.name)
    strings = _strings(lang, merchant, minutes)
    env = _environment()
    context = {"t": strings, "link": link, "merchant": merchant, "lang": lang,
               "direction": text_direction(lang), "logo": logo_url(branding, portal_url),
               "color": branding.primary_color, "on_color": text_on(branding.primary_color),
               "subject": strings["subject"]}
    # Plain text is not HTML: render it without escaping so "&" in a link stays "&".
    text = env.get_template("login_link.txt").render(context)
    html = env.get_template("login_link.html").render(context)
    return EmailMessage(to=to, subject=_one_line(strings["subject"]), text=text, html=html,
                        headers=(("Auto-Submitted", "auto-generated"),))
