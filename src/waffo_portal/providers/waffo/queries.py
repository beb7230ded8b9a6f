"""The GraphQL queries the adapter sends, pinned: the only reads it makes of Waffo.

Field names follow Waffo's SDK guides; the tests check every query against the schema in
``waffo_portal.testing.fake_waffo`` (``SCHEMA``), so a query drifting from that schema
fails there. The schema itself is written from the same guides, not yet recorded from
Waffo: replace it with an introspection of Waffo's test environment before going live
(docs/waffo.md, "What the adapter assumes").

Lists are paged by creation time: ``filter: {createdAt: {gte: <cursor>}}`` with a
``limit``, oldest first, which is what makes ``waffo-portal waffo sync`` resumable.
"""

from __future__ import annotations

from typing import Final

_PAYMENT = """
      id status createdAt failureReason
      cardInfo { brand last4 }
      snapshotAmountDetails { currency subtotal taxAmount total }
      refunds { id status createdAt requestedAmountDetails { currency amount } }"""

_BILLING = "billingDetail { country isBusiness postcode state businessName taxId }"

SUBSCRIPTION_FIELDS: Final = f"""
    id status testMode buyerEmail merchantProvidedBuyerIdentity billingPeriod
    currentPeriodStart currentPeriodEnd canceledAt createdAt
    {_BILLING}
    subscriptionProduct {{ id name }}
    payments {{{_PAYMENT}
    }}"""

ONETIME_FIELDS: Final = f"""
    id status testMode buyerEmail merchantProvidedBuyerIdentity currency createdAt
    {_BILLING}
    onetimeProduct {{ id name }}
    payments {{{_PAYMENT}
    }}"""

SUBSCRIPTION_ORDER: Final = f"""query PortalSubscriptionOrder($id: String!) {{
  subscriptionOrder(id: $id) {{{SUBSCRIPTION_FIELDS}
  }}
}}"""

ONETIME_ORDER: Final = f"""query PortalOnetimeOrder($id: String!) {{
  onetimeOrder(id: $id) {{{ONETIME_FIELDS}
  }}
}}"""

SUBSCRIPTION_ORDERS: Final = f"""query PortalSubscriptionOrders(
    $storeId: String!, $limit: Int!, $filter: SubscriptionOrderFilter) {{
  subscriptionOrders(storeId: $storeId, limit: $limit, filter: $filter) {{{SUBSCRIPTION_FIELDS}
  }}
  subscriptionOrdersCount(storeId: $storeId, filter: $filter)
}}"""

ONETIME_ORDERS: Final = f"""query PortalOnetimeOrders(
    $storeId: String!, $limit: Int!, $filter: OnetimeOrderFilter) {{
  onetimeOrders(storeId: $storeId, limit: $limit, filter: $filter) {{{ONETIME_FIELDS}
  }}
  onetimeOrdersCount(storeId: $storeId, filter: $filter)
}}"""

PRODUCTS: Final = """query PortalProducts($storeId: String!) {
  subscriptionProducts(storeId: $storeId) {
    id name billingPeriod status
    prices { currency priceInfo { amount taxCategory } }
  }
  subscriptionProductGroups(storeId: $storeId) { id name productIds }
}"""

ALL: Final = (SUBSCRIPTION_ORDER, ONETIME_ORDER, SUBSCRIPTION_ORDERS, ONETIME_ORDERS, PRODUCTS)
