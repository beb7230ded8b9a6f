"""Frozen, explicit portal configuration, validated once at start-up."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import attrs

from .config_rules import (
    field_type_problems,
    problem_line,
    return_host_problems,
    seconds_to_timedelta,
    unknown_keys,
)
from .exceptions import ConfigurationError
from .tax import parse_rates

SUPPORTED_LOCALES: tuple[str, ...] = (
    "en", "zh-Hans", "zh-Hant", "ja", "ko", "th", "vi", "id", "ms", "es", "pt-BR", "fr", "de",
    "ru", "pl", "tr", "ar",
)
MIN_SECRET_LENGTH = 32
MAX_LINK_LIFETIME = timedelta(minutes=15)
MAX_EMAIL_LINK_LIFETIME = timedelta(days=90)
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A frame-ancestors source: https://host[:port], optionally "*." on the leftmost label.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# re.ASCII: under IGNORECASE alone, [a-z] would also match the Kelvin sign and a long s.
_FRAME_ORIGIN = re.compile(
    rf"https://(?:\*\.)?{_LABEL}(?:\.{_LABEL})*(?::(?P<port>[0-9]{{1,5}}))?",
    re.IGNORECASE | re.ASCII)


def frame_ancestor_problem(sources: tuple[str, ...]) -> str | None:
    """Why ``sources`` cannot go into CSP ``frame-ancestors``, or None.

    Each one reaches the header verbatim, so only the forms that cannot widen or break it
    pass: ``*``, ``https:`` would let any site frame the portal, and ``;`` or a space
    would start another directive or source.
    """
    if not sources:
        return "frame_ancestors needs at least one source: \"'none'\" forbids framing"
    if "'none'" in sources and len(sources) > 1:
        return "frame_ancestors: \"'none'\" cannot be combined with other sources"
    for source in sources:
        if source in ("'none'", "'self'"):
            continue
        found = _FRAME_ORIGIN.fullmatch(source)
        if found is None or not 0 < int(found["port"] or 443) < 65536:
            return (f"frame_ancestors: {source!r} is not 'none', 'self' or an https origin "
                    "like https://shop.example or https://*.shop.example:8443")
    return None


def _rates(table: Mapping[str, object]) -> Mapping[str, Decimal]:
    try:
        return parse_rates(table)
    except (ValueError, AttributeError) as problem:
        raise ConfigurationError(str(problem), setting="tax_rates") from None


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    """Accept any iterable (a list from settings) but store an immutable tuple."""
    if isinstance(values, str):  # a lone string would become a tuple of characters
        return (values,)
    return tuple(values)


MAIL_DELIVERY_MODES = ("background", "inline", "external")
# Both reach brand.css verbatim, so only what cannot end the declaration passes.
_FAMILY = r"""(?:"[\w .-]+"|'[\w .-]+'|[\w-]+(?: [\w-]+)*)"""
_FONT_FAMILY = re.compile(rf"{_FAMILY}(?:, ?{_FAMILY})*")
_RADIUS = re.compile(r"0|[0-9]{1,2}(?:\.[0-9]{1,2})?(?:px|rem|em)", re.ASCII)


def merchant_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the header's "Back to" link, or None.

    It becomes an ``href``: an absolute http(s) URL or a path on this site only, never
    ``javascript:``/``data:`` or a protocol-relative ``//host`` (nor ``/\\host``, which
    browsers read the same way).
    """
    if not url:
        return None
    problem = "merchant_url must be an absolute http(s) URL or a path starting with /"
    if any(c.isspace() or not c.isprintable() or c == "\\" for c in url):
        return problem
    if url.startswith("/"):
        return problem if url.startswith("//") else None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return problem
    return None if parts.scheme.lower() in ("http", "https") and host else problem


def branding_problems(branding: Branding) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if (url_problem := merchant_url_problem(branding.merchant_url)) is not None:
        found.append(("branding.merchant_url", url_problem))
    if branding.font_family and (len(branding.font_family) > 200
                                 or not _FONT_FAMILY.fullmatch(branding.font_family)):
        found.append(("branding.font_family",
                      'font_family must be a CSS font list like "Inter", Arial, sans-serif'))
    if branding.corner_radius and not _RADIUS.fullmatch(branding.corner_radius):
        found.append(("branding.corner_radius",
                      "corner_radius must be 0 or a length like 8px or 0.5rem"))
    return found


