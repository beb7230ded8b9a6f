"""waffo-portal: an embeddable customer self-service billing portal."""

from __future__ import annotations

from .clock import FrozenClock, SystemClock
from .config import SUPPORTED_LOCALES, Branding, PortalConfig
from .exceptions import (
    AuthenticationRequired,
    ConfigurationError,
    Conflict,
    DeliveryFailed,
    IdempotencyKeyReused,
    InvalidToken,
    NotFound,
    PaymentDeclined,
    PaymentFailed,
    PaymentTimeout,
    PermissionDenied,
    PlanChangeNotAllowed,
    PortalError,
    RateLimited,
    TokenExpired,
    TokenUsed,
    ValidationError,
)
from .mail import ConsoleMailer, EmailMessage, MemoryMailer, SmtpMailer
from .models import (
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
from .money import Money
from .payments import ChargeResult, GatewayMode, TestGateway
from .proration import ChangeKind, PlanChangeQuote, quote_plan_change
from .service import Portal
from .stores.memory import MemoryStore
from .use_cases.auth import LoginPreview, NewSession

__version__ = "0.1.0.dev0"

__all__ = [
    "SUPPORTED_LOCALES", "AuditEvent", "AuthenticationRequired", "BillingDetails",
    "BillingPeriod", "Branding", "Buyer", "Cancellation", "CancellationReason", "ChangeKind",
    "ChargeResult", "ConfigurationError", "Conflict", "ConsoleMailer", "DeliveryFailed",
    "EmailMessage", "FrozenClock", "GatewayMode", "IdempotencyKeyReused", "InvalidToken",
    "Invoice", "LineItem", "LoginPreview", "MemoryMailer", "MemoryStore", "Money", "NewSession",
    "NotFound", "Order", "OrderKind", "OrderStatus", "Payment", "PaymentDeclined",
    "PaymentFailed", "PaymentMethod", "PaymentStatus", "PaymentTimeout", "PermissionDenied",
    "Plan", "PlanChangeNotAllowed", "PlanChangeQuote", "Portal", "PortalConfig", "PortalError",
    "PortalEvent", "RateLimited", "Refund", "ScheduledChange", "SmtpMailer", "Subscription",
    "SubscriptionStatus", "SystemClock", "TestGateway", "TokenExpired", "TokenUsed",
    "ValidationError", "__version__", "quote_plan_change",
]
