"""The fake Waffo's GraphQL: a schema, executed for real with graphql-core.

``SCHEMA`` holds the part of Waffo's schema the portal reads, written from the field names
of Waffo's SDK guides (not recorded from Waffo: see docs/waffo.md). Queries are executed
against it, so a query selecting a field the schema lacks fails here as it would at Waffo
(and ``tests`` check the pinned queries against it without a server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from typing import Any, Final

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)

from .state import Books, FakeOrder, FakePayment, display, iso

SCHEMA_SDL: Final = """
type Query {
  subscriptionOrder(id: String!): SubscriptionOrder
  onetimeOrder(id: String!): OnetimeOrder
  subscriptionOrders(storeId: String, limit: Int, filter: SubscriptionOrderFilter):
    [SubscriptionOrder!]!
  subscriptionOrdersCount(storeId: String, filter: SubscriptionOrderFilter): Int!
  onetimeOrders(storeId: String, limit: Int, filter: OnetimeOrderFilter): [OnetimeOrder!]!
  onetimeOrdersCount(storeId: String, filter: OnetimeOrderFilter): Int!
  subscriptionProducts(storeId: String): [SubscriptionProduct!]!
  subscriptionProductGroups(storeId: String): [SubscriptionProductGroup!]!
}
input StringFilter { eq: String ne: String contains: String startsWith: String
  endsWith: String in: [String!] }
input DateTimeFilter { eq: String ne: String gt: String gte: String lt: String lte: String }
input SubscriptionOrderFilter { status: StringFilter createdAt: DateTimeFilter
  buyerEmail: StringFilter merchantProvidedBuyerIdentity: StringFilter }
input OnetimeOrderFilter { status: StringFilter createdAt: DateTimeFilter
  buyerEmail: StringFilter merchantProvidedBuyerIdentity: StringFilter }
type BillingDetail { country: String! isBusiness: Boolean! postcode: String state: String
  businessName: String taxId: String }
type AmountDetails { currency: String! subtotal: String taxAmount: String total: String!
  taxCategory: String phase: String }
type RequestedAmount { currency: String! amount: String! }
type Refund { id: String! status: String! createdAt: String!
  requestedAmountDetails: RequestedAmount }
type CardInfo { brand: String last4: String expMonth: Int expYear: Int }
type Payment { id: String! status: String! createdAt: String! failureReason: String
  refundStatus: String cardInfo: CardInfo snapshotAmountDetails: AmountDetails
  refunds: [Refund!]! }
type ProductRef { id: String! name: String! }
type SubscriptionOrder { id: String! storeId: String! status: String! testMode: Boolean!
  buyerEmail: String! merchantProvidedBuyerIdentity: String orderMerchantExternalId: String
  billingPeriod: String! currentPeriodStart: String currentPeriodEnd: String
  canceledAt: String createdAt: String! billingDetail: BillingDetail
  subscriptionProduct: ProductRef payments: [Payment!]! }
type OnetimeOrder { id: String! storeId: String! status: String! testMode: Boolean!
  buyerEmail: String! merchantProvidedBuyerIdentity: String currency: String!
  createdAt: String! updatedAt: String billingDetail: BillingDetail
  onetimeProduct: ProductRef payments: [Payment!]! }
type PriceInfo { amount: String! taxCategory: String }
type CurrencyPrice { currency: String! priceInfo: PriceInfo! }
type SubscriptionProduct { id: String! name: String! billingPeriod: String! status: String!
  prices: [CurrencyPrice!]! }
type SubscriptionProductGroup { id: String! name: String! productIds: [String!]! }
"""

SCHEMA: Final[GraphQLSchema] = build_schema(SCHEMA_SDL)


@lru_cache(maxsize=64)
def _document(query: str) -> DocumentNode | list[GraphQLError]:
    """Parsed and validated once per query text (the adapter sends a few pinned ones)."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return [error]
    errors = validate(SCHEMA, document)
    return errors if errors else document


def _payment(payment: FakePayment, last4: str) -> dict[str, Any]:
    refunded = [r for r in payment.refunds if r["status"] == "succeeded"]
    return {
        "id": payment.id, "status": payment.status, "createdAt": iso(payment.created_at),
        "failureReason": payment.failure_reason or None,
        "refundStatus": "succeeded" if refunded else None,
        "cardInfo": {"brand": "visa", "last4": last4, "expMonth": 12, "expYear": 2030},
        "snapshotAmountDetails": {
            "currency": payment.currency, "subtotal": display(payment.subtotal, payment.currency),
            "taxAmount": display(payment.tax, payment.currency),
            "total": display(payment.total, payment.currency), "taxCategory": "saas",
            "phase": "regular"},
        "refunds": list(payment.refunds)}


