"""The plan picker (cards, current plan, upgrade/downgrade, period tabs, yearly saving),
trial and period dates, proration line dates, undoing a scheduled downgrade, and the
cancel page's summary. The kit: Basic $5, Pro $20, Pro yearly $200, Team $50 monthly;
sub_1 on Basic from January 1 to February 1, 2026; now is January 2."""

from __future__ import annotations

import re

import attrs

from waffo_portal import SubscriptionStatus
from waffo_portal.testing import PortalKit, sample_subscription
from waffo_portal.testing.client import PortalTestClient

CHANGE = "/subscriptions/sub_1/change"


def _put(kit: PortalKit, **changes: object) -> None:
    current = kit.store.get_subscription("sub_1")
    assert current is not None
    kit.store.save_subscription(attrs.evolve(current, **changes))  # type: ignore[arg-type]


def _card(html: str, plan_id: str) -> str:
    found = re.search(rf'<label class="plan-card" for="plan-{plan_id}">(.*?)</label>', html, re.S)
    assert found is not None, html
    return found.group(1)


def test_cards_mark_the_current_plan_and_label_upgrades(buyer: PortalTestClient) -> None:
    page = buyer.get(CHANGE)
    assert page.status == 200
    current = re.search(r'<div class="plan-card plan-card-current">(.*?)</div>', page.text, re.S)
    assert current is not None and "Basic" in current.group(1)
    assert "Current plan" in current.group(1)
    assert "value=\"basic-usd\"" not in page.text  # the current plan is not selectable
    for plan_id in ("pro-usd", "team-usd"):
        card = _card(page.text, plan_id)  # the radio sits inside its label: the whole card
        assert re.match(rf'\s*<input type="radio" id="plan-{plan_id}" name="plan" '
                        rf'value="{plan_id}" required>', card)
        assert "Upgrade" in card
    assert 'value="pro-yearly-usd"' not in page.text  # monthly tab: monthly plans only
    review = buyer.submit(page, "/subscriptions/sub_1/change/review", {"plan": "team-usd"})
    assert review.status == 200 and "Team" in review.text


def test_downgrades_are_labelled_by_price_per_month(buyer: PortalTestClient,
                                                   kit: PortalKit) -> None:
    _put(kit, plan_id="team-usd")
    page = buyer.get(CHANGE)
    assert "Downgrade" in _card(page.text, "basic-usd")
    assert "Downgrade" in _card(page.text, "pro-usd")
    # $200 a year is $16.67 a month: less than Team's $50, so a downgrade too.
    yearly = buyer.get(CHANGE, query={"period": "yearly"})
    assert "Downgrade" in _card(yearly.text, "pro-yearly-usd")


def test_a_dearer_plan_applied_at_the_period_end_is_not_called_an_upgrade(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    # On Pro yearly from January 1, Team ($50 a month) is dearer per month, but a year's
    # unused credit exceeds its price: the review moves it to the period end.
    yearly = kit.plans["pro-yearly"]
    _put(kit, plan_id=yearly.id, current_period_end=yearly.period.advance(
        kit.subscription.current_period_start))
    page = buyer.get(CHANGE, query={"period": "monthly"})
    card = _card(page.text, "team-usd")
    assert "Upgrade" not in card and "From the end of the period" in card
    assert "Downgrade" in _card(page.text, "basic-usd")
    review = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "team-usd"})
    assert "Confirm the change" in review.text  # nothing charged now, as the label said
    assert "Confirm and pay" not in review.text


def test_the_period_toggle_is_links_and_shows_the_yearly_saving(
        buyer: PortalTestClient) -> None:
    monthly = buyer.get(CHANGE)
    tabs = re.search(r'<nav class="period-tabs" aria-label="Billing period">(.*?)</nav>',
                     monthly.text, re.S)
    assert tabs is not None
    assert '<a href="/billing/subscriptions/sub_1/change?period=monthly" aria-current="true">' \
        'Monthly</a>' in tabs.group(1)
    assert '<a href="/billing/subscriptions/sub_1/change?period=yearly">Yearly</a>' \
        in tabs.group(1)
    yearly = buyer.get(CHANGE, query={"period": "yearly"})
    card = _card(yearly.text, "pro-yearly-usd")
    # 12 x $20 = $240 against $200: $40 saved, 16.7 %, shown as 17 %.
    assert "Save 17% ($40.00 a year)" in card and "Upgrade" in card
    assert 'value="pro-usd"' not in yearly.text and 'value="team-usd"' not in yearly.text
    assert 'period=yearly" aria-current="true"' in yearly.text
    odd = buyer.get(CHANGE, query={"period": "<script>"})  # unknown: the current period
    assert odd.status == 200 and 'period=monthly" aria-current="true"' in odd.text


