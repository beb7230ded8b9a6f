"""The xhtml2pdf speed-ups run only on tested versions and say so loudly when they turn off."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from waffo_portal.invoices import engine, fonts

DOC = ("<html><head><style>body { font-family: WaffoSans; }</style></head>"
       "<body><p>Invoice</p></body></html>")


@pytest.fixture
def fresh_decision() -> Iterator[None]:
    """fast_path_available() decides once per process; let a test decide again."""
    engine.fast_path_available.cache_clear()
    yield
    engine.fast_path_available.cache_clear()


def test_the_fast_path_is_on_for_the_installed_xhtml2pdf(fresh_decision: None,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    assert engine.xhtml2pdf_version() in engine.TESTED_XHTML2PDF
    with caplog.at_level(logging.WARNING, logger="waffo_portal.invoices"):
        assert engine.fast_path_available() is True
    assert caplog.records == []


def test_an_untested_version_turns_it_off_with_a_warning_naming_it(
        fresh_decision: None, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(engine, "xhtml2pdf_version", lambda: "9.9.9")
    with caplog.at_level(logging.WARNING, logger="waffo_portal.invoices"):
        assert engine.fast_path_available() is False
        assert engine.fast_path_available() is False  # decided once, warned once
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "9.9.9" in warnings[0].getMessage()


def test_missing_internals_turn_it_off_with_a_warning(
        fresh_decision: None, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from xhtml2pdf import document as x_document

    monkeypatch.delattr(x_document, "_RENDER_LOCK")
    with caplog.at_level(logging.WARNING, logger="waffo_portal.invoices"):
        assert engine.fast_path_available() is False
    assert any(engine.xhtml2pdf_version() in r.getMessage() and "internals" in r.getMessage()
               for r in caplog.records)


def test_a_render_leaves_xhtml2pdfs_font_table_as_it_was() -> None:
    from xhtml2pdf import default

    fonts.register_fonts([fonts.LATIN])
    before = dict(default.DEFAULT_FONT)
    pdf = engine.convert(DOC, "", strict=True)
    assert pdf.startswith(b"%PDF")
    assert dict(default.DEFAULT_FONT) == before
    assert "waffosans" not in before
