"""waffo-portal: an embeddable customer self-service billing portal."""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what mypy and editors see; at run time __getattr__ below
    from .clock import FrozenClock, SystemClock
    from .core.auth_models import BuyerSession
    from .core.billing_details import TaxLine, tax_id_display, validate_billing_details
    from .core.charges import ChargeResult
    from .core.config import SUPPORTED_LOCALES, Branding, PortalConfig
    from .core.exceptions import (
        AuthenticationRequired,
        ConfigurationError,
        Conflict,
        DeliveryFailed,
        DocumentPreparing,
        IdempotencyKeyReused,
        InvalidToken,
        InvalidWebhook,
        NotFound,
        PaymentDeclined,
        PaymentFailed,
        PaymentTimeout,
        PermissionDenied,
        PlanChangeNotAllowed,
        PortalError,
        ProviderUnavailable,
        RateLimited,
        TokenExpired,
        TokenUsed,
        ValidationError,
    )
    from .core.models import (
        AuditEvent,
        BillingDetails,
        BillingPeriod,
        Buyer,
        Cancellation,
        CancellationReason,
        Invoice,
        LineItem,
        Order,
        OrderKind,
        OrderStatus,
        Payment,
        PaymentMethod,
        PaymentStatus,
        Plan,
        PortalEvent,
        Refund,
        ScheduledChange,
        Subscription,
        SubscriptionStatus,
    )
    from .core.money import Money
    from .core.proration import ChangeKind, PlanChangeQuote, quote_plan_change
    from .core.provider import (
        ActionStatus,
        ProviderAction,
        ProviderOutcome,
        WebhookDelivery,
    )
    from .core.sync import (
        BillingDetailsRecord,
        BuyerRecord,
        InvoiceRecord,
        OrderLine,
        OrderRecord,
        PaymentRecord,
        PlanRecord,
        RecordKind,
        RefundRecord,
        SubscriptionRecord,
        SyncRecord,
        revision_at,
    )
    from .mail import ConsoleMailer, EmailMessage, MemoryMailer, SmtpMailer
    from .payments import GatewayMode, TestGateway
    from .providers.signed_json import SignedJsonWebhooks
    from .service import Portal
    from .stores.memory import MemoryStore
    from .sync_api import Sync
    from .use_cases.auth import LoginPreview, NewSession
    from .use_cases.renewals import DueReport
    from .use_cases.reports import CancellationEntry, CancellationReport
    from .use_cases.standalone import StandaloneProvider
    from .use_cases.subscriptions import ChangeOutcome
    from .use_cases.sync import SyncReport
    from .use_cases.webhooks import IntakeResult

