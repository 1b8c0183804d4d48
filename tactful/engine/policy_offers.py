"""Validation of the ``offers:`` list of a policy file.

Kept apart from the global sections because offer rules carry most of the
policy's rules of honesty: every message states the real price, shows a
discount only when there is one, and never invents urgency.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tactful.engine.model import OFFER_KINDS
from tactful.engine.policy_model import (
    KNOWN_CHANNELS,
    KNOWN_STAGES,
    Exclusions,
    IntRange,
    OfferRule,
    Target,
    Trigger,
    Variant,
)
from tactful.engine.policy_reader import Section
from tactful.engine.templates import PLACEHOLDERS, placeholders_in, urgency_words

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_MESSAGE_CHARS = 240
MAX_LABEL_CHARS = 30
MAX_DISCOUNT = Decimal(90)

_RULE_KEYS = frozenset(
    {
        "id",
        "kind",
        "trigger",
        "target",
        "exclusions",
        "discount_percent",
        "message",
        "variants",
        "reason",
        "accept_label",
        "channels",
        "stages",
    }
)
_TRIGGER_KEYS = frozenset(
    {
        "owns_sku",
        "owns_category",
        "cart_sku",
        "cart_category",
        "plan_tier",
        "days_since_purchase",
        "stage",
    }
)
_EXCLUSION_KEYS = frozenset(
    {"owns_target", "same_need", "returned_target", "out_of_stock", "regions", "channels"}
)
_VARIANT_KEYS = frozenset({"id", "message", "discount_percent"})


def default_reason(kind: str, trigger: Trigger, target: Target) -> str:
    """The "why am I seeing this?" sentence when a rule gives none."""
    if target.upgrade:
        return "You have the {trigger_name}, and the {target_name} is the next step up."
    if trigger.uses_purchases and (trigger.owns_sku or trigger.owns_category):
        return "You bought the {trigger_name} {since}, and the {target_name} goes with it."
    if trigger.uses_cart:
        return "Your cart holds the {trigger_name}, and the {target_name} goes with it."
    if kind == "upsell":
        return "The {target_name} is an upgrade for what you have."
    return "The {target_name} is a common add-on for customers like you."


def check_template(
    section: Section,
    key: str,
    template: str,
    *,
    trigger: Trigger | None,
    discount: Decimal | None,
    needs_price: bool,
) -> None:
    """Record every problem with one message template.

    ``discount`` is None for templates that never show prices (reasons).
    """
    try:
        names = placeholders_in(template)
    except ValueError as exc:
        section.error(key, f"bad template: {exc}")
        return
    for name in names:
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
            section.error(key, f"unknown placeholder {{{name}}} (known: {known})")
    used = set(names)
    for phrase in urgency_words(template):
        section.error(key, f"fake urgency is not allowed: {phrase!r}")
    if len(template) > MAX_MESSAGE_CHARS:
        section.error(key, f"too long ({len(template)} > {MAX_MESSAGE_CHARS} characters)")
    if needs_price:
        if "target_name" not in used:
            section.error(key, "missing placeholder {target_name}")
        if discount:
            for name in ("final_price", "discount"):
                if name not in used:
                    section.error(key, f"missing placeholder {{{name}}} (this offer has a discount)")
        elif not used & {"price", "final_price"}:
            section.error(key, "missing placeholder {price} or {final_price}")
    if not discount and "discount" in used:
        section.error(key, "uses {discount} but this offer has no discount")
    if trigger is not None:
        if "since" in used and not trigger.uses_purchases:
            section.error(key, "{since} needs a purchase trigger (owns_sku/owns_category/...)")
        if "trigger_name" in used and not (trigger.uses_purchases or trigger.uses_cart):
            section.error(key, "{trigger_name} needs an owns_* or cart_* trigger")


def _range(parent: Section, key: str) -> IntRange | None:
    section = parent.section(key)
    if section is None:
        return None
    section.only_keys({"min", "max"})
    low = section.integer("min", -1, minimum=0) if section.has("min") else None
    high = section.integer("max", -1, minimum=0) if section.has("max") else None
    if low is None and high is None:
        section.error(None, "needs min or max")
    if low is not None and high is not None and low > high:
        section.error("max", f"max ({high}) is below min ({low})")
    return IntRange(
        min=low if low is not None and low >= 0 else None,
        max=high if high is not None and high >= 0 else None,
    )


def _trigger(rule: Section) -> Trigger:
    section = rule.section("trigger")
    if section is None:
        if not rule.has("trigger"):
            rule.issues.add(rule.sub("trigger"), rule.line, "is required")
        return Trigger()
    section.only_keys(_TRIGGER_KEYS)
    if not set(section.data) & _TRIGGER_KEYS:
        section.error(None, "needs at least one condition")
    return Trigger(
        owns_sku=section.names("owns_sku"),
        owns_category=section.names("owns_category"),
        cart_sku=section.names("cart_sku"),
        cart_category=section.names("cart_category"),
        plan_tier=_range(section, "plan_tier"),
        days_since_purchase=_range(section, "days_since_purchase"),
        stage=section.names("stage", known=KNOWN_STAGES, what="stage"),
    )


def _target(rule: Section, kind: str, trigger: Trigger) -> Target:
    section = rule.section("target")
    if section is None:
        if not rule.has("target"):
            rule.issues.add(rule.sub("target"), rule.line, "is required")
        return Target()
    section.only_keys({"sku", "upgrade"})
    if section.has("sku") == section.has("upgrade"):
        section.error(None, "needs exactly one of sku or upgrade: true")
    sku = section.text("sku", None)
    upgrade = section.flag("upgrade", False)
    if section.has("upgrade") and not upgrade and "upgrade" in section.data:
        if isinstance(section.data["upgrade"], bool):
            section.error("upgrade", "set upgrade: true, or give a sku instead")
    if upgrade:
        if kind != "upsell":
            section.error("upgrade", "an upgrade target needs kind: upsell")
        if not (trigger.uses_purchases or trigger.uses_cart):
            section.error("upgrade", "an upgrade target needs an owns_* or cart_* trigger")
    return Target(sku=sku, upgrade=upgrade)


def _exclusions(rule: Section) -> Exclusions:
    section = rule.section("exclusions")
    if section is None:
        return Exclusions()
    section.only_keys(_EXCLUSION_KEYS)
    return Exclusions(
        owns_target=section.flag("owns_target", True),
        same_need=section.flag("same_need", True),
        returned_target=section.flag("returned_target", True),
        out_of_stock=section.flag("out_of_stock", True),
        regions=section.names("regions"),
        channels=section.names("channels", known=KNOWN_CHANNELS, what="channel"),
    )


def _variants(rule: Section, rule_discount: Decimal, trigger: Trigger) -> tuple[Variant, ...]:
    if rule.has("variants") and rule.has("message"):
        rule.error("message", "give either message or variants, not both")
    if not rule.has("variants"):
        message = rule.text("message", "", required=True) or ""
        if message:
            check_template(
                rule, "message", message, trigger=trigger, discount=rule_discount, needs_price=True
            )
        return (Variant(id="default", message=message, discount_percent=rule_discount),)
    variants: list[Variant] = []
    seen: dict[str, int | None] = {}
    for _index, item, path, line in rule.items("variants"):
        section = rule.as_section(item, path, line)
        if section is None:
            continue
        section.only_keys(_VARIANT_KEYS)
        variant_id = section.text("id", "", required=True) or ""
        if variant_id and not _ID_RE.match(variant_id):
            section.error("id", "use lowercase letters, digits, '-' or '_'")
        if variant_id in seen:
            section.error("id", f"duplicate variant id {variant_id!r} (first on line {seen[variant_id]})")
        seen[variant_id] = section.value_line("id")
        discount = section.number("discount_percent", rule_discount, minimum=Decimal(0), maximum=MAX_DISCOUNT)
        message = section.text("message", "", required=True) or ""
        if message:
            check_template(section, "message", message, trigger=trigger, discount=discount, needs_price=True)
        variants.append(Variant(id=variant_id, message=message, discount_percent=discount))
    if not variants:
        rule.error("variants", "needs at least one variant")
    return tuple(variants)


def parse_rule(rule: Section) -> OfferRule:
    rule.only_keys(_RULE_KEYS)
    offer_id = rule.text("id", "", required=True) or ""
    if offer_id and not _ID_RE.match(offer_id):
        rule.error("id", "use lowercase letters, digits, '-' or '_' (at most 64)")
    kind = rule.text("kind", "", required=True) or ""
    if kind and kind not in OFFER_KINDS:
        rule.error("kind", f"must be one of {', '.join(OFFER_KINDS)}, got {kind!r}")
    trigger = _trigger(rule)
    target = _target(rule, kind, trigger)
    discount = rule.number("discount_percent", Decimal(0), minimum=Decimal(0), maximum=MAX_DISCOUNT)
    variants = _variants(rule, discount, trigger)
    reason = rule.text("reason", None)
    if reason is not None:
        check_template(rule, "reason", reason, trigger=trigger, discount=None, needs_price=False)
    else:
        reason = default_reason(kind, trigger, target)
    label_default = "Upgrade" if target.upgrade else "Add to cart"
    accept_label = rule.text("accept_label", label_default) or label_default
    if len(accept_label) > MAX_LABEL_CHARS:
        rule.error("accept_label", f"too long (at most {MAX_LABEL_CHARS} characters)")
    for phrase in urgency_words(accept_label):
        rule.error("accept_label", f"fake urgency is not allowed: {phrase!r}")
    return OfferRule(
        id=offer_id,
        kind=kind,
        trigger=trigger,
        target=target,
        variants=variants,
        reason=reason,
        accept_label=accept_label,
        exclusions=_exclusions(rule),
        discount_percent=discount,
        channels=rule.names("channels", known=KNOWN_CHANNELS, what="channel"),
        stages=rule.names("stages", known=KNOWN_STAGES, what="stage"),
        line=rule.line,
    )


def parse_offers(top: Section) -> tuple[OfferRule, ...]:
    rules: list[OfferRule] = []
    first_line: dict[str, int | None] = {}
    for _index, item, path, line in top.items("offers"):
        section = top.as_section(item, path, line)
        if section is None:
            continue
        rule = parse_rule(section)
        if rule.id and rule.id in first_line:
            section.error("id", f"duplicate offer id {rule.id!r} (first on line {first_line[rule.id]})")
        first_line.setdefault(rule.id, section.value_line("id"))
        rules.append(rule)
    return tuple(rules)
