from __future__ import annotations

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/manage-subscription", views.manage_subscription, name="manage"),
    path("emails/receipt", views.receipt_preview, name="receipt"),
    path("billing/", include("waffo_portal.integrations.django.urls")),
]