@attrs.frozen
class Branding:
    """What the buyer sees of the merchant, on pages, emails and invoices."""

    name: str = "Merchant"
    support_email: str = ""
    logo_path: str = ""  # a local file, embedded in invoices; never fetched from the network
    primary_color: str = "#3b5bdb"
    address: tuple[str, ...] = ()
    tax_id: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 of the merchant; decides EU reverse charge
    # "← Back to <name>" in every page's header: an absolute http(s) URL or a path ("/").
    merchant_url: str = ""
    # Theming (docs/theming.md): a CSS font-family list and a corner radius such as "8px".
    font_family: str = ""
    corner_radius: str = ""


@attrs.frozen
class PortalConfig:
    """Everything the portal needs to know about its host. Build it once; it never changes.

    ``secret_keys`` run oldest to newest: tokens are signed with the newest and
    verified against all, so a key can be rotated out by removing it.
    """

    # repr=False: a logged or printed config must not carry the signing keys.
    secret_keys: tuple[str, ...] = attrs.field(converter=_strings, repr=False)
    base_url: str  # where the portal is mounted, e.g. https://shop.example/billing
    branding: Branding = Branding()
    session_lifetime: timedelta = timedelta(minutes=30)
    link_lifetime: timedelta = timedelta(minutes=15)
    merchant_link_lifetime: timedelta = timedelta(minutes=5)
    # Portal links in receipts and dunning emails: they only fill in the login form.
    email_link_lifetime: timedelta = timedelta(days=14)
    allowed_return_hosts: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    default_locale: str = "en"
    invoice_prefix: str = "INV-"
    cookie_name: str = "__Host-waffo_portal"
    cookie_secure: bool = True
    trusted_proxy_count: int = 0  # how many X-Forwarded-For hops to believe
    login_rate_per_email: int = 5  # link emails per email address per window
    login_rate_per_ip: int = 20  # link emails per client IP per window
    login_rate_window: timedelta = timedelta(minutes=15)
    frame_ancestors: tuple[str, ...] = attrs.field(default=("'none'",), converter=_strings)
    # Standalone mode: the portal charges renewals itself. Switch off when your
    # payment provider renews subscriptions and only notifies you.
    charge_renewals: bool = True
    # Standalone mode: the tax rate (percent) per ISO country code, "*" for the rest of
    # the world; see core.tax.RateTablePolicy. Plan prices include this tax.
    tax_rates: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_rates)
    # Keys the HMAC under which the audit trail and rate limits record typed email
    # addresses (an unsalted hash is reversed with a list of addresses). Empty: derived
    # from the oldest secret key, so removing that key changes the digests.
    audit_secret: str = attrs.field(default="", repr=False)
    # Documents one buyer may have drawn afresh per minute (cached re-downloads are free):
    # each cold render holds the PDF renderer, which serialises a whole process.
    cold_renders_per_minute: int = 20
    # How many invoice corrections (name, address) one buyer may make per day.
    invoice_revisions_per_day: int = 10
    # Who sends the outbox's mail (see docs/mail.md): "background" (a sender thread in
    # this process, woken after each commit), "inline" (right after the commit, in the
    # request's thread: tests, demos) or "external" (only ``waffo-portal worker``,
    # ``Portal.deliver_mail()`` or your task queue).
    mail_delivery: str = "background"

    @cached_property
    def audit_key(self) -> bytes:
        """The key of ``audit_secret`` (or the one derived from the oldest secret key)."""
        if self.audit_secret:
            return self.audit_secret.encode()
        base = self.secret_keys[0].encode() if self.secret_keys else b""
        return hmac.new(base, b"waffo-portal audit email digest", hashlib.sha256).digest()

    @cached_property  # every link on every page starts with it
    def base_path(self) -> str:
        return urlsplit(self.base_url).path.rstrip("/")

    def validate(self) -> PortalConfig:
        """Refuse insecure or impossible settings, all of them in one ConfigurationError
        (``problems`` lists each); returns self to allow chaining."""
        problems = self._type_problems()
        problems += self._value_problems(skip={setting for setting, _ in problems})
        if problems:
            raise ConfigurationError.listing(problems)
        return self

    def _value_problems(self, skip: set[str]) -> list[tuple[str, str]]:
        """The value rules, for the settings whose type is right: each wrongly typed one is
        set to its default first, so no rule trips over it (one without a default, like
        ``base_url``, leaves the type problems to be reported alone)."""
        if not skip:
            return self._problems()
        fields = {f.name: f for f in attrs.fields(PortalConfig)}
        marks = {f.name: f for f in attrs.fields(Branding)}
        top: dict[str, Any] = {name: fields[name].default for name in skip if name in fields}
        inner = [name.removeprefix("branding.") for name in skip if name.startswith("branding.")]
        brand: dict[str, Any] = {name: marks[name].default for name in inner if name in marks}
        if attrs.NOTHING in (*top.values(), *brand.values()):
            return []
        if brand and isinstance(self.branding, Branding):
            top["branding"] = attrs.evolve(self.branding, **brand)
        try:
            found = attrs.evolve(self, **top)._problems()
        except (TypeError, AttributeError, ValueError):  # a rule still tripped: types first
            return []
        return [(setting, line) for setting, line in found if setting not in skip]

    def _type_problems(self) -> list[tuple[str, str]]:
        """Checked first: the value rules below would trip over a value of another type."""
        found = field_type_problems("", attrs.asdict(self, recurse=False), _ANNOTATIONS)
        if isinstance(self.branding, Branding):
            found += field_type_problems("branding", attrs.asdict(self.branding, recurse=False),
                                         _BRANDING_ANNOTATIONS)
        return found

    def _problems(self) -> list[tuple[str, str]]:
        found = self._security_problems() + self._limit_problems()
        return [problem_line(setting, message) for setting, message in found]

    def _security_problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if not self.secret_keys:
            found.append(("secret_keys", "secret_keys needs at least one key"))
        for index, key in enumerate(self.secret_keys):
            if len(key) < MIN_SECRET_LENGTH:
                found.append(("secret_keys", f"secret_keys[{index}] has {len(key)} characters; "
                                             f"a key needs at least {MIN_SECRET_LENGTH}"))
        url = urlsplit(self.base_url)
        if url.scheme not in ("https", "http") or not url.hostname:
            found.append(("base_url", "base_url must be an absolute http(s) URL"))
        elif url.scheme == "http" and self.cookie_secure:
            found.append(("base_url", "base_url is http: serve over https, or set "
                                      "cookie_secure=False for local development only"))
        if url.query or url.fragment:
            found.append(("base_url", "base_url must not have a query or fragment"))
        if self.cookie_name.startswith("__Host-") and not self.cookie_secure:
            found.append(("cookie_name", "__Host- cookies require cookie_secure=True; "
                                         "pick another cookie_name for local http"))
        found.extend(return_host_problems(self.allowed_return_hosts))
        if (frame_problem := frame_ancestor_problem(self.frame_ancestors)) is not None:
            found.append(("frame_ancestors", frame_problem))
        if self.trusted_proxy_count < 0:
            found.append(("trusted_proxy_count", "trusted_proxy_count cannot be negative"))
        if self.audit_secret and len(self.audit_secret) < MIN_SECRET_LENGTH:
            found.append(("audit_secret",
                          f"audit_secret must be at least {MIN_SECRET_LENGTH} characters"))
        return found

    def _limit_problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if not timedelta(0) < self.link_lifetime <= MAX_LINK_LIFETIME:
            found.append(("link_lifetime", "link_lifetime must be between 0 and 15 minutes"))
        if not timedelta(0) < self.merchant_link_lifetime <= MAX_LINK_LIFETIME:
            found.append(("merchant_link_lifetime",
                          "merchant_link_lifetime must be between 0 and 15 minutes"))
        if not timedelta(hours=1) <= self.email_link_lifetime <= MAX_EMAIL_LINK_LIFETIME:
            found.append(("email_link_lifetime", "email_link_lifetime must be 1 hour to 90 days"))
        if not timedelta(minutes=1) <= self.session_lifetime <= timedelta(hours=12):
            found.append(("session_lifetime", "session_lifetime must be 1 minute to 12 hours"))
        if self.default_locale not in SUPPORTED_LOCALES:
            found.append(("default_locale", f"unsupported locale {self.default_locale!r}"))
        if not _HEX_COLOR.match(self.branding.primary_color):
            found.append(("branding.primary_color", "primary_color must look like #1a2b3c"))
        found.extend(branding_problems(self.branding))
        if self.cold_renders_per_minute < 1:
            found.append(("cold_renders_per_minute", "allow at least one render a minute"))
        if self.invoice_revisions_per_day < 1:
            found.append(("invoice_revisions_per_day", "allow at least one revision a day"))
        if self.mail_delivery not in MAIL_DELIVERY_MODES:
            found.append(("mail_delivery",
                          f"mail_delivery must be one of {', '.join(MAIL_DELIVERY_MODES)}"))
        if min(self.login_rate_per_email, self.login_rate_per_ip) < 1:
            found.append(("login_rate_per_email", "rate limits must be at least 1"))
        return found

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PortalConfig:
        """Build from a settings dict (Django's ``WAFFO_PORTAL``, Flask's ``WAFFO_PORTAL_*``).

        Every mistake is reported at once, each naming its key: an unknown key (a typo must
        not silently fall back to a default), a missing required one, a value of the wrong
        type, and then whatever :meth:`validate` refuses.
        """
        data, problems = _settings_data(values)
        bad = {setting.partition(".")[0] for setting, _ in problems}
        config = cls(**{**_PLACEHOLDERS, **{k: v for k, v in data.items() if k not in bad}})
        problems += [p for p in config._problems() if p[0].partition(".")[0] not in bad]
        if problems:
            raise ConfigurationError.listing(problems)
        return config


