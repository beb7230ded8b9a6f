"""Issue 17's "done when": every page in en, ja, ar and th at 1280 and 390 px, on the Flask
and Django example shops, with no sideways scroll, no axe-core violation of any impact, no
English on a translated page (checked against the catalogs), no raw codes, and the link
back to the merchant. One test per framework and language, so xdist spreads them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import attrs
import pytest

from ..django_settings import configure_django
from .conftest import ARTIFACTS, LiveServer
from .matrix import Walk, walk
from .sites import open_site

pytestmark = pytest.mark.browser
# Before Playwright's event loop runs in this thread: Django refuses ORM calls (the
# migrations) from a thread with a running loop.
configure_django()
LOCALES = ("en", "ja", "ar", "th")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("framework", ["flask", "django"])
def test_matrix(framework: str, locale: str, page: Any, live_server: LiveServer,
                axe_script: Path, caplog: pytest.LogCaptureFixture) -> None:
    started = time.monotonic()
    with open_site(framework, live_server) as site:
        journey = Walk(page, site, locale, axe_script.read_text(encoding="utf-8"),
                       log=caplog)
        walk(journey)
    report = ARTIFACTS / "matrix" / f"failures_{framework}_{locale}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps([attrs.asdict(f) for f in journey.failures], indent=1,
                                 ensure_ascii=False), encoding="utf-8")
    print(f"{framework} {locale}: {len(journey.looked)} pages x 2 widths, "
          f"{time.monotonic() - started:.1f}s, {len(journey.failures)} failures")
    assert not journey.failures, "\n".join(str(f) for f in journey.failures)
    assert len(journey.looked) == 22, journey.looked
