from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path

from waffo_portal.integrations.django import get_portal


def manage(request: HttpRequest) -> HttpResponse:
    link = get_portal().create_login_link("buyer_1", return_url="https://shop.example/")
    return HttpResponseRedirect(link)


urlpatterns = [
    path("manage/", manage),
    path("admin/", admin.site.urls),
    path("billing/", include("waffo_portal.integrations.django.urls")),
]
