"""Which product codes are not products (postage, fees, discounts, samples).

The one list and the one test, shared by co-purchase mining (such codes make
no useful antecedents and are never offered) and the UCI importer (which marks
them not offerable, docs/import.md). Kept apart from mining so the importer
does not load numpy and scipy to read it.
"""

from __future__ import annotations

# Mining excludes these exact codes ("m" appears in lower case in the UCI data);
# is_non_product compares in upper case.
NON_PRODUCT_CODES = frozenset(
    {"POST", "DOT", "M", "m", "D", "C2", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS"}
)
NON_PRODUCT_PREFIXES = ("GIFT_0001_", "GIFT_")


def is_non_product(code: str) -> bool:
    """True for a listed code, a gift-voucher code, or any code without a digit."""
    upper = code.strip().upper()
    return (
        not any(char.isdigit() for char in upper)
        or upper in NON_PRODUCT_CODES
        or upper.startswith(NON_PRODUCT_PREFIXES)
    )