_ANNOTATIONS = {field.name: str(field.type) for field in attrs.fields(PortalConfig)}
_BRANDING_ANNOTATIONS = {field.name: str(field.type) for field in attrs.fields(Branding)}
_DURATIONS = [name for name, kind in _ANNOTATIONS.items() if kind == "timedelta"]
_REQUIRED = {
    "secret_keys": "secret_keys is required: a list of signing keys of at least "
                   f"{MIN_SECRET_LENGTH} characters each, oldest first",
    "base_url": "base_url is required: the absolute URL the portal is mounted at, "
                "e.g. https://shop.example/billing",
}
# Stand-ins for a missing or ill-typed required setting, so the rest is still checked;
# their own problems are dropped, since the setting is already reported.
_PLACEHOLDERS: Mapping[str, Any] = {"secret_keys": ("0" * MIN_SECRET_LENGTH,),
                                    "base_url": "https://placeholder.invalid/"}


def _settings_data(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The settings as field values, and the problems of their keys and types."""
    problems = unknown_keys("", values, _ANNOTATIONS)
    problems += [(name, message) for name, message in _REQUIRED.items() if name not in values]
    data = {k: v for k, v in values.items() if k in _ANNOTATIONS}
    for name in _DURATIONS:
        if name in data:
            data[name] = seconds_to_timedelta(data[name])
    for name in ("secret_keys", "allowed_return_hosts", "frame_ancestors"):
        if isinstance(data.get(name), str):  # one key or host alone, as the converter allows
            data[name] = (data[name],)
    problems += field_type_problems("", data, _ANNOTATIONS)
    if isinstance(data.get("branding"), Mapping):
        data["branding"], branding_problems_found = _branding(data["branding"])
        problems += branding_problems_found
    if "tax_rates" in data and isinstance(data["tax_rates"], Mapping):
        try:
            _rates(data["tax_rates"])
        except ConfigurationError as exc:
            problems += [problem_line("tax_rates", exc.message)]
    return data, problems


def _branding(values: Mapping[str, Any]) -> tuple[Branding, list[tuple[str, str]]]:
    """A Branding from a settings dict (the default one if any key is wrong)."""
    fields = {k: os.fspath(v) if k == "logo_path" and isinstance(v, os.PathLike) else v
              for k, v in values.items()}
    problems = (unknown_keys("branding", fields, _BRANDING_ANNOTATIONS)
                + field_type_problems("branding", fields, _BRANDING_ANNOTATIONS))
    if problems:
        return Branding(), problems
    if "address" in fields:
        fields["address"] = tuple(fields["address"])
    return Branding(**fields), []
