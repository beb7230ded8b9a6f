"""The deploy, logo and app-registration system checks, as ``manage.py check`` runs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.test import override_settings

from ..django_settings import BASE_PORTAL_SETTINGS

LOCAL_HTTP: dict[str, Any] = {"BASE_URL": "http://127.0.0.1:8000/billing", "COOKIE_SECURE": False,
              "COOKIE_NAME": "shop_portal"}


def portal_checks(deploy: bool = False, **change: Any) -> list[checks.CheckMessage]:
    with override_settings(WAFFO_PORTAL={**BASE_PORTAL_SETTINGS, **change}):
        found: list[checks.CheckMessage] = checks.run_checks(
            tags=["waffo_portal"], include_deployment_checks=deploy)
    return found


def test_deploy_warns_about_http_and_an_insecure_cookie() -> None:
    assert portal_checks(**LOCAL_HTTP) == []  # fine for local development
    found = portal_checks(deploy=True, **LOCAL_HTTP)
    assert sorted(e.id for e in found) == ["waffo_portal.W001", "waffo_portal.W002"]
    assert all(e.level == checks.WARNING for e in found)
    by_id = {e.id: e for e in found}
    assert "'BASE_URL'] is 'http://127.0.0.1:8000/billing'" in by_id["waffo_portal.W001"].msg
    assert "['COOKIE_SECURE'] is False" in by_id["waffo_portal.W002"].msg


def test_deploy_passes_over_https_with_a_secure_cookie() -> None:
    assert portal_checks(deploy=True) == []


def test_deploy_warns_about_an_insecure_cookie_behind_https() -> None:
    found = portal_checks(deploy=True, COOKIE_SECURE=False, COOKIE_NAME="shop_portal")
    assert [e.id for e in found] == ["waffo_portal.W002"]


def test_deploy_leaves_invalid_settings_to_e001() -> None:
    found = portal_checks(deploy=True, SECRET_KEYS=["short"])
    assert [e.id for e in found] == ["waffo_portal.E001"]


def test_a_missing_logo_file_is_an_error(tmp_path: Path) -> None:
    branding = {**BASE_PORTAL_SETTINGS["BRANDING"],  # type: ignore[dict-item]
                "logo_path": str(tmp_path / "logo.png")}
    found = portal_checks(BRANDING=branding)
    assert [e.id for e in found] == ["waffo_portal.E006"]
    assert f"['BRANDING']['logo_path'] is '{tmp_path / 'logo.png'}', which is not a file" in (
        found[0].msg)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert portal_checks(BRANDING=branding) == []


@pytest.mark.parametrize("folder", [True, False])
def test_a_logo_folder_is_not_a_logo(tmp_path: Path, folder: bool) -> None:
    path = tmp_path if folder else tmp_path / "missing" / "logo.png"
    branding = {**BASE_PORTAL_SETTINGS["BRANDING"], "logo_path": str(path)}  # type: ignore[dict-item]
    assert [e.id for e in portal_checks(BRANDING=branding)] == ["waffo_portal.E006"]


def test_urls_included_without_the_app_installed_is_an_error() -> None:
    installed = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                 "django.contrib.sessions", "django.contrib.messages"]
    with override_settings(INSTALLED_APPS=installed):
        found = [e for e in checks.run_checks(tags=[checks.Tags.urls])
                 if e.id.startswith("waffo_portal")]
    assert [e.id for e in found] == ["waffo_portal.E007"]
    assert "'waffo_portal.integrations.django' is not in INSTALLED_APPS" in found[0].msg
    assert [e for e in checks.run_checks(tags=[checks.Tags.urls])
            if e.id.startswith("waffo_portal")] == []  # installed again
