"""Complete, valid billing forms per country, for tests about one other field."""

from __future__ import annotations

# country -> (state as typed, postal code, city): each passes its country's rules.
PLACES: dict[str, tuple[str, str, str]] = {
    "DE": ("", "10115", "Berlin"), "FR": ("", "75001", "Paris"),
    "IT": ("MI", "20121", "Milano"), "ES": ("M", "28013", "Madrid"),
    "NL": ("", "1012 AB", "Amsterdam"), "PL": ("", "00-950", "Warszawa"),
    "AT": ("", "1010", "Wien"), "BE": ("", "1000", "Bruxelles"),
    "GR": ("", "105 57", "Athina"), "IE": ("", "D02 XY45", "Dublin"),
    "GB": ("", "SW1A 1AA", "London"), "CH": ("", "8001", "Zürich"),
    "NO": ("", "0150", "Oslo"), "AU": ("NSW", "2000", "Sydney"),
    "NZ": ("", "6011", "Wellington"), "IN": ("MH", "400001", "Mumbai"),
    "BR": ("SP", "01310-100", "São Paulo"), "JP": ("13", "100-0001", "千代田区"),
    "KR": ("11", "03187", "Seoul"), "CN": ("BJ", "100000", "北京市"),
    "TR": ("", "06100", "Ankara"), "RU": ("MOW", "101000", "Moskva"),
    "MX": ("CMX", "06000", "Ciudad de México"), "CA": ("ON", "K1A 0B1", "Ottawa"),
    "US": ("CA", "94107", "San Francisco"), "SG": ("", "018989", ""),
    "ZA": ("", "8001", "Cape Town"), "AR": ("", "1000", "Buenos Aires"),
    "CL": ("", "8320000", "Santiago"), "CO": ("DC", "", "Bogotá"),
    "TH": ("10", "10200", "Bangkok"), "AE": ("DU", "", "Dubai"),
    "HK": ("", "", ""), "SA": ("", "11564", "Riyadh"), "BO": ("", "", "La Paz"),
    "KP": ("", "", "Pyongyang"),
}


def full_form(place: str, /, **fields: str) -> dict[str, str]:
    """A consumer's complete form for the country ``place``; ``fields`` override or add
    to it (the country too: ``full_form("DE", country="de")``)."""
    state, postal_code, city = PLACES[place]
    form = {"name": "Ada Lovelace", "country": place, "address_line1": "1 Main Street",
            "city": city, "state": state, "postal_code": postal_code}
    return form | fields


def business_form(place: str, /, **fields: str) -> dict[str, str]:
    """The same for a business, named "Acme"."""
    return full_form(place, **({"is_business": "1", "business_name": "Acme"} | fields))
