"""The demo catalog (docs/architecture.md). SKUs are stable: tests and
policy.yml refer to them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    category: str
    price: Decimal
    margin_rate: Decimal
    stock: int
    need_group: str
    description: str
    includes: str
    tier: int | None = None
    upgrade_to: str | None = None
    compatible_with: tuple[str, ...] = ()
    offer_regions: tuple[str, ...] | None = None
    offer_channels: tuple[str, ...] | None = None
    is_subscription: bool = False
    # The name inside a sentence: offer templates already say "spare" or
    # "plan", so the short name must not say it again.
    short_name: str = ""


CAMERAS = ("CAM-X100", "CAM-X200")
# Subscriptions have no physical stock; a large number keeps "out of stock"
# rules from ever excluding them.
UNLIMITED = 100_000

PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct(
        "CAM-X100",
        "Aurora X100 camera",
        "camera",
        Decimal("499.00"),
        Decimal("0.18"),
        12,
        "camera",
        "24 MP mirrorless camera with a 24-70 mm kit lens, 4K video and in-body stabilisation.",
        "Camera body, 24-70 mm lens, one battery, USB-C charger, strap, quick-start guide.",
        tier=1,
        upgrade_to="CAM-X200",
        short_name="Aurora X100",
    ),
    DemoProduct(
        "CAM-X200",
        "Aurora X200 camera",
        "camera",
        Decimal("749.00"),
        Decimal("0.20"),
        7,
        "camera",
        "33 MP mirrorless camera with weather sealing, dual card slots and 6K video.",
        "Camera body, 24-105 mm lens, one battery, USB-C charger, strap, quick-start guide.",
        tier=2,
        short_name="Aurora X200",
    ),
    DemoProduct(
        "SD-64",
        "64 GB SD memory card",
        "memory_card",
        Decimal("24.99"),
        Decimal("0.45"),
        80,
        "memory_card",
        "UHS-I V30 SD card, fast enough for 4K video on the X-series cameras.",
        "One 64 GB SD card in a plastic case.",
        compatible_with=CAMERAS,
        short_name="64 GB SD card",
    ),
    DemoProduct(
        "SD-128",
        "128 GB SD memory card",
        "memory_card",
        Decimal("39.99"),
        Decimal("0.42"),
        55,
        "memory_card",
        "UHS-II V60 SD card for long 4K and 6K recordings.",
        "One 128 GB SD card in a plastic case.",
        compatible_with=CAMERAS,
        short_name="128 GB SD card",
    ),
    DemoProduct(
        "BAT-X",
        "X-series camera battery",
        "battery",
        Decimal("29.99"),
        Decimal("0.40"),
        40,
        "camera_battery",
        "1,800 mAh lithium-ion battery for the X100 and X200, about 350 shots per charge.",
        "One battery with a protective cap.",
        compatible_with=CAMERAS,
        short_name="X-series battery",
    ),
    DemoProduct(
        "BAG-CAM",
        "Padded camera bag",
        "bag",
        Decimal("34.99"),
        Decimal("0.35"),
        25,
        "camera_bag",
        "Shoulder bag with padded dividers for one camera, two lenses and accessories.",
        "Bag, removable dividers, rain cover.",
        compatible_with=CAMERAS,
        short_name="camera bag",
    ),
    DemoProduct(
        "TRIPOD-T1",
        "Travel tripod",
        "tripod",
        Decimal("59.00"),
        Decimal("0.30"),
        0,  # out of stock on purpose: stock rules must exclude it
        "tripod",
        "Aluminium travel tripod, 1.5 m tall, folds to 40 cm, holds 4 kg.",
        "Tripod, ball head with quick-release plate, carry pouch.",
        compatible_with=CAMERAS,
        short_name="travel tripod",
    ),
    DemoProduct(
        "HP-100",
        "Studio headphones",
        "headphones",
        Decimal("129.00"),
        Decimal("0.25"),
        30,
        "headphones",
        "Closed-back wired studio headphones with a detachable cable.",
        "Headphones, 3 m cable, 6.35 mm adapter, soft pouch.",
        tier=1,
        upgrade_to="HP-200",
        short_name="studio headphones",
    ),
    DemoProduct(
        "HP-200",
        "Studio headphones Pro",
        "headphones",
        Decimal("199.00"),
        Decimal("0.27"),
        18,
        "headphones",
        "Wireless studio headphones with active noise cancelling and 30 hours of battery.",
        "Headphones, USB-C cable, 3.5 mm cable, hard case.",
        tier=2,
        short_name="Pro studio headphones",
    ),
    DemoProduct(
        "LAP-13",
        "Nimbus 13 laptop",
        "laptop",
        Decimal("999.00"),
        Decimal("0.12"),
        9,
        "laptop",
        "13-inch laptop, 16 GB memory, 512 GB SSD, two USB-C ports.",
        "Laptop, 65 W USB-C charger, USB-C cable.",
        offer_channels=("socketio",),  # big-ticket: pitched in the website widget only
        short_name="Nimbus 13 laptop",
    ),
    DemoProduct(
        "SLV-13",
        "13-inch laptop sleeve",
        "sleeve",
        Decimal("29.00"),
        Decimal("0.50"),
        35,
        "laptop_sleeve",
        "Water-resistant neoprene sleeve for 13-inch laptops.",
        "One sleeve.",
        compatible_with=("LAP-13",),
        short_name="laptop sleeve",
    ),
    DemoProduct(
        "HUB-C",
        "USB-C hub",
        "hub",
        Decimal("49.00"),
        Decimal("0.40"),
        22,
        "usb_hub",
        "7-in-1 USB-C hub: HDMI 4K, two USB-A, SD and microSD readers, 100 W pass-through charging.",
        "Hub with an attached 15 cm cable.",
        compatible_with=("LAP-13",),
        offer_regions=("United Kingdom", "Ireland"),  # plug and warranty for UK/IE only
        short_name="USB-C hub",
    ),
    DemoProduct(
        "PLAN-BASIC",
        "PhotoCloud Basic plan (monthly)",
        "subscription",
        Decimal("5.00"),
        Decimal("0.80"),
        UNLIMITED,
        "photo_plan",
        "50 GB of photo storage with automatic upload from the X-series cameras.",
        "50 GB storage, web gallery, automatic upload.",
        tier=1,
        upgrade_to="PLAN-PRO",
        is_subscription=True,
        short_name="PhotoCloud Basic plan",
    ),
    DemoProduct(
        "PLAN-PRO",
        "PhotoCloud Pro plan (monthly)",
        "subscription",
        Decimal("12.00"),
        Decimal("0.80"),
        UNLIMITED,
        "photo_plan",
        "1 TB of photo storage, RAW file support and shared albums.",
        "1 TB storage, RAW support, shared albums, everything in Basic.",
        tier=2,
        upgrade_to="PLAN-BUSINESS",
        is_subscription=True,
        short_name="PhotoCloud Pro plan",
    ),
    DemoProduct(
        "PLAN-BUSINESS",
        "PhotoCloud Business plan (monthly)",
        "subscription",
        Decimal("25.00"),
        Decimal("0.80"),
        UNLIMITED,
        "photo_plan",
        "5 TB of storage, client galleries with your logo and five team seats.",
        "5 TB storage, client galleries, five seats, everything in Pro.",
        tier=3,
        is_subscription=True,
        short_name="PhotoCloud Business plan",
    ),
)

BY_SKU = {product.sku: product for product in PRODUCTS}
