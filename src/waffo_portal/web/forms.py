"""The billing-details form, shared by the billing page and the invoice page.

Without JavaScript the state list cannot follow the country select, so the form has a
second submit button ("Update the list of states") that re-renders it for the chosen
country without saving anything.
"""

from __future__ import annotations

from typing import Any

from ..core.billing_details import TEXT_FIELDS, required_fields
from ..core.exceptions import ValidationError
from ..core.models import BillingDetails
from .http import MultiDict
from .messages import field_messages
from .page import Page

REFRESH = "refresh"


def values_from_details(details: BillingDetails | None) -> dict[str, str]:
    if details is None:
        return dict.fromkeys((*TEXT_FIELDS, "is_business"), "")
    values = {field: str(getattr(details, field)) for field in TEXT_FIELDS}
    values["is_business"] = "1" if details.is_business else ""
    return values


def values_from_form(form: MultiDict) -> dict[str, str]:
    values = {field: form.get_one(field)[:1000] for field in TEXT_FIELDS}
    values["is_business"] = "1" if form.get_one("is_business") else ""
    return values


def wants_refresh(form: MultiDict) -> bool:
    return form.get_one("action") == REFRESH


def translated_errors(page: Page, exc: ValidationError) -> dict[str, str]:
    """Field -> message in the buyer's language, from each field's message key."""
    return field_messages(page.gettext, exc.keys)


def billing_form_context(page: Page, values: dict[str, str],
                         errors: dict[str, str] | None = None) -> dict[str, Any]:
    country = values.get("country", "").upper()
    return {
        "values": values, "errors": errors or {},
        "countries": page.portal.countries(page.locale),
        "states": page.portal.subdivisions(country, page.locale) if country else [],
        # Fields the chosen country's addresses need: the others are marked optional.
        "required": required_fields(country),
        "editable": page.portal.billing_details_editable,
        "billing_url": page.portal.billing_details_url,
    }


def save_billing(page: Page, order_id: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Submit the form: (values, errors). No errors means it was saved."""
    values = values_from_form(page.request.form)
    try:
        page.portal.update_billing_details(page.buyer_id, values,
                                           revise_invoice_order_id=order_id)
    except ValidationError as exc:
        return values, translated_errors(page, exc)
    return values, {}
