"""The cancel form refuses hidden controls in the comment as a form error (pentest item 6)."""

from __future__ import annotations

import pytest

from waffo_portal import SubscriptionStatus
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient


@pytest.mark.parametrize("bad", ["cheap\u202eer", "ring\x07", "next\x85line"])
def test_a_control_character_is_a_422_with_the_message(bad: str, buyer: PortalTestClient,
                                                       kit: PortalKit) -> None:
    form = buyer.get("/subscriptions/sub_1/cancel")
    refused = buyer.submit(form, "/subscriptions/sub_1/cancel",
                           {"reason": "too_expensive", "comment": bad})
    assert refused.status == 422
    assert "The comment contains characters that are not allowed" in refused.text
    sub = kit.store.get_subscription("sub_1")
    assert sub is not None and sub.status is SubscriptionStatus.ACTIVE
    assert sub.cancellation is None


def test_a_textarea_s_crlf_lines_are_kept_as_line_feeds(buyer: PortalTestClient,
                                                         kit: PortalKit) -> None:
    form = buyer.get("/subscriptions/sub_1/cancel")
    done = buyer.submit(form, "/subscriptions/sub_1/cancel",
                        {"reason": "", "comment": "Trop cher 😅\r\n高すぎる\r\n"})
    assert done.status == 303
    sub = kit.store.get_subscription("sub_1")
    assert sub is not None and sub.cancellation is not None
    assert sub.cancellation.comment == "Trop cher 😅\n高すぎる"
