"""The shop's own CSV format: products.csv, customers.csv and orders.csv.

The shop is the source of truth for these rows, so re-importing a file
updates existing rows (upsert) instead of ignoring them. Every column is
documented in docs/import.md. One module per file kind; ``rows`` holds what
they share (the header check and per-column parsing).
"""

from tactful.importer.shop.customers import CUSTOMERS, import_customers, parse_customer
from tactful.importer.shop.orders import ORDERS, import_orders, parse_order_line
from tactful.importer.shop.products import PRODUCTS, import_products, parse_product
from tactful.importer.shop.rows import Layout

__all__ = [
    "CUSTOMERS",
    "ORDERS",
    "PRODUCTS",
    "Layout",
    "import_customers",
    "import_orders",
    "import_products",
    "parse_customer",
    "parse_order_line",
    "parse_product",
]