def test_a_saving_only_where_a_monthly_plan_of_the_tier_exists(buyer: PortalTestClient,
                                                              kit: PortalKit) -> None:
    kit.store.save_plan(attrs.evolve(kit.plans["pro"], id="enterprise-yearly-usd",
                                     name="Enterprise yearly",
                                     period=kit.plans["pro-yearly"].period))
    yearly = buyer.get(CHANGE, query={"period": "yearly"})
    assert "Save" not in _card(yearly.text, "enterprise-yearly-usd")
    assert "Save 17%" in _card(yearly.text, "pro-yearly-usd")


def test_the_subscription_page_shows_the_current_period(buyer: PortalTestClient) -> None:
    page = buyer.get("/subscriptions/sub_1")
    assert "<dt>Current period</dt>" in page.text
    assert "January 1, 2026 – February 1, 2026" in page.text
    assert "Current period" not in buyer.get("/").text  # the overview stays short


def test_a_trial_says_when_it_ends_and_what_is_charged_then(buyer: PortalTestClient,
                                                           kit: PortalKit) -> None:
    sub = kit.store.get_subscription("sub_1")
    assert sub is not None
    _put(kit, status=SubscriptionStatus.TRIALING, trial_end=sub.current_period_end)
    trial = "Trial ends on February 1, 2026. Then $5.00 is charged."
    for path in ("/", "/subscriptions", "/subscriptions/sub_1"):
        assert trial in buyer.get(path).text, path
    _put(kit, status=SubscriptionStatus.CANCELING)
    assert "Trial ends on" not in buyer.get("/subscriptions/sub_1").text  # no trial any more


def test_proration_lines_carry_their_dates(buyer: PortalTestClient) -> None:
    review = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "pro-usd"})
    assert "Pro from January 2, 2026 to February 1, 2026" in review.text
    assert "Credit for unused time on Basic, January 2, 2026 – February 1, 2026" in review.text
    table = re.search(r'<table class="responsive">(.*?)</table>', review.text, re.S)
    assert table is not None
    body = table.group(1).split("<tbody>")[1]
    cells = re.findall(r"<(td|th scope=\"row\")([^>]*)>", body)
    assert cells and all('data-label="' in attrs_ for _tag, attrs_ in cells)


def test_a_scheduled_downgrade_can_be_undone(buyer: PortalTestClient, kit: PortalKit) -> None:
    _put(kit, plan_id="team-usd")
    kit.portal.change_plan(kit.buyer.id, "sub_1", "basic-usd",
                           idempotency_key="web-downgrade-0000001")
    page = buyer.get("/subscriptions/sub_1")
    undo = "/subscriptions/sub_1/scheduled-change/undo"
    form = page.form(undo)
    assert form.method == "POST" and "idempotency_key" in form.values()
    assert "Keep Team</button>" in page.text
    assert "Your plan changes to Basic on February 1, 2026." in page.text
    done = buyer.submit(page, undo)
    assert done.location == "/billing/subscriptions/sub_1?msg=change_undone"
    assert buyer.submit(page, undo).location == done.location  # a double submit: same answer
    stored = kit.store.get_subscription("sub_1")
    assert stored is not None and stored.scheduled_change is None
    assert stored.plan_id == "team-usd"
    after = buyer.follow(done)
    assert "The scheduled change was canceled. You stay on Team." in after.text
    assert undo not in after.text and "$50.00 on February 1, 2026" in after.text


def test_no_undo_without_a_scheduled_change(buyer: PortalTestClient) -> None:
    assert "scheduled-change/undo" not in buyer.get("/subscriptions/sub_1").text


def test_the_cancel_page_sums_up_what_ends_when(buyer: PortalTestClient,
                                               kit: PortalKit) -> None:
    page = buyer.get("/subscriptions/sub_1/cancel")
    summary = re.search(r'<section class="card cancel-summary"[^>]*>(.*?)</section>',
                        page.text, re.S)
    assert summary is not None
    text = summary.group(1)
    assert "<bdi>Basic</bdi> · $5.00 per month" in text
    assert "<dt>Access until</dt>\n    <dd>February 1, 2026</dd>" in text
    assert "None: $5.00 per month stops on February 1, 2026." in text
    assert "Canceling drops" not in page.text
    _put(kit, plan_id="team-usd")
    kit.portal.change_plan(kit.buyer.id, "sub_1", "basic-usd",
                           idempotency_key="web-downgrade-0000002")
    warned = buyer.get("/subscriptions/sub_1/cancel")
    assert ('<div class="notice notice-warning scheduled-change" role="note">\n'
            '  <p><strong>Canceling drops your scheduled switch to Basic.</strong>') in warned.text


def test_another_buyers_scheduled_change_cannot_be_undone(buyer: PortalTestClient,
                                                          kit: PortalKit) -> None:
    other = sample_subscription(kit.other_buyer.id, kit.plans["team"], subscription_id="sub_x")
    saved = kit.store.save_subscription(other)
    token = buyer.get("/").csrf_token
    answer = buyer.post("/subscriptions/sub_x/scheduled-change/undo",
                        {"csrf_token": token, "idempotency_key": "k" * 24})
    assert answer.status == 404 and kit.store.get_subscription("sub_x") == saved
