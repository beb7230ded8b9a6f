"""The per-page checks of the matrix report what they are meant to, on a page made to fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .pagecheck import check_page

pytestmark = pytest.mark.browser
BAD = ('<html lang="th"><head><title>หน้า</title></head><body><main><h1>หน้า</h1>'
       '<div class="wide" style="width:600px">กว้าง</div><img src="x.png">'
       '<p>Payment failed</p><p>insufficient_funds</p></main></body></html>')
GOOD = ('<html lang="en"><head><title>Page</title></head><body><header>'
        '<a class="back-to-merchant" href="/">Back to Acme</a></header>'
        '<main><h1>Page</h1><p>Fine.</p></main></body></html>')


def _checks(browser: Any, axe: Path, html: str, locale: str) -> dict[str, list[str]]:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.set_content(html)
    found: dict[str, list[str]] = {}
    for check, detail in check_page(page, axe.read_text(encoding="utf-8"), locale):
        found.setdefault(check, []).append(detail)
    context.close()
    return found


def test_a_bad_page_fails_every_check(browser: Any, axe_script: Path) -> None:
    found = _checks(browser, axe_script, BAD, "th")
    assert set(found) == {"scroll", "axe", "english", "raw_code", "back_to_merchant"}, found
    assert "div.wide right=" in found["scroll"][0]
    assert any(v.startswith("image-alt ") for v in found["axe"])
    assert found["english"] == ["'Payment failed' in 'Payment failed'"]
    assert found["raw_code"] == ["insufficient_funds"]


def test_a_good_page_passes(browser: Any, axe_script: Path) -> None:
    assert _checks(browser, axe_script, GOOD, "en") == {}
