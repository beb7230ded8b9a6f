from __future__ import annotations

from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient


def test_invalid_input_is_explained_per_field_in_german(buyer: PortalTestClient,
                                                        kit: PortalKit) -> None:
    form = buyer.get("/billing-details", query={"lang": "de"})
    bad = buyer.submit(form, "/billing-details", {
        "country": "US", "state": "", "postal_code": "ABC", "is_business": "1",
        "business_name": ""})
    assert bad.status == 422
    assert 'lang="de"' in bad.text
    assert 'id="state-error"' in bad.text and 'id="postal_code-error"' in bad.text
    assert 'id="business_name-error"' in bad.text
    for german in ("Geben Sie eine gültige Postleitzahl für dieses Land ein",
                   "Wählen Sie Ihr Bundesland bzw. Ihre Provinz",
                   "Geben Sie den Firmennamen ein"):
        assert german in bad.text
    assert "Enter a valid postal code" not in bad.text
    assert 'value="ABC"' in bad.text and '<option value="US" selected>' in bad.text
    assert kit.store.get_billing_details(kit.buyer.id) is None
    good = buyer.submit(bad, "/billing-details", {"state": "US-CA", "postal_code": "94107",
                                          "business_name": "Ada Inc"})
    assert good.location == "/billing/billing-details?msg=saved"
    saved = kit.store.get_billing_details(kit.buyer.id)
    assert saved is not None and saved.state == "US-CA" and saved.business_name == "Ada Inc"
    overview = buyer.get("/").text  # shown by name in the buyer's language, not as codes
    assert "<dd>Kalifornien</dd>" in overview and "<dd>Vereinigte Staaten</dd>" in overview


def test_state_list_follows_the_country_without_javascript(buyer: PortalTestClient) -> None:
    form = buyer.get("/billing-details")
    refreshed = buyer.submit(form, "/billing-details", {"country": "CA"},
                             button=("action", "refresh"))
    assert refreshed.status == 200
    assert '<option value="CA-QC"' in refreshed.text


def test_buyer_text_is_always_escaped(buyer: PortalTestClient, kit: PortalKit) -> None:
    form = buyer.get("/billing-details")
    evil = "<script>alert(1)</script>"
    buyer.submit(form, "/billing-details", {"country": "DE", "postal_code": "10115",
                                    "is_business": "1", "business_name": evil})
    for path in ("/billing-details", "/", "/tax"):
        text = buyer.get(path).text
        assert evil not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in buyer.get("/").text


def test_tax_information(buyer: PortalTestClient) -> None:
    page = buyer.get("/tax")
    assert page.status == 200
    assert "/billing/orders/ord_3" in page.links()
