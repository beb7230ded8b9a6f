"""The buyer journey in a real browser, shared by the Flask and Django live servers."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
from pypdf import PdfReader

from waffo_portal import FrozenClock, MemoryMailer
from waffo_portal.ports import Store

from .conftest import ARTIFACTS

EMAIL = "ada@example.com"
SERIOUS = ("serious", "critical")


@attrs.define
class Journey:
    page: Any
    base: str  # e.g. http://127.0.0.1:PORT/billing
    store: Store
    mailer: MemoryMailer
    clock: FrozenClock
    framework: str
    axe: Path
    problems: dict[str, list[str]] = attrs.field(factory=dict)
    checked: list[str] = attrs.field(factory=list)
    minor: list[str] = attrs.field(factory=list)  # moderate/minor findings, reported only
    rules_passed: int = 0

    def visit(self, path: str) -> None:
        self.page.goto(self.base + path)

    def audit(self, name: str) -> None:
        """axe-core on the current page (serious/critical only) and a screenshot."""
        # Not add_script_tag: the portal's CSP (script-src 'self') rightly blocks an inline
        # script, and bypass_csp would also hide CSP breakage from the test. DevTools
        # evaluation is not subject to the page's CSP.
        self.page.evaluate(self.axe.read_text(encoding="utf-8"))
        result = self.page.evaluate("async () => await axe.run(document)")
        bad = [f"{v['id']} ({v['impact']}): {v['help']} -> "
               f"{[n['target'] for n in v['nodes']][:3]}"
               for v in result["violations"] if v["impact"] in SERIOUS]
        if bad:
            self.problems[name] = bad
        self.minor.extend(f"{name}:{v['id']}({v['impact']})" for v in result["violations"]
                          if v["impact"] not in SERIOUS)
        self.rules_passed += len(result["passes"])
        self.checked.append(name)
        folder = ARTIFACTS / self.framework
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    def link_from_mail(self) -> str:
        found = re.search(r"http://127\.0\.0\.1:\d+/billing/login/confirm\?token=\S+",
                          self.mailer.last_to(EMAIL).text)
        assert found is not None
        return found.group(0)

    def sign_in(self, audit: bool) -> None:
        self.page.fill("#email", EMAIL)
        self.page.click("form[action$='/login'] button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/login/sent.*"))
        if audit:
            self.audit("login_sent")
        self.page.goto(self.link_from_mail())
        if audit:
            self.audit("login_confirm")
        self.page.click("form[action$='/login/confirm'] button[type=submit]")


def run_journey(j: Journey) -> None:
    page = j.page
    buyer = j.store.find_buyer_by_email(EMAIL)
    assert buyer is not None
    j.visit("/login")
    j.audit("login")
    j.sign_in(audit=True)
    page.wait_for_url(j.base + "/")
    j.audit("overview")
    check_orders_and_invoice(j, buyer.id)
    sub = j.store.list_subscriptions(buyer.id)[0]
    check_upgrade_cancel_reactivate(j, sub.id)
    check_billing_details(j)
    check_languages(j)
    check_session_expiry(j)
    assert j.problems == {}, j.problems


def check_orders_and_invoice(j: Journey, buyer_id: str) -> None:
    j.visit("/orders")
    j.audit("orders")
    order = next(o for o in j.store.list_orders(buyer_id, 50) if j.store.get_invoice(o.id))
    invoice = j.store.get_invoice(order.id)
    assert invoice is not None
    j.visit(f"/orders/{order.id}")
    j.audit("order")
    j.visit(f"/orders/{order.id}/invoice")
    j.audit("invoice")
    with j.page.expect_download() as info:
        j.page.click(f"a[href*='/orders/{order.id}/invoice/pdf']")
    reader = PdfReader(info.value.path())
    assert reader.metadata is not None and reader.metadata.title == invoice.number
    text = "".join(p.extract_text() for p in reader.pages)
    total = f"{order.total.amount // 100}.{order.total.amount % 100:02d}"
    assert invoice.number in text and total in text, text


def check_upgrade_cancel_reactivate(j: Journey, sub_id: str) -> None:
    page = j.page
    j.visit(f"/subscriptions/{sub_id}")
    j.audit("subscription")
    j.visit(f"/subscriptions/{sub_id}/change")
    j.audit("change")
    current = j.store.get_subscription(sub_id)
    assert current is not None
    plan = j.store.get_plan(current.plan_id)
    assert plan is not None
    team = next(p for p in j.store.list_plans(plan.product_group) if p.name == "Team")
    page.check(f"input[value='{team.id}']")
    page.click("form[action$='/change/review'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/change/review\?plan=.*"))
    j.audit("review")
    page.click(f"form[action$='/subscriptions/{sub_id}/change'] button[type=submit]")
    page.wait_for_load_state()
    upgraded = j.store.get_subscription(sub_id)
    assert upgraded is not None and upgraded.plan_id == team.id
    j.visit(f"/subscriptions/{sub_id}/cancel")
    j.audit("cancel")
    page.select_option("#reason", "too_expensive")
    page.fill("#comment", "Testing from a real browser")
    page.click("form[action$='/cancel'] button[type=submit]")
    page.wait_for_selector("form[action$='/reactivate']")
    canceled = j.store.get_subscription(sub_id)
    assert canceled is not None and canceled.cancellation is not None
    assert canceled.cancellation.reason is not None
    assert canceled.cancellation.reason.value == "too_expensive"
    j.audit("subscription_canceling")
    page.click("form[action$='/reactivate'] button[type=submit]")
    page.wait_for_load_state()
    again = j.store.get_subscription(sub_id)
    assert again is not None and again.cancellation is None


def check_billing_details(j: Journey) -> None:
    page = j.page
    j.visit("/billing-details")
    j.audit("billing")
    page.select_option("#country", "DE")
    page.click("button[name=action][value=refresh]")
    page.wait_for_load_state()
    page.fill("#name", "Ada Lovelace")
    page.fill("#address_line1", "Unter den Linden 1")
    page.fill("#city", "Berlin")
    page.fill("#postal_code", "10115")
    # The business fields are hidden (portal.css, :has()) until the box is ticked.
    assert not page.is_visible("#business_name")
    page.check("#is_business")
    assert page.is_visible("#business_name") and page.is_visible("#tax_id")
    page.fill("#business_name", "Ada GmbH")
    page.fill("#tax_id", "DE123")
    page.click("form[action$='/billing-details'] button.button[type=submit]")
    page.wait_for_selector("#tax_id[aria-invalid=true]")
    j.audit("billing_invalid")
    page.fill("#tax_id", "DE136695976")
    page.click("form[action$='/billing-details'] button.button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 0
    buyer = j.store.find_buyer_by_email(EMAIL)
    assert buyer is not None
    details = j.store.get_billing_details(buyer.id)
    assert details is not None and details.tax_id.endswith("136695976")
    assert (details.name, details.city) == ("Ada Lovelace", "Berlin")


def check_languages(j: Journey) -> None:
    j.visit("/?lang=ja")
    assert j.page.get_attribute("html", "lang") == "ja"
    j.audit("overview_ja")
    j.visit("/orders?lang=ar")
    assert j.page.get_attribute("html", "dir") == "rtl"
    assert j.page.get_attribute("html", "lang") == "ar"
    j.audit("orders_ar")
    j.visit("/?lang=en")


def check_session_expiry(j: Journey) -> None:
    j.clock.advance(timedelta(minutes=31))
    j.visit("/orders")
    j.page.wait_for_url(re.compile(r".*/login\?next=.*"))
    j.audit("login_expired")
    j.sign_in(audit=False)
    j.page.wait_for_url(j.base + "/orders")
    assert j.page.locator("table").count() >= 1