# Public names are imported on first use (PEP 562): `import waffo_portal` no
# longer loads every module (mail, stores, use cases, ...), so a process that
# only renders invoices starts faster. Keep this table and the imports above
# in step; tests/test_public_api.py checks both against __all__.
_EXPORTS: dict[str, tuple[str, ...]] = {
    ".core.billing_details": ("TaxLine", "tax_id_display", "validate_billing_details"),
    ".clock": ("FrozenClock", "SystemClock"),
    ".core.config": ("SUPPORTED_LOCALES", "Branding", "PortalConfig"),
    ".core.exceptions": (
        "AuthenticationRequired", "ConfigurationError", "Conflict", "DeliveryFailed",
        "DocumentPreparing", "IdempotencyKeyReused", "InvalidToken", "InvalidWebhook",
        "NotFound", "PaymentDeclined", "PaymentFailed", "PaymentTimeout", "PermissionDenied",
        "PlanChangeNotAllowed", "PortalError", "RateLimited", "ProviderUnavailable",
        "TokenExpired", "TokenUsed", "ValidationError",
    ),
    ".mail": ("ConsoleMailer", "EmailMessage", "MemoryMailer", "SmtpMailer"),
    ".core.models": (
        "AuditEvent", "BillingDetails", "BillingPeriod", "Buyer", "Cancellation",
        "CancellationReason", "Invoice", "LineItem", "Order", "OrderKind", "OrderStatus",
        "Payment", "PaymentMethod", "PaymentStatus", "Plan", "PortalEvent", "Refund",
        "ScheduledChange", "Subscription", "SubscriptionStatus",
    ),
    ".core.money": ("Money",),
    ".core.charges": ("ChargeResult",),
    ".payments": ("GatewayMode", "TestGateway"),
    ".core.proration": ("ChangeKind", "PlanChangeQuote", "quote_plan_change"),
    ".service": ("Portal",),
    ".sync_api": ("Sync",),
    ".stores.memory": ("MemoryStore",),
    ".use_cases.auth": ("LoginPreview", "NewSession"),
    ".use_cases.renewals": ("DueReport",),
    ".use_cases.reports": ("CancellationEntry", "CancellationReport"),
    ".use_cases.subscriptions": ("ChangeOutcome",),
    ".core.auth_models": ("BuyerSession",),
    ".core.provider": ("ActionStatus", "ProviderAction", "ProviderOutcome", "WebhookDelivery",),
    ".core.sync": (
        "BillingDetailsRecord", "BuyerRecord", "InvoiceRecord", "OrderLine", "OrderRecord",
        "PaymentRecord", "PlanRecord", "RecordKind", "RefundRecord", "SubscriptionRecord",
        "SyncRecord", "revision_at",
    ),
    ".providers.signed_json": ("SignedJsonWebhooks",),
    ".use_cases.standalone": ("StandaloneProvider",),
    ".use_cases.sync": ("SyncReport",),
    ".use_cases.webhooks": ("IntakeResult",),
}
_MODULE_OF: dict[str, str] = {name: mod for mod, names in _EXPORTS.items() for name in names}


if not TYPE_CHECKING:  # hidden from mypy, which would otherwise accept any name

    def __getattr__(name: str) -> Any:
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))


def _version() -> str:
    try:
        return importlib.metadata.version("waffo-portal")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "0.0.0+unknown"


__version__ = _version()

__all__ = [
    "SUPPORTED_LOCALES",
    "ActionStatus",
    "AuditEvent",
    "AuthenticationRequired",
    "BillingDetails",
    "BillingDetailsRecord",
    "BillingPeriod",
    "Branding",
    "Buyer",
    "BuyerRecord",
    "BuyerSession",
    "Cancellation",
    "CancellationEntry",
    "CancellationReason",
    "CancellationReport",
    "ChangeKind",
    "ChangeOutcome",
    "ChargeResult",
    "ConfigurationError",
    "Conflict",
    "ConsoleMailer",
    "DeliveryFailed",
    "DocumentPreparing",
    "DueReport",
    "EmailMessage",
    "FrozenClock",
    "GatewayMode",
    "IdempotencyKeyReused",
    "IntakeResult",
    "InvalidToken",
    "InvalidWebhook",
    "Invoice",
    "InvoiceRecord",
    "LineItem",
    "LoginPreview",
    "MemoryMailer",
    "MemoryStore",
    "Money",
    "NewSession",
    "NotFound",
    "Order",
    "OrderKind",
    "OrderLine",
    "OrderRecord",
    "OrderStatus",
    "Payment",
    "PaymentDeclined",
    "PaymentFailed",
    "PaymentMethod",
    "PaymentRecord",
    "PaymentStatus",
    "PaymentTimeout",
    "PermissionDenied",
    "Plan",
    "PlanChangeNotAllowed",
    "PlanChangeQuote",
    "PlanRecord",
    "Portal",
    "PortalConfig",
    "PortalError",
    "PortalEvent",
    "ProviderAction",
    "ProviderOutcome",
    "ProviderUnavailable",
    "RateLimited",
    "RecordKind",
    "Refund",
    "RefundRecord",
    "ScheduledChange",
    "SignedJsonWebhooks",
    "SmtpMailer",
    "StandaloneProvider",
    "Subscription",
    "SubscriptionRecord",
    "SubscriptionStatus",
    "Sync",
    "SyncRecord",
    "SyncReport",
    "SystemClock",
    "TaxLine",
    "TestGateway",
    "TokenExpired",
    "TokenUsed",
    "ValidationError",
    "WebhookDelivery",
    "__version__",
    "quote_plan_change",
    "revision_at",
    "tax_id_display",
    "validate_billing_details",
]
