"""The portal's own forms always carry a valid idempotency key: a bad one means a stale or
foreign form, so the buyer reads "The form expired", never the developer's rule."""

from __future__ import annotations

from waffo_portal.testing.client import PortalTestClient

RULE = "must be 16 to 128 characters"


def test_the_web_form_keeps_the_buyers_text(buyer: PortalTestClient) -> None:
    token = buyer.get("/").csrf_token
    answer = buyer.post("/subscriptions/sub_1/reactivate",
                        {"csrf_token": token, "idempotency_key": "short"})
    assert answer.status == 422
    assert "The form expired; please try again" in answer.text
    assert RULE not in answer.text
