"""Parse a policy document (already loaded by ruamel.yaml) into a ``Policy``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tactful.engine.policy_model import (
    KNOWN_CHANNELS,
    Caps,
    Channels,
    Declines,
    Frustration,
    Holdout,
    Links,
    Mining,
    Policy,
    WindowCap,
)
from tactful.engine.policy_offers import check_template, parse_offers
from tactful.engine.policy_reader import Issues, Section
from tactful.engine.templates import placeholders_in

SUPPORTED_VERSIONS = (1,)
_TOP_KEYS = frozenset(
    {
        "version",
        "currency_symbol",
        "default_margin_rate",
        "caps",
        "declines",
        "holdout",
        "channels",
        "frustration",
        "mining",
        "links",
        "mined_message",
        "offers",
    }
)
_LINK_PLACEHOLDERS = frozenset({"sku", "offer_id", "variant_id"})


def _caps(top: Section) -> Caps:
    section = top.section("caps")
    if section is None:
        return Caps()
    section.only_keys({"per_conversation", "per_customer_window", "same_offer_days"})
    window = WindowCap()
    sub = section.section("per_customer_window")
    if sub is not None:
        sub.only_keys({"max", "days"})
        window = WindowCap(max=sub.integer("max", 2, minimum=0), days=sub.days("days", 7))
    return Caps(
        per_conversation=section.integer("per_conversation", 1, minimum=0),
        per_customer_window=window,
        same_offer_days=section.days("same_offer_days", 30),
    )


def _declines(top: Section) -> Declines:
    section = top.section("declines")
    if section is None:
        return Declines()
    keys = {
        "offer_suppression_days",
        "category_suppression_days",
        "pause_after",
        "pause_window_days",
        "pause_days",
    }
    section.only_keys(keys)
    return Declines(
        offer_suppression_days=section.days("offer_suppression_days", 90),
        category_suppression_days=section.days("category_suppression_days", 14),
        pause_after=section.integer("pause_after", 2, minimum=1),
        pause_window_days=section.days("pause_window_days", 30),
        pause_days=section.days("pause_days", 30),
    )


def _holdout(top: Section) -> Holdout:
    section = top.section("holdout")
    if section is None:
        return Holdout()
    section.only_keys({"share", "salt"})
    return Holdout(
        share=section.share("share", 0.10),
        salt=section.text("salt", Holdout.salt) or Holdout.salt,
    )


def _channels(top: Section) -> Channels:
    section = top.section("channels")
    if section is None:
        return Channels()
    section.only_keys(KNOWN_CHANNELS | {"default"})
    switches = tuple(
        sorted(
            (name, section.flag(name, True))
            for name in section.data
            if isinstance(name, str) and name in KNOWN_CHANNELS
        )
    )
    return Channels(default=section.flag("default", True), switches=switches)


def _frustration(top: Section) -> Frustration:
    section = top.section("frustration")
    if section is None:
        return Frustration()
    section.only_keys({"fallbacks"})
    return Frustration(fallbacks=section.integer("fallbacks", 2, minimum=1))


def _mining(top: Section) -> Mining:
    section = top.section("mining")
    if section is None:
        return Mining()
    keys = {
        "enabled",
        "min_support",
        "min_confidence",
        "min_lift",
        "max_rules",
        "recent_days",
        "min_margin",
    }
    section.only_keys(keys)
    defaults = Mining()
    min_support = section.share("min_support", defaults.min_support)
    if section.has("min_support") and min_support <= 0:
        section.error("min_support", "must be above 0 (0 would keep every pair)")
    min_lift = float(section.number("min_lift", Decimal(str(defaults.min_lift))))
    if min_lift <= 1:
        # DESIGN: co-purchase rules need lift > 1, or they say nothing.
        section.error("min_lift", f"must be greater than 1, got {min_lift}")
        min_lift = defaults.min_lift
    return Mining(
        enabled=section.flag("enabled", defaults.enabled),
        min_support=min_support if min_support > 0 else defaults.min_support,
        min_confidence=section.share("min_confidence", defaults.min_confidence),
        min_lift=min_lift,
        max_rules=section.integer("max_rules", defaults.max_rules, minimum=0),
        recent_days=section.days("recent_days", defaults.recent_days),
        min_margin=section.number("min_margin", defaults.min_margin, minimum=Decimal(0)),
    )


def _links(top: Section) -> Links:
    section = top.section("links")
    if section is None:
        return Links()
    section.only_keys({"add_to_cart", "upgrade"})
    values: dict[str, str] = {}
    for key in ("add_to_cart", "upgrade"):
        text = section.text(key, getattr(Links, key)) or getattr(Links, key)
        try:
            unknown = set(placeholders_in(text)) - _LINK_PLACEHOLDERS
        except ValueError as exc:
            section.error(key, f"bad template: {exc}")
            continue
        if unknown:
            section.error(key, f"unknown placeholder(s) {sorted(unknown)} (known: sku, offer_id, variant_id)")
            continue
        values[key] = text
    return Links(**values)


def _mined_message(top: Section) -> str:
    default = Policy.mined_message
    text = top.text("mined_message", default) or default
    if top.has("mined_message"):
        # Mined rules have purchase-or-cart triggers and no discount.
        check_template(top, "mined_message", text, trigger=None, discount=Decimal(0), needs_price=True)
        if "since" in _safe_placeholders(text):
            top.error("mined_message", "{since} is not available for mined offers")
    return text


def _safe_placeholders(text: str) -> list[str]:
    try:
        return placeholders_in(text)
    except ValueError:
        return []


def parse_document(document: Any, source: str, issues: Issues) -> Policy:
    """Build a Policy; problems go to ``issues`` (the Policy is then unusable)."""
    if document is None:
        issues.add("", 1, "the file is empty")
        return Policy(source=source)
    if not isinstance(document, dict):
        issues.add("", 1, "the top level must be a mapping")
        return Policy(source=source)
    top = Section(document, "", 1, issues)
    top.only_keys(_TOP_KEYS)
    version = top.integer("version", 1)
    if version not in SUPPORTED_VERSIONS:
        top.error("version", f"unsupported version {version} (supported: 1)")
    if not top.has("offers"):
        issues.add("offers", None, "is required (use an empty list for no offer rules)")
    currency = top.text("currency_symbol", Policy.currency_symbol) or Policy.currency_symbol
    return Policy(
        caps=_caps(top),
        declines=_declines(top),
        holdout=_holdout(top),
        default_margin_rate=top.number(
            "default_margin_rate", Policy.default_margin_rate, minimum=Decimal(0), maximum=Decimal(1)
        ),
        currency_symbol=currency,
        channels=_channels(top),
        frustration=_frustration(top),
        mining=_mining(top),
        links=_links(top),
        mined_message=_mined_message(top),
        offers=parse_offers(top),
        source=source,
    )
