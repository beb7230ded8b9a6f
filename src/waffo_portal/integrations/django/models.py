"""The Django ORM tables of :class:`~.store.DjangoStore` (same columns as the SQL store).

Money is ``<name>_minor`` integers plus a currency; value objects that are always read
with their parent (line items, refunds, billing-detail snapshots) are JSON. No foreign
keys to buyers: merchants may record orders for buyers they manage elsewhere.
"""

# Django reads Meta options from plain class-level lists.
# ruff: noqa: RUF012

from __future__ import annotations

from django.db import models


class Buyer(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    email = models.CharField(max_length=320)
    email_normalized = models.CharField(max_length=320, db_index=True)
    locale = models.CharField(max_length=35, null=True)
    name = models.TextField()

    def __str__(self) -> str:  # the admin's title for a row
        return f"{self.email} ({self.id})"


class BillingDetails(models.Model):
    buyer_id = models.CharField(primary_key=True, max_length=64)
    country = models.CharField(max_length=2)
    state = models.CharField(max_length=16)
    postal_code = models.CharField(max_length=32)
    business_name = models.TextField()
    tax_id = models.CharField(max_length=64)
    is_business = models.BooleanField()
    name = models.TextField(default="")
    address_line1 = models.TextField(default="")
    address_line2 = models.TextField(default="")
    city = models.TextField(default="")


class Plan(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.TextField()
    product_group = models.CharField(max_length=64, db_index=True)
    price_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    period = models.CharField(max_length=16)
    trial_days = models.IntegerField()
    selectable = models.BooleanField(default=True)


class Subscription(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    buyer_id = models.CharField(max_length=64)
    plan_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    created_at = models.DateTimeField()
    trial_end = models.DateTimeField(null=True)
    scheduled_plan_id = models.CharField(max_length=64, null=True)
    scheduled_effective_at = models.DateTimeField(null=True)
    scheduled_requested_at = models.DateTimeField(null=True)
    cancel_reason = models.CharField(max_length=32, null=True)
    cancel_comment = models.TextField(null=True)
    cancel_requested_at = models.DateTimeField(null=True)
    cancel_effective_at = models.DateTimeField(null=True)
    method_brand = models.CharField(max_length=32, null=True)
    method_last4 = models.CharField(max_length=4, null=True)
    pending_plan_id = models.CharField(max_length=64, null=True)
    pending_requested_at = models.DateTimeField(null=True)
    pending_expires_at = models.DateTimeField(null=True)
    version = models.IntegerField()
    lease_holder = models.CharField(max_length=160, null=True)
    lease_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.id} ({self.plan_id}, {self.status})"

    class Meta:
        indexes = [
            models.Index(fields=["buyer_id", "created_at"], name="waffo_sub_buyer"),
            models.Index(fields=["status", "current_period_end"], name="waffo_sub_due"),
            models.Index(fields=["cancel_requested_at"], name="waffo_sub_cancel"),
        ]


class Order(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    buyer_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    currency = models.CharField(max_length=3)
    line_items = models.JSONField()
    subtotal_minor = models.BigIntegerField()
    tax_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()
    tax_rate = models.CharField(max_length=32)  # exact decimal as text
    billing_details = models.JSONField()
    created_at = models.DateTimeField()
    subscription_id = models.CharField(max_length=64, null=True)
    tax_note = models.TextField()
    prices_include_tax = models.BooleanField(default=False)
    reverse_charge = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    class Meta:
        indexes = [models.Index(fields=["buyer_id", "-created_at", "-id"],
                                name="waffo_order_buyer_recent")]


class Payment(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    order_id = models.CharField(max_length=64)
    buyer_id = models.CharField(max_length=64)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    method_brand = models.CharField(max_length=32, null=True)
    method_last4 = models.CharField(max_length=4, null=True)
    failure_reason = models.TextField()
    refunds = models.JSONField()
    provider_reference = models.CharField(max_length=255)

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    class Meta:
        indexes = [models.Index(fields=["order_id", "created_at"], name="waffo_payment_order")]


class Invoice(models.Model):
    order_id = models.CharField(primary_key=True, max_length=64)  # one invoice per order
    number = models.CharField(max_length=64, unique=True)
    buyer_id = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    billing_details = models.JSONField(null=True)
    revision = models.IntegerField()
    revised_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return str(self.number)


class InvoiceSequence(models.Model):
    prefix = models.CharField(primary_key=True, max_length=32)
    last_number = models.BigIntegerField()


class IdempotencyKey(models.Model):
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.TextField()
    result = models.TextField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"],
                                               name="waffo_idempotency_scope_key")]


class LoginLink(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    buyer_id = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    return_to = models.TextField()
    used_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)


class BuyerSession(models.Model):
    id_hash = models.CharField(primary_key=True, max_length=128)
    buyer_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True)


class Attempt(models.Model):
    bucket = models.CharField(max_length=255)
    at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["bucket", "at"], name="waffo_attempt_bucket"),
                   models.Index(fields=["expires_at"], name="waffo_attempt_expiry")]


class OutboxEmail(models.Model):
    # ``body`` (text, html, headers) is NULL once sent or given up (it may hold a live link).
    id = models.CharField(primary_key=True, max_length=64)
    recipient = models.TextField()
    subject = models.TextField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField()
    attempts = models.IntegerField()
    next_attempt_at = models.DateTimeField(null=True)
    sent_at = models.DateTimeField(null=True)
    last_error = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], name="waffo_outbox_due"),
                   models.Index(fields=["created_at"], name="waffo_outbox_created")]


class AuditEvent(models.Model):
    # ``seq`` breaks ties between events recorded at the same instant (insertion order).
    seq = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=128)
    action = models.CharField(max_length=128)
    subject = models.CharField(max_length=160)
    old = models.JSONField()
    new = models.JSONField()
    amount_minor = models.BigIntegerField(null=True)
    currency = models.CharField(max_length=3, null=True)
    idempotency_key = models.CharField(max_length=255, null=True)

    def __str__(self) -> str:
        return f"{self.action} on {self.subject}"

    class Meta:
        indexes = [models.Index(fields=["subject", "at", "seq"], name="waffo_audit_subject"),
                   models.Index(fields=["at", "seq"], name="waffo_audit_at")]


class SyncRevision(models.Model):
    """The provider's revision of each record the sync API wrote."""

    kind = models.CharField(max_length=32)
    record_id = models.CharField(max_length=160)
    revision = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "record_id"],
                                               name="waffo_sync_revision_key")]


class WebhookDelivery(models.Model):
    """One row per webhook delivery taken in."""

    source = models.CharField(max_length=64)
    delivery_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=128)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.source} {self.event_type} ({self.delivery_id})"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "delivery_id"],
                                               name="waffo_webhook_delivery_key")]
