"""``path("billing/", include("waffo_portal.integrations.django.urls"))``; the prefix MUST
match the path of ``WAFFO_PORTAL["BASE_URL"]`` (system check waffo_portal.E005)."""

from __future__ import annotations

from django.urls import re_path

from . import views

app_name = "waffo_portal"
urlpatterns = [re_path(r"^(?P<subpath>.*)$", views.portal, name="portal")]
