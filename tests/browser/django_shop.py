"""The Django example shop's URLs (examples/django_project/shop/urls.py) for the live
server, plus a test-only hand-off route that lets the suite enter as any demo buyer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from waffo_portal.integrations.django import enter

from ..examples.helpers import load_example

views = load_example("django_project/shop/views.py", "example_django_shop_views")


def enter_as(request: HttpRequest, buyer_id: str) -> HttpResponse:
    return enter(request, buyer_id, next=request.GET.get("next", ""))


urlpatterns = [
    path("", views.home, name="home"),
    path("account/manage-subscription", views.manage_subscription, name="manage"),
    path("emails/receipt", views.receipt_preview, name="receipt"),
    path("test/enter/<str:buyer_id>", enter_as),
    path("billing/", include("waffo_portal.integrations.django.urls")),
]
