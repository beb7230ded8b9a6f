"""Every page of the portal in one language, at 1280 and 390 px, checked (pagecheck.py).

One signed-out visit (login, link sent, confirm, 404), then Ada (active, every page she
has), then the buyers whose subscription is trialing, past due and canceling, entered by
the merchant's hand-off, then logout. The viewport changes between the widths without
a reload; failures are collected, not raised, so one run lists them all.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from .conftest import ARTIFACTS
from .pagecheck import COLLECT_TEXT, Failure, check_page, shoot
from .screens import WIDTHS, save_small, wanted
from .sites import Site

ADA = "ada@example.com"
STATES = (("kenji@example.jp", "trialing"), ("hans@example.de", "past_due"),
          ("marie@example.fr", "canceling"))
HEIGHT = 900
LINK = re.compile(r"http://127\.0\.0\.1:\d+/billing/login/confirm\?token=\S+")


@attrs.define
class Walk:
    page: Any
    site: Site
    locale: str
    axe: str
    failures: list[Failure] = attrs.field(factory=list)
    looked: list[str] = attrs.field(factory=list)
    log: Any = None  # pytest's caplog: a 500's traceback goes into its failure row

    def url(self, path: str) -> str:
        joiner = "&" if "?" in path else "?"
        return f"{self.site.base}{path}{joiner}lang={self.locale}"

    def visit(self, path: str, name: str, status: int = 200) -> None:
        response = self.page.goto(self.url(path))
        if response is None or response.status != status:
            got = response.status if response is not None else "none"
            self.fail(name, 0, "status", f"{path}: HTTP {got}, expected {status}"
                      f"{self.last_error()}")
        landed = urlsplit(self.page.url).path
        if landed != urlsplit(self.site.base + path).path:  # e.g. sent to sign in
            self.fail(name, 0, "redirect", f"{path} ended on {self.page.url}")
        self.look(name)

    def last_error(self) -> str:
        records = [r for r in (self.log.records if self.log else []) if r.exc_info]
        if not records:
            return ""
        _, error, trace = records[-1].exc_info
        while trace is not None and trace.tb_next is not None:
            trace = trace.tb_next
        where = (f"{trace.tb_frame.f_code.co_filename.split('/src/')[-1]}:{trace.tb_lineno}"
                 if trace is not None else "")
        return f"; {type(error).__name__}: {str(error)[:200]} at {where}"

    def fail(self, name: str, width: int, check: str, detail: str) -> None:
        self.failures.append(Failure(self.site.framework, self.locale, name, width, check,
                                     detail))

    def look(self, name: str) -> None:
        """Check the page at both widths, starting with the one the viewport has."""
        current = self.page.viewport_size["width"]
        for width in sorted(WIDTHS, key=lambda w: w != current):
            if width != current:
                self.page.set_viewport_size({"width": width, "height": HEIGHT})
            for check, detail in check_page(self.page, self.axe, self.locale):
                self.fail(name, width, check, detail)
            self.screenshot(name, width)
        self.looked.append(name)

    def screenshot(self, name: str, width: int) -> None:
        framework = self.site.framework
        path = ARTIFACTS / "matrix" / framework / f"{name}_{self.locale}_{width}.png"
        shoot(self.page, path)
        if width == WIDTHS[0]:  # what the English check read, for reading a failure
            lines = self.page.evaluate(COLLECT_TEXT)
            path.with_suffix(".txt").write_text("\n".join(lines), encoding="utf-8")
        docs = os.environ.get("WAFFO_SCREENSHOTS")
        if docs and framework == "flask" and (name, self.locale, width) in wanted():
            save_small(path, Path(docs), width)

    def step(self, name: str, action: Callable[[], None]) -> None:
        """A flow that may break while the pages change: record it and carry on."""
        try:
            action()
        except Exception as error:  # Playwright timeouts, a missing element
            self.fail(name, 0, "flow", f"{type(error).__name__}: {str(error)[:300]}")


def walk(w: Walk) -> None:
    w.step("login", lambda: signed_out(w))
    w.step("ada", lambda: ada_pages(w))
    for email, state in STATES:
        w.step(f"subscription_{state}", functools.partial(other_state, w, email, state))
    w.step("logged_out", lambda: logged_out(w))


def signed_out(w: Walk) -> None:
    w.visit("/login", "login")
    w.visit("/no-such-page", "404_signed_out", status=404)
    w.page.goto(w.url("/login"))
    w.page.fill("#email", ADA)
    w.page.click("form[action$='/login'] button[type=submit]")
    w.page.wait_for_url(re.compile(r".*/login/sent.*"))
    w.look("login_sent")
    found = LINK.search(w.site.mailer.last_to(ADA).text)
    assert found is not None, "no sign-in link in the email"
    w.page.goto(found.group(0) + f"&lang={w.locale}")
    w.look("login_confirm")
    w.page.click("form[action$='/login/confirm'] button[type=submit]")
    w.page.wait_for_url(re.compile(r".*/billing/(\?.*)?$"))


def ada_pages(w: Walk) -> None:
    store, buyer_id = w.site.store, w.site.buyer_id(ADA)
    w.visit("/", "overview")
    w.visit("/orders", "orders")
    order = f"{buyer_id}-r0"  # a failed then a successful payment, invoiced
    w.visit(f"/orders/{order}", "order")
    w.visit(f"/orders/{order}/invoice", "invoice")
    w.visit("/subscriptions", "subscriptions")
    sub = store.list_subscriptions(buyer_id)[0]
    w.visit(f"/subscriptions/{sub.id}", "subscription_active")
    w.visit(f"/subscriptions/{sub.id}/change", "change")
    plan = store.get_plan(sub.plan_id)
    assert plan is not None
    team = next(p for p in store.list_plans(plan.product_group) if p.name == "Team")
    w.visit(f"/subscriptions/{sub.id}/change/review?plan={team.id}", "review")
    w.visit(f"/subscriptions/{sub.id}/cancel", "cancel")
    w.visit("/billing-details", "billing")
    w.step("billing_invalid", lambda: billing_invalid(w))
    w.visit("/tax", "tax")
    w.visit("/no-such-page", "404_signed_in", status=404)


def billing_invalid(w: Walk) -> None:
    page = w.page
    page.select_option("#country", "DE")
    page.click("button[name=action][value=refresh]")
    page.wait_for_load_state()
    page.fill("#postal_code", "10115")
    page.fill("#city", "Berlin")
    page.check("#is_business")
    page.fill("#business_name", "Ada GmbH")
    page.fill("#tax_id", "DE123")
    page.click("form[action$='/billing-details'] button.button[type=submit]")
    page.wait_for_selector("#tax_id[aria-invalid=true]")
    w.look("billing_invalid")


def other_state(w: Walk, email: str, state: str) -> None:
    buyer_id = w.site.buyer_id(email)
    sub = w.site.store.list_subscriptions(buyer_id)[0]
    w.page.goto(w.site.enter_url(buyer_id, next=f"/billing/subscriptions/{sub.id}"
                                                f"?lang={w.locale}"))
    w.page.wait_for_url(re.compile(rf".*/billing/subscriptions/{sub.id}.*"))
    w.look(f"subscription_{state}")
    if state == "past_due":
        w.visit("/", "overview_past_due")


def logged_out(w: Walk) -> None:
    w.page.goto(w.url("/"))
    w.page.click("form[action$='/logout'] button[type=submit] >> nth=0")
    w.page.wait_for_load_state()
    assert "/logout" not in w.page.url or w.page.locator("main").count() > 0
    w.look("logged_out")