def order_node(books: Books, order: FakeOrder) -> dict[str, Any]:
    product = books.products[order.product_id]
    node: dict[str, Any] = {
        "id": order.id, "storeId": books.store_id, "status": order.status,
        "testMode": books.environment == "test", "buyerEmail": order.email,
        "merchantProvidedBuyerIdentity": order.buyer_identity,
        "orderMerchantExternalId": None, "createdAt": iso(order.created_at),
        "billingDetail": dict(order.billing),
        "payments": [_payment(p, order.last4) for p in order.payments]}
    ref = {"id": product.id, "name": product.name}
    if order.kind == "subscription":
        node.update({"billingPeriod": product.period.value, "subscriptionProduct": ref,
                     "currentPeriodStart": iso(order.period_start) if order.period_start
                     else None,
                     "currentPeriodEnd": iso(order.period_end) if order.period_end else None,
                     "canceledAt": iso(order.canceled_at) if order.canceled_at else None})
    else:
        node.update({"currency": order.currency, "onetimeProduct": ref,
                     "updatedAt": iso(order.created_at)})
    return node


def _test(operator: str, value: Any, operand: Any) -> bool:
    if operator in ("gt", "gte", "lt", "lte") and value is None:
        return False
    text = value or ""
    checks: dict[str, Callable[[], bool]] = {
            "eq": lambda: value == operand, "ne": lambda: value != operand,
            "gt": lambda: value > operand, "gte": lambda: value >= operand,
            "lt": lambda: value < operand, "lte": lambda: value <= operand,
            "in": lambda: value in operand, "contains": lambda: operand in text,
            "startsWith": lambda: text.startswith(operand),
            "endsWith": lambda: text.endswith(operand)}
    return checks[operator]()


def _matches(node: Mapping[str, Any], filter_: Mapping[str, Any] | None) -> bool:
    return all(_test(operator, node.get(name), operand)
               for name, condition in (filter_ or {}).items()
               for operator, operand in (condition or {}).items() if operand is not None)


class _Root:
    """The query root of one request: a buyer's token sees only that buyer's orders."""

    def __init__(self, books: Books, buyer_identity: str | None) -> None:
        self.books, self.buyer = books, buyer_identity

    def _mine(self, order: FakeOrder, kind: str) -> bool:
        return order.kind == kind and (self.buyer is None or order.buyer_identity == self.buyer)

    def visible(self, kind: str) -> list[dict[str, Any]]:
        with self.books.lock:
            orders = sorted((o for o in self.books.orders.values() if self._mine(o, kind)),
                            key=lambda o: (o.created_at, o.id))
            return [order_node(self.books, o) for o in orders]

    def one(self, kind: str) -> Callable[..., Any]:
        def resolve(_info: Any, id: str) -> dict[str, Any] | None:
            with self.books.lock:
                order = self.books.orders.get(id)
                return (order_node(self.books, order)
                        if order is not None and self._mine(order, kind) else None)
        return resolve

    def many(self, kind: str) -> Callable[..., Any]:
        def resolve(_info: Any, storeId: str | None = None, limit: int | None = None,
                    filter: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
            found = [n for n in self.visible(kind) if _matches(n, filter)]
            return found[:limit] if limit else found
        return resolve

    def count(self, kind: str) -> Callable[..., Any]:
        return lambda _info, storeId=None, filter=None: len(
            [n for n in self.visible(kind) if _matches(n, filter)])

    def products(self, _info: Any, storeId: str | None = None) -> list[dict[str, Any]]:
        return [{"id": p.id, "name": p.name, "billingPeriod": p.period.value,
                 "status": p.status,
                 "prices": [{"currency": c, "priceInfo": {"amount": display(a, c),
                                                         "taxCategory": "saas"}}
                            for c, a in p.prices.items()]}
                for p in self.books.products.values()]

    def fields(self) -> dict[str, Any]:
        return {"subscriptionOrder": self.one("subscription"),
                "onetimeOrder": self.one("onetime"),
                "subscriptionOrders": self.many("subscription"),
                "onetimeOrders": self.many("onetime"),
                "subscriptionOrdersCount": self.count("subscription"),
                "onetimeOrdersCount": self.count("onetime"),
                "subscriptionProducts": self.products,
                "subscriptionProductGroups": lambda _info, storeId=None: list(
                    self.books.groups.values())}


def execute(books: Books, query: str, variables: Mapping[str, Any] | None,
            buyer_identity: str | None) -> dict[str, Any]:
    """Run one query; ``buyer_identity`` set: a buyer's token, which sees only its own."""
    document = _document(query)
    if isinstance(document, list):
        result = ExecutionResult(data=None, errors=document)
    else:
        result = execute_sync(SCHEMA, document, root_value=_Root(books, buyer_identity).fields(),
                              variable_values=dict(variables or {}))
        assert not isinstance(result, Awaitable)
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [{"message": e.message, "layer": "graphql"} for e in result.errors]
    return payload
