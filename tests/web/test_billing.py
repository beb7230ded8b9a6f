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
    assert 'id="name-error"' in bad.text and 'id="address_line1-error"' in bad.text
    good = buyer.submit(bad, "/billing-details", {
        "state": "US-CA", "postal_code": "94107", "business_name": "Ada Inc",
        "name": "Ada Lovelace", "address_line1": "500 Howard Street", "city": "San Francisco"})
    assert good.location == "/billing/billing-details?msg=saved"
    saved = kit.store.get_billing_details(kit.buyer.id)
    assert saved is not None and saved.state == "US-CA" and saved.business_name == "Ada Inc"
    assert (saved.name, saved.address_line1, saved.city) == \
        ("Ada Lovelace", "500 Howard Street", "San Francisco")
    overview = buyer.get("/").text  # shown by name in the buyer's language, not as codes
    assert "<dd><bdi>Kalifornien</bdi></dd>" in overview
    assert "<dd><bdi>Vereinigte Staaten</bdi></dd>" in overview


def test_state_list_follows_the_country_without_javascript(buyer: PortalTestClient) -> None:
    form = buyer.get("/billing-details")
    refreshed = buyer.submit(form, "/billing-details", {"country": "CA"},
                             button=("action", "refresh"))
    assert refreshed.status == 200
    assert '<option value="CA-QC"' in refreshed.text


def test_buyer_text_is_always_escaped(buyer: PortalTestClient, kit: PortalKit) -> None:
    form = buyer.get("/billing-details")
    evil = "<script>alert(1)</script>"
    saved = buyer.submit(form, "/billing-details", {
        "country": "DE", "postal_code": "10115", "is_business": "1", "business_name": evil,
        "name": evil, "address_line1": evil, "city": "Berlin"})
    assert saved.status == 303
    for path in ("/billing-details", "/", "/tax"):
        text = buyer.get(path).text
        assert evil not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in buyer.get("/").text


def test_tax_information(buyer: PortalTestClient) -> None:
    page = buyer.get("/tax")
    assert page.status == 200
    assert "/billing/orders/ord_3" in page.links()


def test_the_form_asks_for_a_full_address_in_a_natural_order(buyer: PortalTestClient) -> None:
    text = buyer.get("/billing-details").text
    fields = [("name", "name"), ("country", "country"), ("address_line1", "address-line1"),
              ("address_line2", "address-line2"), ("city", "address-level2"),
              ("state", "address-level1"), ("postal_code", "postal-code"),
              ("business_name", "organization")]
    places = []
    for name, token in fields:
        assert f'<label for="{name}">' in text
        start = text.index(f'id="{name}" name="{name}"')
        assert f'autocomplete="{token}"' in text[start:text.index(">", start)]
        places.append(start)
    assert places == sorted(places)
    # The business fields sit in the fieldset portal.css hides while the box is unticked.
    fieldset = text[text.index('<fieldset class="stack business-fields">'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    assert 'id="business_name"' in fieldset and 'id="tax_id"' in fieldset
    assert text.index('id="is_business"') < text.index("business-fields")
    css = buyer.get("/static/portal.css").text
    assert ".billing-form:has(#is_business:not(:checked)) .business-fields" in css


def test_optional_fields_follow_the_chosen_country(buyer: PortalTestClient) -> None:
    form = buyer.get("/billing-details")
    japan = buyer.submit(form, "/billing-details", {"country": "JP"},
                         button=("action", "refresh")).text
    city_label = japan[japan.index('<label for="city">'):]
    assert "(optional)" in city_label[:city_label.index("</label>")]
    germany = buyer.submit(form, "/billing-details", {"country": "DE"},
                           button=("action", "refresh")).text
    city_label = germany[germany.index('<label for="city">'):]
    assert "(optional)" not in city_label[:city_label.index("</label>")]


def test_a_consumers_hidden_business_fields_are_not_saved(buyer: PortalTestClient,
                                                          kit: PortalKit) -> None:
    form = buyer.get("/billing-details")
    done = buyer.submit(form, "/billing-details", {
        "name": "Erika Mustermann", "country": "DE", "address_line1": "Unter den Linden 1",
        "address_line2": "Hinterhaus", "city": "Berlin", "postal_code": "10115",
        "business_name": "Old GmbH", "tax_id": "DE136695976"})
    assert done.location == "/billing/billing-details?msg=saved"
    saved = kit.store.get_billing_details(kit.buyer.id)
    assert saved is not None and not saved.is_business
    assert (saved.business_name, saved.tax_id, saved.address_line2) == ("", "", "Hinterhaus")
    text = buyer.get("/billing-details").text
    assert 'value="Unter den Linden 1"' in text and 'value="Hinterhaus"' in text
