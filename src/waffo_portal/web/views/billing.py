"""Billing details (country, state, postal code, business, tax id) and tax information."""

from __future__ import annotations

from decimal import Decimal

from ...invoices.wording import percent
from ..forms import (
    billing_form_context,
    save_billing,
    values_from_details,
    values_from_form,
    wants_refresh,
)
from ..http import Response
from ..page import Page

TAX_LINES = 50


def billing_form(page: Page) -> Response:
    details = page.portal.get_billing_details(page.buyer_id)
    saved = page.request.query.get_one("msg") == "saved"
    return page.render("billing.html", saved=saved, details=details,
                       **billing_form_context(page, values_from_details(details)))


def billing_submit(page: Page) -> Response:
    if wants_refresh(page.request.form):
        values = values_from_form(page.request.form)
        return page.render("billing.html", saved=False, **billing_form_context(page, values))
    values, errors = save_billing(page)
    if errors:
        return page.render("billing.html", 422, saved=False,
                           **billing_form_context(page, values, errors))
    return page.redirect("/billing-details", {"msg": "saved"})


def tax_information(page: Page) -> Response:
    lines = page.portal.tax_summary(page.buyer_id, TAX_LINES)

    def rate(value: Decimal) -> str:  # "19 %" in German, "19%" in English
        return percent(value, page.locale)

    return page.render("tax.html", lines=lines, percent=rate,
                       details=page.portal.get_billing_details(page.buyer_id))
