

def test_display_names_for_codes() -> None:
    from waffo_portal.core.billing_details import country_name, subdivision_name

    assert country_name("JP", "ja") == "日本"
    assert country_name("DE", "fr") == "Allemagne"
    assert subdivision_name("US-CA", "de") == "Kalifornien"
    assert country_name("ZZ") == "ZZ" and subdivision_name("XX-1") == "XX-1"
