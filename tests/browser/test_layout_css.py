"""portal.css in a real browser, on a page built to be hard: the real layout (header with
"Back to", navigation-free signed-out header, footer) around a responsive table, a fact list
and an unmarked wide table full of long unbreakable data, in English, Arabic and Thai.

The page is the portal's own: a host override of ``waffo_portal/login.html`` (the lookup
order of docs/web.md), so the CSP, brand.css and the layout are the real ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from waffo_portal.testing import make_kit
from waffo_portal.testing.factories import TEST_SELLER, test_config
from waffo_portal.web import PortalWebApp, PortalWSGIApp

from .conftest import LiveServer

pytestmark = pytest.mark.browser
LONG = "averyveryverylongmailboxname.without.breaks@billing.subdomain.example-company.com"
FIXTURE = """{% extends "waffo_portal/base.html" %}
{% block title %}Layout{% endblock %}
{% block content %}
<h1>INV-2026-000000000000000000123456789</h1>
<table class="responsive">
  <caption>ภาษีที่เรียกเก็บจากคำสั่งซื้อล่าสุดของคุณ الضريبة المحصلة على طلباتك الأخيرة</caption>
  <thead><tr><th scope="col">Invoice number</th><th scope="col">Email</th>
    <th scope="col">Status</th><th scope="col" class="num">Amount</th></tr></thead>
  <tbody><tr><td data-label="Invoice number"><bdi>INV-2026-000000000000000123456789</bdi></td>
    <td data-label="Email"><bdi>LONG</bdi></td>
    <td data-label="Status"><span class="badge badge-payment_failed">Payment failed</span></td>
    <td data-label="Amount" class="num"><bdi>US$1,234,567.89</bdi></td></tr></tbody>
</table>
<dl class="facts"><dt>Tax id</dt><dd><bdi>DE136695976136695976136695976136695976</bdi></dd>
  <dt>URL</dt><dd><a href="/">https://billing.example-company.com/a/very/long/path/segment</a></dd></dl>
<table><thead><tr><th>One</th><th>Two</th><th>Three</th><th>Four</th><th>Five</th><th>Six</th>
  </tr></thead><tbody><tr><td>ข้อมูลภาษาไทยที่ยาวมาก</td><td><bdi>LONG</bdi></td><td><bdi>LONG</bdi></td><td>c</td>
  <td>d</td><td>e</td></tr></tbody></table>
{% endblock %}""".replace("LONG", LONG)


@pytest.fixture
def site(tmp_path: Path, live_server: LiveServer) -> str:
    folder = tmp_path / "waffo_portal"
    folder.mkdir()
    (folder / "login.html").write_text(FIXTURE, encoding="utf-8")
    branding = attrs.evolve(TEST_SELLER, name="Acme Cloud Services International",
                            merchant_url="/", support_email=LONG)
    config = test_config(base_url=live_server.url + "/billing", cookie_secure=False,
                         cookie_name="portal", branding=branding)
    web = PortalWSGIApp(PortalWebApp(make_kit(config=config).portal, template_dirs=[tmp_path]))

    def mounted(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        environ["SCRIPT_NAME"], environ["PATH_INFO"] = "/billing", path[len("/billing"):]
        return web(environ, start_response)

    live_server.app = mounted
    return live_server.url + "/billing/login"


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    yield context.new_page()
    context.close()


def _style(page: Any, selector: str, prop: str, pseudo: str = "") -> str:
    return str(page.evaluate(
        "([s, p, x]) => getComputedStyle(document.querySelector(s), x || null)[p]",
        [selector, prop, pseudo]))


@pytest.mark.parametrize("lang", ["en", "ar", "th"])
def test_nothing_scrolls_sideways_on_a_phone(phone: Any, site: str, lang: str,
                                             axe_script: Path) -> None:
    phone.goto(f"{site}?lang={lang}")
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # the responsive table is one card per row, each cell labelled by its header
    assert _style(phone, "table.responsive tr", "display") == "block"
    assert _style(phone, "table.responsive td", "content", "::before") == '"Invoice number"'
    assert phone.evaluate(
        "document.querySelector('table.responsive thead').getBoundingClientRect().height") <= 1
    # the unmarked table squeezes into the page
    assert phone.evaluate(
        "document.querySelector('table:not(.responsive)').getBoundingClientRect().right") <= 390
    back = phone.locator("a.back-to-merchant")
    assert back.is_visible()
    box = back.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    phone.evaluate(axe_script.read_text(encoding="utf-8"))
    result = phone.evaluate("async () => await axe.run(document)")
    assert [v["id"] for v in result["violations"]] == []


def test_tables_are_tables_on_a_wide_screen(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(site)
        assert _style(page, "table.responsive tr", "display") == "table-row"
        assert _style(page, "table.responsive td", "content", "::before") in ("none", "normal")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    finally:
        context.close()


def test_the_badge_text_colour_is_its_status_token(phone: Any, site: str) -> None:
    phone.goto(site)
    assert _style(phone, ".badge-payment_failed", "color") == "rgb(179, 38, 30)"  # #b3261e
