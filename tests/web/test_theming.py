"""Theming (issue #17, items 11 and 13): "Back to the merchant", brand.css from Branding,
the documented custom properties, the status badge colours and the phone layout rules."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import attrs
import pytest

from waffo_portal import ConfigurationError, PortalConfig
from waffo_portal.core.colors import contrast
from waffo_portal.core.config import Branding
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import TEST_SELLER, test_config
from waffo_portal.web import PortalWebApp
from waffo_portal.web.views.static import brand_css

from .helpers import login

BADGES = ("trialing", "active", "past_due", "canceling", "canceled", "expired", "pending",
          "paid", "payment_failed", "refunded", "partially_refunded", "succeeded", "failed")
CSS = (resources.files("waffo_portal.web") / "static" / "portal.css").read_text()


def client_for(name: str, merchant_url: str = "") -> tuple[PortalTestClient, PortalKit]:
    branding = attrs.evolve(TEST_SELLER, name=name, merchant_url=merchant_url)
    kit = make_kit(config=test_config(branding=branding))
    return PortalTestClient(PortalWebApp(kit.portal)), kit


# Back to the merchant
def test_the_back_link_is_on_every_page_signed_in_or_out() -> None:
    client, kit = client_for(name="Acme", merchant_url="https://shop.example/account")
    link = '<a class="back-to-merchant" href="https://shop.example/account">'
    assert link in client.get("/login").text
    login(client, kit)
    for path in ("/", "/orders", "/nope"):
        page = client.get(path)
        assert link in page.text and "Back to <bdi>Acme</bdi>" in page.text, path
    overview = client.get("/")
    out = client.submit(overview, "/logout")
    bye = client.follow(out)
    assert "bye=1" in (out.header("Location") or "") and link in bye.text


def test_the_back_link_arrow_points_backwards_in_rtl() -> None:
    client, _ = client_for(name="Acme", merchant_url="/")
    assert '<span aria-hidden="true">←</span>' in client.get("/login").text
    arabic = client.get("/login", query={"lang": "ar"}).text
    assert 'dir="rtl"' in arabic and '<span aria-hidden="true">→</span>' in arabic


def test_no_back_link_without_a_merchant_url(client: PortalTestClient) -> None:
    assert "back-to-merchant" not in client.get("/login").text


def test_the_merchant_name_in_the_back_link_is_escaped() -> None:
    client, _ = client_for(name="<b>Acme</b>", merchant_url="/")
    text = client.get("/login").text
    assert "Back to <bdi>&lt;b&gt;Acme&lt;/b&gt;</bdi>" in text and "<b>Acme" not in text


@pytest.mark.parametrize("url", ["https://shop.example", "http://localhost:8000/account?x=1",
                                 "/", "/account#billing"])
def test_merchant_urls_that_are_links(url: str) -> None:
    test_config(branding=Branding(merchant_url=url)).validate()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x",
                                 "//evil.example", "/\\evil.example", "mailto:a@b.example",
                                 "https://", "shop.example/account", "https://shop.example/a b",
                                 "https://[::1", "/ok\n", "ftp://shop.example"])
def test_merchant_urls_that_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        test_config(branding=Branding(merchant_url=url)).validate()
    assert info.value.setting == "branding.merchant_url"


def test_a_settings_dict_sets_the_merchant_url() -> None:
    base = {"secret_keys": "x" * 40, "base_url": "https://shop.example/billing"}
    config = PortalConfig.from_mapping({**base, "branding": {"merchant_url": "/account"}})
    assert config.branding.merchant_url == "/account"
    with pytest.raises(ConfigurationError):
        PortalConfig.from_mapping({**base, "branding": {"merchant_url": "javascript:x"}})


# brand.css
def test_brand_css_is_unchanged_without_font_or_radius() -> None:
    assert brand_css(Branding()) == (b":root { --brand: #3b5bdb; --on-brand: #ffffff; "
                                     b"--link: #3b5bdb; }\n")


def test_brand_css_sets_font_and_radius_when_configured() -> None:
    css = brand_css(Branding(font_family='"Inter", Arial', corner_radius="4px")).decode()
    assert '--portal-font: "Inter", Arial, system-ui' in css
    assert "--portal-radius: 4px;" in css


def test_a_light_brand_colour_gets_dark_text_and_a_readable_link() -> None:
    css = brand_css(Branding(primary_color="#ffd43b")).decode()
    assert "--on-brand: #111111" in css and "--link: #1c3d8f" in css
    # readable on white but not on the header's grey strip: the dark blue link too
    borderline = "#747474"
    assert contrast(borderline, "#ffffff") >= 4.5 > contrast(borderline, "#f4f6f8")
    assert "--link: #1c3d8f" in brand_css(Branding(primary_color=borderline)).decode()


@pytest.mark.parametrize("family", ["Inter", '"Noto Sans JP", sans-serif', "'IBM Plex Sans'",
                                    "Hiragino Sans, Meiryo"])
def test_font_families_that_pass(family: str) -> None:
    test_config(branding=Branding(font_family=family)).validate()


@pytest.mark.parametrize("family", ["Inter; } body { display: none", "Inter</style>",
                                    'x" ; color: red', "url(https://evil.example/f)",
                                    "Inter\\;", "a" * 201, "Inter,"])
def test_font_families_that_could_break_out_are_refused(family: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        test_config(branding=Branding(font_family=family)).validate()
    assert info.value.setting == "branding.font_family"


@pytest.mark.parametrize(("radius", "ok"), [("0", True), ("8px", True), ("0.5rem", True),
                                            ("1em", True), ("8", False), ("8px;}", False),
                                            ("-1px", False), ("999px", False), ("1vw", False)])
def test_corner_radius(radius: str, ok: bool) -> None:
    config = test_config(branding=Branding(corner_radius=radius))
    if ok:
        config.validate()
    else:
        with pytest.raises(ConfigurationError) as info:
            config.validate()
        assert info.value.setting == "branding.corner_radius"


# portal.css
def _root_colour(name: str) -> str:
    found = re.search(rf"--{re.escape(name)}:\s*(#[0-9a-f]{{6}})", CSS)
    assert found is not None, name
    return found.group(1)


def _tint(color: str, share: float = 0.12) -> str:
    mixed = (round(int(color[i:i + 2], 16) * share + 255 * (1 - share)) for i in (1, 3, 5))
    return "#" + "".join(f"{v:02x}" for v in mixed)


@pytest.mark.parametrize("key", BADGES)
def test_each_status_has_its_token_and_badge_rule_with_readable_text(key: str) -> None:
    color = _root_colour(f"status-{key}")
    assert re.search(rf"\.badge-{key}\b[^{{]*{{\s*--badge-color: var\(--status-{key}\)", CSS)
    # the badge is its colour on a 12% tint of it (color-mix in portal.css)
    assert "color-mix(in srgb, var(--badge-color) 12%, var(--portal-bg))" in CSS
    assert contrast(color, _tint(color)) >= 4.5, key


@pytest.mark.parametrize("token", ["portal-font", "portal-radius", "portal-text", "portal-muted",
                                   "portal-line", "portal-bg", "portal-soft", "brand",
                                   "on-brand", "link"])
def test_the_documented_tokens_exist_and_are_used(token: str) -> None:
    assert re.search(rf"--{token}:", CSS) and f"var(--{token})" in CSS
    docs = Path(__file__).resolve().parents[2] / "docs" / "theming.md"
    assert f"--{token}" in docs.read_text(encoding="utf-8")


def test_text_tokens_keep_contrast_on_the_backgrounds() -> None:
    for text in ("portal-text", "portal-muted", "link"):
        for background in ("portal-bg", "portal-soft"):
            assert contrast(_root_colour(text), _root_colour(background)) >= 4.5


def test_responsive_tables_stack_on_phones_showing_each_header() -> None:
    phone = CSS[CSS.index("@media (max-width: 40rem)"):]
    assert "table.responsive tr" in phone
    assert re.search(r"table\.responsive \[data-label\]::before\s*{\s*content: attr\(data-label\)",
                     phone)
    assert re.search(r"table\.responsive thead\s*{\s*position: absolute", phone)
    # unmarked tables squeeze (breaking words if they must), never widen the page
    assert re.search(r"table:not\(\.responsive\) td\s*{\s*overflow-wrap: anywhere", phone)


def test_the_stylesheet_uses_logical_directions_only() -> None:
    physical = re.findall(r"(?:margin|padding|border)-(?:left|right)|text-align:\s*(?:left|right)"
                          r"|\b(?:left|right):\s", CSS)
    assert physical == []


def test_a_merchant_head_template_adds_a_stylesheet(tmp_path: Path) -> None:
    folder = tmp_path / "waffo_portal"
    folder.mkdir()
    (folder / "_head.html").write_text('<link rel="stylesheet" href="/static/acme-portal.css">')
    kit = make_kit()
    client = PortalTestClient(PortalWebApp(kit.portal, template_dirs=[tmp_path]))
    text = client.get("/login").text
    assert text.index("/billing/static/brand.css") < text.index("/static/acme-portal.css")
