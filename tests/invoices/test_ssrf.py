"""PDF rendering fetches nothing but bundled assets (SECURITY.md #18)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs
import pytest

from waffo_portal.invoices import engine, render
from waffo_portal.invoices.demo import DEMO_BRANDING, demo_records

from .helpers import pdf_text, squash


class _Listener(ThreadingHTTPServer):
    hits: list[str]


@pytest.fixture
def listener() -> Iterator[_Listener]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return None

    server = _Listener(("127.0.0.1", 0), Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_markup_in_buyer_data_fetches_nothing(listener: _Listener) -> None:
    port = listener.server_address[1]
    name = f'<img src="http://127.0.0.1:{port}/x">'
    tax_id = f"url(http://127.0.0.1:{port}/y)"
    description = f"</td><style>@import url(http://127.0.0.1:{port}/z);</style>"
    order, invoice, payments = demo_records("en")
    details = attrs.evolve(order.billing_details, business_name=name, tax_id=tax_id)
    # The merchant's text of a custom line, and a plan name the portal words.
    worded = attrs.evolve(order.line_items[0], plan_name=description)
    custom = attrs.evolve(order.line_items[1], description=description)
    order = attrs.evolve(order, billing_details=details, line_items=(worded, custom))
    invoice = attrs.evolve(invoice, billing_details=details)

    html = render.render_invoice_html(order, invoice, payments, DEMO_BRANDING, "en")
    pdf = render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "en")

    assert listener.hits == []
    assert f"&lt;img src=&#34;http://127.0.0.1:{port}/x&#34;&gt;" in html
    assert "<img src=\"http" not in html and "<style>@import" not in html
    text = squash(pdf_text(pdf))
    assert squash(name) in text and squash(tax_id) in text and squash("@import url(") in text


def test_converter_itself_refuses_every_resource_it_is_not_given(listener: _Listener) -> None:
    """Defence in depth: even markup that got past escaping reaches nothing."""
    port = listener.server_address[1]
    base = f"http://127.0.0.1:{port}"
    html = (f'<html><head><style>@import url({base}/import.css);'
            f'@font-face {{ font-family: X; src: url({base}/font.ttf); }}'
            f'body {{ background-image: url({base}/bg.png); font-family: WaffoSans; }}</style>'
            f'<link rel="stylesheet" href="{base}/link.css"></head>'
            f'<body><img src="{base}/img.png"><img src="/etc/passwd">'
            f'<p style="background-image: url({base}/inline.png)">x</p></body></html>')
    assert engine.xhtml_dom(html) is None  # not XML: html5lib parses it, as stock
    pdf = engine.convert(html, "", strict=False)
    assert pdf.startswith(b"%PDF")
    assert listener.hits == []


@pytest.mark.parametrize("uri", ["http://127.0.0.1/x", "https://example.com/a.png",
                                 "/etc/passwd", "file:///etc/passwd", "", "data:,x",
                                 "waffo-asset:other"])
def test_link_callback_answers_the_blank_image_for_anything_else(uri: str) -> None:
    assert render.make_link_callback("")(uri, "") == render.BLANK_IMAGE
    assert render.make_link_callback("/srv/logo.png")(uri, "") == render.BLANK_IMAGE
