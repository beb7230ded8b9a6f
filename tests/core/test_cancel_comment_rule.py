"""The cancel comment's input rule: printable text and line feeds only (pentest item 6)."""

from __future__ import annotations

import pytest

from waffo_portal import PortalEvent, ValidationError
from waffo_portal.core.lifecycle import parse_cancellation
from waffo_portal.testing import PortalKit, make_kit

KEY = "key-0000000000000001"
MULTILINE = "Trop cher, désolé 😅\r\n価格が高いです。\r\n\r\nΕυχαριστώ — שלום, مرحبا 👩‍💻"


class Sink:
    def __init__(self) -> None:
        self.events: list[PortalEvent] = []

    def emit(self, event: PortalEvent) -> None:
        self.events.append(event)


@pytest.mark.parametrize("bad", [
    "\u202e", "\u202a", "\u2066", "\u2069",  # bidi overrides and isolates
    "\x07", "\x1b", "\t", "\x0b", "\x7f",  # C0 (tab included) and DEL
    "\x85", "\x9b",  # C1: next line, control sequence introducer
    "\u2028", "\u2029", "\ud800",  # line/paragraph separators, a lone surrogate
    "\r\x00",  # a line break does not smuggle the rest through
])
def test_control_characters_are_refused_with_the_message_key(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_cancellation(None, f"Too pricey{bad}gpj.exe")
    assert caught.value.keys == {"comment": "cancel.comment_characters"}


def test_refusal_writes_nothing() -> None:
    sink = Sink()
    kit = make_kit(events=sink)
    for bad in ("cheap\u202eer elsewhere", "ring\x07", "next\x85line"):
        with pytest.raises(ValidationError) as caught:
            kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id,
                                           reason="too_expensive", comment=bad,
                                           idempotency_key=KEY)
        assert caught.value.keys == {"comment": "cancel.comment_characters"}
    assert kit.store.get_subscription(kit.subscription.id) == kit.subscription
    assert not kit.store.list_audit_events() and not sink.events


def test_a_multi_line_comment_in_any_script_is_kept_with_line_feeds(kit: PortalKit) -> None:
    reason, comment = parse_cancellation("too_expensive", f"  {MULTILINE}\r\n")
    expected = MULTILINE.replace("\r\n", "\n")
    assert (reason, comment) == ("too_expensive", expected)
    kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, comment=MULTILINE,
                                   idempotency_key=KEY)
    stored = kit.store.get_subscription(kit.subscription.id)
    assert stored is not None and stored.cancellation is not None
    assert stored.cancellation.comment == expected


def test_the_length_cap_counts_a_line_break_once() -> None:
    # A browser sends 500 line breaks as 1000 characters (CRLF): still within the cap.
    assert parse_cancellation(None, "a\r\n" * 499 + "a")[1] == "a\n" * 499 + "a"
    with pytest.raises(ValidationError) as caught:
        parse_cancellation(None, "x" * 1001)
    assert caught.value.keys == {"comment": "cancel.comment_too_long"}
