"""``path("billing/", include("waffo_portal.integrations.django.urls"))``; the prefix MUST
match the path of ``WAFFO_PORTAL["BASE_URL"]`` (system check waffo_portal.E005)."""

from __future__ import annotations

from django.urls import re_path

from . import views
from .checks import portal_pattern

app_name = "waffo_portal"
urlpatterns = [portal_pattern(re_path(r"^(?P<subpath>.*)$", views.portal, name="portal"))]
