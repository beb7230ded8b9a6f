"""Read-only Django admin for the portal's tables (``django.contrib.admin`` discovers it).

The portal owns these rows: every change goes through the :class:`~waffo_portal.Portal`
facade, which audits it and keeps its invariants, so the admin can look but never add,
change or delete. The one action, "send login link", asks the facade to email buyers a
login link. Only meaningful with the default ORM store (``WAFFO_PORTAL["STORE"]`` unset).
"""

# Django reads ModelAdmin options from plain class-level tuples and lists.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ...core.exceptions import PortalError
from . import models
from .conf import get_portal


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only: the portal's facade is the one writer of its tables."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description="Send login link", permissions=["send_login_link"])
def send_login_link(modeladmin: admin.ModelAdmin,
                    request: HttpRequest, queryset: QuerySet[models.Buyer]) -> None:
    portal, sent, failed = get_portal(), 0, []
    actor = f"staff:{request.user.get_username()}"
    for buyer in queryset:
        try:
            portal.send_login_link(buyer.id, actor=actor)
        except PortalError as error:
            failed.append(f"{buyer.id} ({error})")
        else:
            sent += 1
    if sent:
        modeladmin.message_user(
            request, f"Login link queued for {sent} buyer(s); the portal's outbox emails it.",
            messages.SUCCESS)
    if failed:
        modeladmin.message_user(request, f"No login link for: {', '.join(failed)}",
                                messages.ERROR)


@admin.register(models.Buyer)
class BuyerAdmin(ReadOnlyAdmin):
    list_display = ("id", "email", "name", "locale")
    search_fields = ("id", "email", "name")
    list_filter = ("locale",)
    actions = [send_login_link]

    def has_send_login_link_permission(self, request: HttpRequest) -> bool:
        # A write on the buyer's behalf: not for staff who may only view.
        return bool(request.user.has_perm("waffo_portal.change_buyer"))


@admin.register(models.Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("id", "buyer_id", "plan_id", "status", "current_period_end",
                    "scheduled_plan_id", "cancel_effective_at")
    search_fields = ("id", "buyer_id", "plan_id")
    list_filter = ("status", "plan_id", "cancel_reason")
    date_hierarchy = "created_at"
    exclude = ("lease_holder", "lease_until")  # renewal-run bookkeeping, not billing data


@admin.register(models.Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "buyer_id", "kind", "status", "total_minor", "currency",
                    "created_at")
    search_fields = ("id", "buyer_id", "subscription_id")
    list_filter = ("status", "kind", "currency")
    date_hierarchy = "created_at"


@admin.register(models.Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "order_id", "buyer_id", "status", "amount_minor", "currency",
                    "created_at")
    search_fields = ("id", "order_id", "buyer_id", "provider_reference")
    list_filter = ("status", "currency")


@admin.register(models.Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "order_id", "buyer_id", "issued_at", "revision")
    search_fields = ("number", "order_id", "buyer_id")
    date_hierarchy = "issued_at"


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "subject", "amount_minor", "currency")
    search_fields = ("event_id", "actor", "subject", "idempotency_key")
    list_filter = ("action",)
    date_hierarchy = "at"


@admin.register(models.WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "source", "event_type", "delivery_id")
    search_fields = ("delivery_id", "event_type")
    list_filter = ("source", "event_type")
    date_hierarchy = "received_at"
