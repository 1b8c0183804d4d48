"""The "Words" rules for offer messages, reasons and button labels.

Kept apart from the schema because they are the policy's rules of honesty:
every message states the real price, shows a discount only when there is one,
and never invents urgency (docs/policy.md, "Messages and reasons").
"""

from __future__ import annotations

from decimal import Decimal

from tactful.engine.policy_model import Target, Trigger
from tactful.engine.templates import PLACEHOLDERS, placeholders_in, urgency_words

MAX_MESSAGE_CHARS = 240
MAX_LABEL_CHARS = 30


def template_problems(
    template: str, *, trigger: Trigger | None, discount: Decimal | None, needs_price: bool
) -> list[str]:
    """Every problem with one template.

    ``discount`` is None for templates that never show prices (reasons);
    ``trigger`` is None when no trigger is known, which skips the checks of
    ``{since}`` and ``{trigger_name}``.
    """
    try:
        names = placeholders_in(template)
    except ValueError as exc:
        return [f"bad template: {exc}"]
    known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
    problems = [f"unknown placeholder {{{n}}} (known: {known})" for n in names if n not in PLACEHOLDERS]
    problems += [f"fake urgency is not allowed: {phrase!r}" for phrase in urgency_words(template)]
    if len(template) > MAX_MESSAGE_CHARS:
        problems.append(f"too long ({len(template)} > {MAX_MESSAGE_CHARS} characters)")
    used = set(names)
    if needs_price:
        if "target_name" not in used:
            problems.append("missing placeholder {target_name}")
        if discount:
            problems += [
                f"missing placeholder {{{n}}} (this offer has a discount)"
                for n in ("final_price", "discount")
                if n not in used
            ]
        elif not used & {"price", "final_price"}:
            problems.append("missing placeholder {price} or {final_price}")
    if not discount and "discount" in used:
        problems.append("uses {discount} but this offer has no discount")
    if trigger is not None:
        if "since" in used and not trigger.uses_purchases:
            problems.append("{since} needs a purchase trigger (owns_sku/owns_category/...)")
        if "trigger_name" in used and not (trigger.uses_purchases or trigger.uses_cart):
            problems.append("{trigger_name} needs an owns_* or cart_* trigger")
    return problems


def label_problems(label: str) -> list[str]:
    problems = [f"fake urgency is not allowed: {phrase!r}" for phrase in urgency_words(label)]
    if len(label) > MAX_LABEL_CHARS:
        problems.append(f"too long (at most {MAX_LABEL_CHARS} characters)")
    return problems


def default_reason(kind: str, trigger: Trigger, target: Target) -> str:
    """The "why am I seeing this?" sentence when a rule gives none."""
    if target.upgrade:
        return "You have the {trigger_name}, and the {target_name} is the next step up."
    if trigger.owns_sku or trigger.owns_category:
        return "You bought the {trigger_name} {since}, and the {target_name} goes with it."
    if trigger.uses_cart:
        return "Your cart holds the {trigger_name}, and the {target_name} goes with it."
    if kind == "upsell":
        return "The {target_name} is an upgrade for what you have."
    return "The {target_name} is a common add-on for customers like you."
